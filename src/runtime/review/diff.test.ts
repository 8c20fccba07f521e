import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { parseDiff } from './diff.js';
import { fileDiff } from './test-fixtures.js';

describe('parseDiff', () => {
  it('numbers added and context lines in the new file from the hunk header', () => {
    const diff = fileDiff('src/a.ts', [' keep', '-old', '+new one', '+new two', ' tail'], {
      oldStart: 10,
      newStart: 12,
    });
    const [file] = parseDiff(diff).files;
    expect(file?.path).toBe('src/a.ts');
    expect(file?.hunks[0]?.map((line) => [line.kind, line.text, line.newLine])).toEqual([
      ['context', 'keep', 12],
      ['removed', 'old', null],
      ['added', 'new one', 13],
      ['added', 'new two', 14],
      ['context', 'tail', 15],
    ]);
  });

  it('reads "+++" and "---" inside a hunk as content, not as file headers', () => {
    const diff = fileDiff('notes.md', ['+++ added text', '--- removed text', ' ctx']);
    const { files } = parseDiff(diff);
    expect(files).toHaveLength(1);
    expect(files[0]?.path).toBe('notes.md');
    expect(files[0]?.hunks[0]?.map((line) => line.kind)).toEqual(['added', 'removed', 'context']);
  });

  it('closes a hunk cut short by truncation and reports the marker', () => {
    const whole = fileDiff('a.txt', ['+one', '+two', '+three']);
    const cut = `${whole.split('\n').slice(0, -3).join('\n')}\n[omk: diff truncated: 10 of 99 bytes shown; full diff: git diff x y]\n`;
    const parsed = parseDiff(cut);
    expect(parsed.truncated).toBe(true);
    expect(parsed.files[0]?.hunks[0]?.map((line) => line.text)).toEqual(['one']);
    expect(parseDiff(whole).truncated).toBe(false);
  });

  describe('on real git output', () => {
    let repo: TempRepo | undefined;
    afterEach(async () => {
      await repo?.cleanup();
      repo = undefined;
    });

    it('unquotes paths, strips prefixes, and sees new, deleted, binary and executable files', async () => {
      repo = await createTempRepo({ 'old.txt': 'bye\n', 'keep.txt': 'a\n' });
      const base = git(repo.root, 'rev-parse', 'HEAD');
      git(repo.root, 'rm', '--quiet', 'old.txt');
      await repo.commit({
        'dir with space/file name.txt': 'hello\n',
        'café/naïve.txt': 'x\n',
        'a/x.txt': 'in a dir named a\n',
        'img.png': '\u0000\u0001binary',
        'keep.txt': 'a\n++ plus\n',
      });
      git(repo.root, 'update-index', '--chmod=+x', 'keep.txt');
      git(repo.root, 'commit', '--quiet', '-m', 'mode');
      const diff = git(repo.root, 'diff', '--no-renames', '--no-color', base, 'HEAD', '--');
      const known = new Set([
        'dir with space/file name.txt',
        'café/naïve.txt',
        'a/x.txt',
        'img.png',
        'keep.txt',
        'old.txt',
      ]);
      const files = parseDiff(diff, known).files;
      const summary = Object.fromEntries(
        files.map((file) => [file.path, [file.status, file.binary, file.executable]]),
      );
      expect(summary).toEqual({
        'a/x.txt': ['added', false, false],
        'café/naïve.txt': ['added', false, false],
        'dir with space/file name.txt': ['added', false, false],
        'img.png': ['added', true, false],
        'keep.txt': ['modified', false, true],
        'old.txt': ['deleted', false, false],
      });
      const keep = files.find((file) => file.path === 'keep.txt');
      expect(keep?.hunks.flat().filter((line) => line.kind === 'added')).toEqual([
        { kind: 'added', text: '++ plus', newLine: 2, oldLine: null },
      ]);
    });
  });
});
