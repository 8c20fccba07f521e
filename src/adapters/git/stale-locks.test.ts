import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { createGitWorkspaces, gitWorkspaces } from './workspaces.js';

let repo: TempRepo;
let workspaceRoot: string;

beforeEach(async () => {
  repo = await createTempRepo();
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

async function lock(path: string, ageMs: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '');
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
  return path;
}

describe('gitWorkspaces.recoverStaleLocks', () => {
  it("removes omk's locks older than the limit, leaves younger ones and never touches the user's", async () => {
    const ws = await gitWorkspaces.create({
      repoRoot: repo.root,
      goalId: 'g1',
      sliceId: 's1',
      baseSha: git(repo.root, 'rev-parse', 'HEAD'),
      workspaceRoot,
      sparsePaths: null,
    });
    // A worktree of the user's own, on a branch of theirs.
    git(repo.root, 'worktree', 'add', '--quiet', '-b', 'feature', join(workspaceRoot, 'mine'));
    const gitDir = join(repo.root, '.git');
    const hour = 60 * 60 * 1000;
    const stale = [
      await lock(join(gitDir, 'worktrees', 's1', 'index.lock'), 2 * hour),
      await lock(join(gitDir, 'refs', 'heads', 'omk', 'g1', 's1.lock'), 2 * hour),
    ].sort();
    const users = [
      await lock(join(gitDir, 'index.lock'), 2 * hour),
      await lock(join(gitDir, 'packed-refs.lock'), 2 * hour),
      await lock(join(gitDir, 'config.lock'), 2 * hour),
      await lock(join(gitDir, 'worktrees', 'mine', 'index.lock'), 2 * hour),
      await lock(join(gitDir, 'refs', 'heads', 'feature.lock'), 2 * hour),
    ];
    const fresh = [
      await lock(join(gitDir, 'refs', 'heads', 'omk', 'g1', 's2.lock'), 1_000),
      await lock(join(gitDir, 'worktrees', 's1', 'HEAD.lock'), 1_000),
    ];
    expect(() => git(ws.path, 'add', '--all')).toThrow(/index\.lock/);

    const removed = await gitWorkspaces.recoverStaleLocks(repo.root, hour);
    expect(removed).toEqual(stale);
    for (const path of stale) expect(existsSync(path)).toBe(false);
    for (const path of [...users, ...fresh]) expect(existsSync(path)).toBe(true);
    expect(() => git(ws.path, 'add', '--all')).not.toThrow();
    expect(await gitWorkspaces.recoverStaleLocks(repo.root, hour)).toEqual([]);
  });

  it('measures age with the injected clock', async () => {
    const path = await lock(join(repo.root, '.git', 'refs', 'heads', 'omk', 'g1', 'base.lock'), 0);
    const later = createGitWorkspaces({ now: () => Date.now() + 10 * 60 * 1000 });
    expect(await gitWorkspaces.recoverStaleLocks(repo.root, 60_000)).toEqual([]);
    expect(await later.recoverStaleLocks(repo.root, 60_000)).toEqual([path]);
  });
});

describe('gitWorkspaces.clearLocks', () => {
  it("removes the locks an agent left in its workspace at once, and nothing of the user's", async () => {
    const ws = await gitWorkspaces.create({
      repoRoot: repo.root,
      goalId: 'g1',
      sliceId: 's1',
      baseSha: git(repo.root, 'rev-parse', 'HEAD'),
      workspaceRoot,
      sparsePaths: null,
    });
    const gitDir = join(repo.root, '.git');
    const left = [
      await lock(join(gitDir, 'worktrees', 's1', 'index.lock'), 0),
      await lock(join(gitDir, 'refs', 'heads', 'omk', 'g1', 's1.lock'), 0),
    ].sort();
    const users = [
      await lock(join(gitDir, 'index.lock'), 0),
      await lock(join(gitDir, 'refs', 'heads', 'omk', 'g1', 's2.lock'), 0),
    ];
    expect(() => git(ws.path, 'add', '--all')).toThrow(/index\.lock/);
    expect(await gitWorkspaces.clearLocks(ws)).toEqual(left);
    for (const path of users) expect(existsSync(path)).toBe(true);
    expect(() => git(ws.path, 'add', '--all')).not.toThrow();
    // The user's checkout is never taken for a workspace, even on an omk/ branch.
    const main = { ...ws, path: repo.root, branch: 'omk/g1/s1' };
    expect(await gitWorkspaces.clearLocks(main)).toEqual([]);
    expect(existsSync(join(gitDir, 'index.lock'))).toBe(true);
  });
});
