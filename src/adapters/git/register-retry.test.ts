import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import type { CreateWorkspaceInput } from '../../runtime/workspace/port.js';
import { PERMANENT_FAILURES, RETRY_PAUSE_MS } from './register-retry.js';
import { gitFailureLine, runGit } from './run-git.js';
import { createGitWorkspaces } from './workspaces.js';

// The fault: `.git/worktrees` is a file, so `git worktree add` cannot make its directory there
// ("could not create leading directories"), while a clone of the repository still works.

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n', 'src/a.ts': 'a\n' });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

function input(sliceId: string): CreateWorkspaceInput {
  return { repoRoot: repo.root, goalId: 'g1', sliceId, baseSha, workspaceRoot, sparsePaths: null };
}

const blockWorktrees = () => writeFile(join(repo.root, '.git', 'worktrees'), 'in the way\n');
const unblockWorktrees = () => rm(join(repo.root, '.git', 'worktrees'));

describe('git worktree add failing', () => {
  it('once: tried again after a pause, and the slice gets a worktree, not a clone', async () => {
    await blockWorktrees();
    const pauses: number[] = [];
    const workspaces = createGitWorkspaces({
      // The fault clears while omk waits, as a lock another git process held would.
      pause: async (ms) => {
        pauses.push(ms);
        await unblockWorktrees();
      },
    });
    const ws = await workspaces.create(input('s1'));
    expect(pauses).toEqual([RETRY_PAUSE_MS]);
    expect(ws.mode).toBe('worktree');
    expect(ws.fallbackReason).toBeNull();
    expect(git(ws.path, 'symbolic-ref', '--short', 'HEAD')).toBe('omk/g1/s1');
    expect(git(ws.path, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(git(repo.root, 'worktree', 'list', '--porcelain')).toContain(`worktree ${ws.path}`);
  });

  it("every time: a branch checkout whose reason quotes git's first line and says it was tried twice", async () => {
    await blockWorktrees();
    const pauses: number[] = [];
    const workspaces = createGitWorkspaces({ pause: async (ms) => void pauses.push(ms) });
    const ws = await workspaces.create(input('s1'));
    expect(pauses).toEqual([RETRY_PAUSE_MS]);
    expect(ws.mode).toBe('branch-checkout');
    expect(ws.fallbackReason).toBe(
      `git worktree add failed twice, ${RETRY_PAUSE_MS} ms apart: fatal: could not create leading directories of '.git/worktrees/s1': Not a directory`,
    );
    expect(git(ws.path, 'symbolic-ref', '--short', 'HEAD')).toBe('omk/g1/s1');
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
  });

  it('a stale lock on the slice branch: tried twice, and the error names the lock as git does', async () => {
    await mkdir(join(repo.root, '.git', 'refs', 'heads', 'omk', 'g1'), { recursive: true });
    await writeFile(join(repo.root, '.git', 'refs', 'heads', 'omk', 'g1', 's1.lock'), '');
    const pauses: number[] = [];
    const workspaces = createGitWorkspaces({ pause: async (ms) => void pauses.push(ms) });
    // The clone needs the branch in the repository too, which the same lock refuses.
    const failed = await workspaces.create(input('s1')).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(GitError);
    expect((failed as GitError).hint).toMatch(
      /^A worktree was not possible either \(git worktree add failed twice, 250 ms apart: fatal: cannot lock ref 'refs\/heads\/omk\/g1\/s1'/,
    );
    expect(pauses).toEqual([RETRY_PAUSE_MS]);
  });
});

/** What git says, first line, when `args` fail in the repository. */
async function failure(...args: string[]): Promise<string> {
  try {
    await runGit(args, { cwd: repo.root });
  } catch (error) {
    return gitFailureLine(error);
  }
  throw new Error(`git ${args.join(' ')} did not fail`);
}

describe('PERMANENT_FAILURES, read from what this git says', () => {
  it('permanent: a path taken, a branch checked out elsewhere, an unknown reference', async () => {
    const taken = join(workspaceRoot, 'taken');
    await mkdir(taken);
    await writeFile(join(taken, 'f'), '');
    const branch = git(repo.root, 'symbolic-ref', '--short', 'HEAD');
    const lines = [
      await failure('worktree', 'add', '--no-checkout', '--', taken, branch),
      await failure('worktree', 'add', '--no-checkout', '--', join(workspaceRoot, 'w1'), branch),
      await failure('worktree', 'add', '--no-checkout', '--', join(workspaceRoot, 'w2'), 'no-such-branch'),
    ];
    for (const line of lines) expect(PERMANENT_FAILURES.test(line), line).toBe(true);
    // Newer git says "is already used by worktree at" for the second.
    expect(PERMANENT_FAILURES.test("fatal: 'main' is already used by worktree at '/x'")).toBe(true);
  });

  it('worth another attempt: a lock held, a directory git cannot make, a branch made by a failed add', async () => {
    await mkdir(join(repo.root, '.git', 'refs', 'heads', 'omk'), { recursive: true });
    await writeFile(join(repo.root, '.git', 'refs', 'heads', 'omk', 'x.lock'), '');
    const locked = await failure(
      'worktree',
      'add',
      '--no-checkout',
      '-b',
      'omk/x',
      '--',
      join(workspaceRoot, 'w1'),
      'HEAD',
    );
    expect(locked).toContain('.lock');
    await blockWorktrees();
    const blocked = await failure(
      'worktree',
      'add',
      '--no-checkout',
      '-b',
      'omk/y',
      '--',
      join(workspaceRoot, 'w2'),
      'HEAD',
    );
    await unblockWorktrees();
    const made = await failure(
      'worktree',
      'add',
      '--no-checkout',
      '-b',
      'omk/y',
      '--',
      join(workspaceRoot, 'w3'),
      'HEAD',
    );
    expect(made).toContain('already exists');
    for (const line of [locked, blocked, made]) expect(PERMANENT_FAILURES.test(line), line).toBe(false);
  });
});
