import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import type { CreateWorkspaceInput } from '../../runtime/workspace/port.js';
import { createGitWorkspaces, gitWorkspaces } from './workspaces.js';

const FILES = {
  'README.md': '# fixture\n',
  'package.json': '{}\n',
  'src/app/main.ts': 'export const main = 1;\n',
  'src/app/deep/util.ts': 'export const util = 1;\n',
  'src/lib/lib.ts': 'export const lib = 1;\n',
  'docs/guide.md': '# guide\n',
};

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo(FILES);
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

function input(sliceId: string, sparsePaths: readonly string[] | null = null): CreateWorkspaceInput {
  return { repoRoot: repo.root, goalId: 'g1', sliceId, baseSha, workspaceRoot, sparsePaths };
}

describe('gitWorkspaces.create', () => {
  it('creates a full worktree on omk/<goal>/<slice> at the base', async () => {
    const ws = await gitWorkspaces.create(input('s1'));
    expect(ws).toEqual({
      sliceId: 's1',
      path: join(workspaceRoot, 'g1', 's1'),
      branch: 'omk/g1/s1',
      baseSha,
      mode: 'worktree',
      fallbackReason: null,
    });
    expect(git(ws.path, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(git(ws.path, 'symbolic-ref', '--short', 'HEAD')).toBe('omk/g1/s1');
    expect(git(ws.path, 'status', '--porcelain')).toBe('');
    for (const file of Object.keys(FILES)) expect(existsSync(join(ws.path, file))).toBe(true);
    // No upstream: a tracking branch would have written the shared config.
    expect(() => git(repo.root, 'config', '--get', 'branch.omk/g1/s1.merge')).toThrow();
  });

  it('creates a sparse worktree: cone directories and root files only', async () => {
    const ws = await gitWorkspaces.create(input('s1', ['src/app/', 'src/app/deep']));
    expect(ws.mode).toBe('sparse-worktree');
    expect(ws.fallbackReason).toBeNull();
    expect(existsSync(join(ws.path, 'src/app/main.ts'))).toBe(true);
    expect(existsSync(join(ws.path, 'src/app/deep/util.ts'))).toBe(true);
    expect(existsSync(join(ws.path, 'README.md'))).toBe(true);
    expect(existsSync(join(ws.path, 'package.json'))).toBe(true);
    expect(existsSync(join(ws.path, 'src/lib/lib.ts'))).toBe(false);
    expect(existsSync(join(ws.path, 'docs'))).toBe(false);
    expect(git(ws.path, 'status', '--porcelain')).toBe('');
    // The main worktree stays a full checkout.
    expect(existsSync(join(repo.root, 'docs/guide.md'))).toBe(true);
    expect(git(repo.root, 'status', '--porcelain')).toBe('');
  });

  it('gives a full worktree when the repository itself is a sparse checkout (git copies its cone)', async () => {
    git(repo.root, 'sparse-checkout', 'set', '--cone', 'docs');
    expect(existsSync(join(repo.root, 'src/app/main.ts'))).toBe(false);
    const workspaces = createGitWorkspaces();
    for (const id of ['s1', 's2']) {
      const ws = await workspaces.create(input(id));
      expect(ws.mode).toBe('worktree');
      for (const file of Object.keys(FILES)) expect(existsSync(join(ws.path, file))).toBe(true);
      expect(git(ws.path, 'status', '--porcelain')).toBe('');
    }
  });

  it('treats "." and an empty list as a full checkout', async () => {
    expect((await gitWorkspaces.create(input('s1', ['.', 'src']))).mode).toBe('worktree');
    expect((await gitWorkspaces.create(input('s2', []))).mode).toBe('worktree');
  });

  it('reuses an existing worktree untouched (resume)', async () => {
    const first = await gitWorkspaces.create(input('s1', ['src/app']));
    await writeFile(join(first.path, 'src/app/wip.ts'), 'unfinished\n');
    git(first.path, 'add', '--all');
    git(first.path, 'commit', '--quiet', '-m', 'partial work');
    const head = git(first.path, 'rev-parse', 'HEAD');
    await writeFile(join(first.path, 'src/app/dirty.ts'), 'uncommitted\n');

    const again = await gitWorkspaces.create(input('s1', ['src/app']));
    expect(again).toEqual(first);
    expect(git(again.path, 'rev-parse', 'HEAD')).toBe(head);
    expect(await readFile(join(again.path, 'src/app/dirty.ts'), 'utf8')).toBe('uncommitted\n');
  });

  it('reuses an existing branch when its worktree was removed', async () => {
    const first = await gitWorkspaces.create(input('s1'));
    await writeFile(join(first.path, 'work.txt'), 'done\n');
    const captured = await gitWorkspaces.capture(first, 'work');
    await gitWorkspaces.remove(repo.root, first);

    const again = await gitWorkspaces.create(input('s1'));
    expect(again.mode).toBe('worktree');
    expect(git(again.path, 'rev-parse', 'HEAD')).toBe(captured.headSha);
    expect(await readFile(join(again.path, 'work.txt'), 'utf8')).toBe('done\n');
  });

  it('creates eight worktrees in parallel, full and sparse', async () => {
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    const created = await Promise.all(
      ids.map((id, index) => gitWorkspaces.create(input(id, index % 2 === 0 ? null : ['src/lib']))),
    );
    expect(created.map((ws) => ws.mode)).toEqual(
      ids.map((_, i) => (i % 2 === 0 ? 'worktree' : 'sparse-worktree')),
    );
    expect(created.every((ws) => ws.fallbackReason === null)).toBe(true);
    for (const ws of created) {
      expect(git(ws.path, 'symbolic-ref', '--short', 'HEAD')).toBe(`omk/g1/${ws.sliceId}`);
      expect(existsSync(join(ws.path, 'src/lib/lib.ts'))).toBe(true);
      expect(existsSync(join(ws.path, 'docs/guide.md'))).toBe(ws.mode === 'worktree');
    }
    expect(git(repo.root, 'worktree', 'list').split('\n')).toHaveLength(9);
  });

  it('rejects ids that are not safe ref components, before touching git', async () => {
    const bad = ['', 'Upper', '-dash', 'a/b', 'a..b', 'x'.repeat(81), '--force', 'a b', 'a~1'];
    for (const id of bad) {
      await expect(gitWorkspaces.create(input(id))).rejects.toBeInstanceOf(GitError);
      await expect(gitWorkspaces.create({ ...input('s1'), goalId: id })).rejects.toBeInstanceOf(GitError);
    }
    await expect(gitWorkspaces.create(input('integration'))).rejects.toThrow(/reserved/);
    await expect(gitWorkspaces.create({ ...input('s1'), baseSha: '--orphan' })).rejects.toBeInstanceOf(
      GitError,
    );
    await expect(gitWorkspaces.create(input('s1', ['../outside']))).rejects.toBeInstanceOf(GitError);
    expect(git(repo.root, 'branch', '--list', 'omk/*')).toBe('');
  });

  it('refuses an existing branch that does not contain the base, and a foreign directory', async () => {
    const other = await repo.commit({ 'later.txt': 'x\n' }, 'later');
    git(repo.root, 'branch', 'omk/g1/old', baseSha);
    await expect(gitWorkspaces.create({ ...input('old'), baseSha: other })).rejects.toThrow(/not based on/);
    expect(git(repo.root, 'rev-parse', 'omk/g1/old')).toBe(baseSha);

    await mkdir(join(workspaceRoot, 'g1', 's9'), { recursive: true });
    await writeFile(join(workspaceRoot, 'g1', 's9', 'mine.txt'), 'keep\n');
    await expect(gitWorkspaces.create(input('s9'))).rejects.toThrow(/not omk's workspace/);
    expect(await readFile(join(workspaceRoot, 'g1', 's9', 'mine.txt'), 'utf8')).toBe('keep\n');
  });
});
