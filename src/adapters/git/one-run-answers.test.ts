import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { gitRepo } from './repo.js';
import { runGit } from './run-git.js';
import { clearWorkspaceLocks } from './stale-locks.js';
import { worktreeState } from './worktree-state.js';

// Where one git run now answers what two did (the checkout's top and HEAD; HEAD and the status;
// a worktree's git dir and the shared one), the answers are those of the separate runs, which
// real git gives here as the oracle; and `worktree add --no-checkout` reads no config.

let repo: TempRepo;
let dir: string;

beforeEach(async () => {
  repo = await createTempRepo();
  dir = await realpath(await mkdtemp(join(tmpdir(), 'omk-one-run-')));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** What the two runs worktreeState made before said: HEAD, and the v1 status lines. */
function v1State(cwd: string): { head: string | null; changes: string[] } {
  let head: string | null = null;
  try {
    head = git(cwd, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}');
  } catch {}
  const status = execFileSync(
    'git',
    ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'],
    { cwd, encoding: 'utf8' },
  );
  return { head, changes: status.split('\0').filter((line) => line !== '') };
}

describe('worktreeState: one status run says HEAD and the v1 lines', () => {
  it('is what rev-parse and `status --porcelain=v1` say, for every kind of change', async () => {
    await repo.commit({ 'a.txt': 'a\n', 'b.txt': 'b\n', 'with space.txt': 'c\n', 'conflict.txt': 'base\n' });
    expect(await worktreeState(repo.root)).toEqual(v1State(repo.root));
    expect((await worktreeState(repo.root)).changes).toEqual([]);

    git(repo.root, 'checkout', '--quiet', '-b', 'other');
    await repo.commit({ 'conflict.txt': 'theirs\n' });
    git(repo.root, 'checkout', '--quiet', 'main');
    await repo.commit({ 'conflict.txt': 'ours\n' });
    expect(() => git(repo.root, 'merge', '--quiet', 'other')).toThrow();
    await writeFile(join(repo.root, 'a.txt'), 'a changed\n');
    git(repo.root, 'rm', '--quiet', '--cached', 'b.txt');
    await writeFile(join(repo.root, 'with space.txt'), 'staged\n');
    git(repo.root, 'add', 'with space.txt');
    await writeFile(join(repo.root, 'with space.txt'), 'staged, then changed\n');
    await mkdir(join(repo.root, 'deep', 'er'), { recursive: true });
    await writeFile(join(repo.root, 'deep', 'er', 'new.txt'), 'new\n');
    await writeFile(join(repo.root, 'added.txt'), 'added\n');
    git(repo.root, 'add', 'added.txt');

    const state = await worktreeState(repo.root);
    expect(state).toEqual(v1State(repo.root));
    // The oracle itself saw each kind: modified, deleted, both, unmerged, added, untracked.
    expect(state.changes).toEqual(
      expect.arrayContaining([
        ' M a.txt',
        'D  b.txt',
        'MM with space.txt',
        'UU conflict.txt',
        'A  added.txt',
      ]),
    );
    expect(state.changes).toContain('?? deep/er/new.txt');
    expect(state.head).toBe(git(repo.root, 'rev-parse', 'HEAD'));
  });

  it('a repository with no commit yet: no HEAD, its files untracked', async () => {
    git(dir, 'init', '--quiet', '-b', 'main');
    await writeFile(join(dir, 'first.txt'), 'first\n');
    const state = await worktreeState(dir);
    expect(state).toEqual({ head: null, changes: ['?? first.txt'] });
    expect(state).toEqual(v1State(dir));
  });
});

describe('gitRepo.inspect: one run for the top and HEAD', () => {
  it('from a subdirectory: the top, its HEAD and its branch; detached: no branch', async () => {
    const sha = await repo.commit({ 'src/index.ts': 'export {};\n' });
    const root = await realpath(repo.root);
    expect(await gitRepo.inspect(join(repo.root, 'src'))).toEqual({ root, headSha: sha, branch: 'main' });
    git(repo.root, 'checkout', '--quiet', '--detach');
    expect(await gitRepo.inspect(repo.root)).toEqual({ root, headSha: sha, branch: null });
  });

  it('a repository with no commit yet: no HEAD, the branch it will make', async () => {
    git(dir, 'init', '--quiet', '-b', 'trunk');
    expect(await gitRepo.inspect(dir)).toEqual({ root: dir, headSha: null, branch: 'trunk' });
  });

  it('a checkout whose path holds a newline is read whole, with and without a commit', async () => {
    const odd = join(dir, 'two\nlines');
    await mkdir(odd);
    git(odd, 'init', '--quiet', '-b', 'main');
    expect(await gitRepo.inspect(odd)).toEqual({ root: odd, headSha: null, branch: 'main' });
    git(odd, 'config', 'user.email', 'omk-test@example.invalid');
    git(odd, 'config', 'user.name', 'omk test');
    git(odd, 'commit', '--quiet', '--allow-empty', '-m', 'first');
    const sha = git(odd, 'rev-parse', 'HEAD');
    expect(await gitRepo.inspect(odd)).toEqual({ root: odd, headSha: sha, branch: 'main' });
  });

  it('outside any repository: the clear error', async () => {
    await expect(gitRepo.inspect(dir)).rejects.toThrow(/is not inside a git repository/);
  });
});

describe('clearWorkspaceLocks: one run for the git dir and the shared one', () => {
  it("removes an omk branch checkout's index.lock, its path holding a newline or not", async () => {
    for (const name of ['plain clone', 'two\nline clone']) {
      const path = join(dir, name);
      git(dir, 'clone', '--quiet', '--', repo.root, path);
      git(path, 'checkout', '--quiet', '-b', 'omk/g1/s1');
      const lock = join(path, '.git', 'index.lock');
      await writeFile(lock, '');
      expect(await clearWorkspaceLocks({ path, branch: 'omk/g1/s1', mode: 'branch-checkout' })).toEqual([
        lock,
      ]);
      expect(existsSync(lock)).toBe(false);
    }
  });

  it("removes an omk worktree's index.lock, its path holding a newline or not", async () => {
    for (const name of ['plain', 'two\nlines']) {
      const path = join(dir, name);
      git(repo.root, 'worktree', 'add', '--quiet', '-b', `omk/g1/${name.replace('\n', '-')}`, path);
      const lock = join(git(path, 'rev-parse', '--absolute-git-dir'), 'index.lock');
      await writeFile(lock, '');
      const branch = `omk/g1/${name.replace('\n', '-')}`;
      expect(await clearWorkspaceLocks({ path, branch, mode: 'worktree' })).toEqual([lock]);
      expect(existsSync(lock)).toBe(false);
    }
  });

  it("never the user's main checkout", async () => {
    git(repo.root, 'checkout', '--quiet', '-b', 'omk/g1/s1');
    const lock = join(repo.root, '.git', 'index.lock');
    await writeFile(lock, '');
    expect(await clearWorkspaceLocks({ path: repo.root, branch: 'omk/g1/s1', mode: 'worktree' })).toEqual([]);
    expect(existsSync(lock)).toBe(true);
  });
});

describe('runGit: `worktree add --no-checkout` reads no config', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('reads none for --no-checkout and runs no filter; reads it once for an add that checks out', async () => {
    // A logging git on PATH; a smudge filter that leaves a marker, named by a committed attribute.
    const log = join(dir, 'git.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
    await chmod(join(dir, 'bin', 'git'), 0o755);
    const marker = join(dir, 'smudged');
    await writeFile(join(dir, 'smudge'), `#!/bin/sh\ntouch '${marker}'\ncat\n`);
    await chmod(join(dir, 'smudge'), 0o755);
    await repo.commit({ '.gitattributes': '*.txt filter=evil\n', 'notes.txt': 'as written\n' });
    git(repo.root, 'config', 'filter.evil.smudge', join(dir, 'smudge'));
    process.env.PATH = `${join(dir, 'bin')}${delimiter}${savedPath ?? ''}`;
    const commands = async () =>
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) =>
          line
            .replace(/(-c \S+ )+/g, '')
            .split(' ')
            .slice(0, 2)
            .join(' '),
        );

    await runGit(
      ['worktree', 'add', '--quiet', '--no-checkout', '-b', 'omk/a', '--', join(dir, 'a'), 'HEAD'],
      {
        cwd: repo.root,
      },
    );
    expect(
      (await commands()).filter((line) => !line.startsWith('branch') && !line.startsWith('symbolic-ref')),
    ).toEqual(['worktree add']);
    await writeFile(log, '');
    // `--no-checkout` after `--` is a path, not the option: the add checks out, so config is read.
    await runGit(['worktree', 'add', '--quiet', '-b', 'omk/b', '--', '--no-checkout', 'HEAD'], {
      cwd: repo.root,
    });
    expect((await commands()).slice(0, 2)).toEqual(['config -z', 'worktree add']);
    expect(await readFile(join(repo.root, '--no-checkout', 'notes.txt'), 'utf8')).toBe('as written\n');
    expect(existsSync(marker)).toBe(false);
  });
});
