import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import { gitWorkspaces } from './workspaces.js';

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

describe('gitWorkspaces.remove', () => {
  it('removes the worktree and its metadata but keeps the branch and its commit', async () => {
    const baseSha = git(repo.root, 'rev-parse', 'HEAD');
    const ws = await gitWorkspaces.create({
      repoRoot: repo.root,
      goalId: 'g1',
      sliceId: 's1',
      baseSha,
      workspaceRoot,
      sparsePaths: ['src'],
    });
    await writeFile(join(ws.path, 'work.txt'), 'work\n');
    const { headSha } = await gitWorkspaces.capture(ws, 'work');
    await writeFile(join(ws.path, 'scratch.txt'), 'uncommitted\n');

    await gitWorkspaces.remove(repo.root, ws);
    expect(existsSync(ws.path)).toBe(false);
    expect(git(repo.root, 'worktree', 'list', '--porcelain')).not.toContain(ws.path);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(headSha);
    expect(git(repo.root, 'show', 'omk/g1/s1:work.txt')).toBe('work');

    await gitWorkspaces.remove(repo.root, ws);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(headSha);
  });

  it('prunes metadata of a worktree whose directory was deleted by hand', async () => {
    const baseSha = git(repo.root, 'rev-parse', 'HEAD');
    const input = {
      repoRoot: repo.root,
      goalId: 'g1',
      sliceId: 's1',
      baseSha,
      workspaceRoot,
      sparsePaths: null,
    };
    const ws = await gitWorkspaces.create(input);
    await rm(ws.path, { recursive: true, force: true });
    await gitWorkspaces.remove(repo.root, ws);
    expect(git(repo.root, 'worktree', 'list', '--porcelain')).not.toContain(ws.path);
    // And the branch can be checked out again afterwards.
    expect((await gitWorkspaces.create(input)).mode).toBe('worktree');
  });

  it('refuses branches that are not omk workspaces', async () => {
    const ws = {
      sliceId: 's1',
      path: repo.root,
      branch: 'main',
      baseSha: 'a'.repeat(40),
      mode: 'worktree' as const,
    };
    await expect(gitWorkspaces.remove(repo.root, { ...ws, fallbackReason: null })).rejects.toBeInstanceOf(
      GitError,
    );
    expect(existsSync(join(repo.root, 'README.md'))).toBe(true);
  });
});
