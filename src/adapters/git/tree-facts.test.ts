import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import { treeFacts, worktreeChanges } from './tree-facts.js';

let repo: TempRepo;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n', '.gitignore': 'build/\n*.log\n' });
});

afterEach(async () => {
  await repo.cleanup();
});

describe('treeFacts', () => {
  it('gives the commit’s tree and nothing besides it in a clean checkout', async () => {
    const head = git(repo.root, 'rev-parse', 'HEAD');
    expect(await treeFacts(repo.root, head)).toEqual({
      tree: git(repo.root, 'rev-parse', 'HEAD^{tree}'),
      extra: [],
    });
  });

  it('lists untracked and ignored files, an untracked directory as one entry', async () => {
    await mkdir(join(repo.root, 'build', 'gen'), { recursive: true });
    await writeFile(join(repo.root, 'build', 'gen', 'table.js'), 'export const T = 1;\n');
    await writeFile(join(repo.root, 'debug.log'), 'x\n');
    await writeFile(join(repo.root, 'notes.txt'), 'x\n');
    const facts = await treeFacts(repo.root, git(repo.root, 'rev-parse', 'HEAD'));
    expect(facts.extra.sort()).toEqual(['build/', 'debug.log', 'notes.txt']);
  });

  it('refuses what is not a full commit id', async () => {
    await expect(treeFacts(repo.root, 'HEAD')).rejects.toThrow(GitError);
    await expect(treeFacts(repo.root, '--output=x')).rejects.toThrow(GitError);
  });
});

describe('worktreeChanges', () => {
  const paths = (files: readonly { path: string }[]) => files.map((file) => file.path);

  it('names tracked files changed and every untracked file, ignored ones too, but none under node_modules', async () => {
    expect(await worktreeChanges(repo.root)).toEqual({ tracked: [], untracked: [] });
    await writeFile(join(repo.root, 'README.md'), '# changed\n');
    await mkdir(join(repo.root, 'conf', 'deep'), { recursive: true });
    await writeFile(join(repo.root, 'conf', 'deep', '.npmrc'), 'script-shell=/bin/false\n');
    await writeFile(join(repo.root, 'debug.log'), 'ignored\n');
    await mkdir(join(repo.root, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(repo.root, 'node_modules', 'x', 'index.js'), 'omk links these\n');
    await writeFile(join(repo.root, 'a file\nwith a newline'), 'x\n');
    const changes = await worktreeChanges(repo.root);
    expect(changes.tracked).toEqual(['README.md']);
    expect(paths(changes.untracked)).toEqual(['a file\nwith a newline', 'conf/deep/.npmrc', 'debug.log']);
    git(repo.root, 'rm', '--quiet', '--cached', 'README.md');
    expect((await worktreeChanges(repo.root)).tracked).toEqual(['README.md']);
  });

  it('stamps an ignored file so a rewrite shows, its size and modification time kept', async () => {
    const log = join(repo.root, 'build', 'cache.log');
    await mkdir(join(repo.root, 'build'), { recursive: true });
    await writeFile(log, 'good\n');
    const before = (await worktreeChanges(repo.root)).untracked;
    const { atime, mtime } = await stat(log);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(log, 'evil\n');
    await utimes(log, atime, mtime);
    const after = (await worktreeChanges(repo.root)).untracked;
    expect(paths(after)).toEqual(['build/cache.log']);
    expect(after[0]?.stamp).not.toBe(before[0]?.stamp);
  });
});
