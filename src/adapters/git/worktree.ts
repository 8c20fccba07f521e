import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { SliceWorkspace } from '../../runtime/workspace/port.js';
import { runGit } from './run-git.js';

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Full ref (refs/heads/...) or null when detached or bare. */
  branch: string | null;
  /** Git says its directory is gone; only metadata is left. */
  prunable: boolean;
}

/** Writing a large repository's files can take minutes on a slow disk; git's default bound is 2. */
export const CHECKOUT_TIMEOUT_MS = 15 * 60_000;

/** Runs tasks with the same key one after another (in this process), others freely. */
export type Serialize = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createSerializer(): Serialize {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/** The real path, or for a path that does not exist yet, its nearest existing parent's real path. */
export async function canonicalPath(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(await canonicalPath(parent), basename(absolute));
  }
}

export async function pathKind(path: string): Promise<'missing' | 'empty-dir' | 'dir' | 'other'> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return 'other';
    return (await readdir(path)).length === 0 ? 'empty-dir' : 'dir';
  } catch {
    return 'missing';
  }
}

export async function listWorktrees(repoRoot: string): Promise<WorktreeEntry[]> {
  const stdout = await retrying(async () => {
    // Another process adding a worktree can make the listing fail for a moment; it is read-only.
    return (await runGit(['worktree', 'list', '--porcelain'], { cwd: repoRoot })).stdout;
  });
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), head: null, branch: null, prunable: false };
      entries.push(current);
    } else if (current && line.startsWith('HEAD ')) {
      current.head = line.slice('HEAD '.length);
    } else if (current && line.startsWith('branch ')) {
      current.branch = line.slice('branch '.length);
    } else if (current && (line === 'prunable' || line.startsWith('prunable '))) {
      current.prunable = true;
    }
  }
  for (const entry of entries) entry.path = await canonicalPath(entry.path);
  return entries;
}

export async function branchExists(repoRoot: string, branch: string): Promise<boolean> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  return result.exitCode === 0;
}

export async function isSparse(worktreePath: string): Promise<boolean> {
  const result = await runGit(['config', '--get', '--bool', 'core.sparseCheckout'], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
  });
  return result.stdout.trim() === 'true';
}

export interface AddWorktreeInput {
  repoRoot: string;
  sliceId: string;
  branch: string;
  baseSha: string;
  path: string;
  /** Create the branch at baseSha (false: it exists and is checked out as it is). */
  createBranch: boolean;
  sparseDirs: readonly string[] | null;
}

/**
 * Registers a worktree on the slice branch and sets its sparse cone, writing no files yet, so a
 * sparse worktree never holds files outside its cone. Cheap; callers keep it from overlapping with
 * another registration in the same repository (git briefly exposes a half-written worktree that
 * makes a concurrent `worktree add` or `worktree list` fail).
 */
export async function registerWorktree(input: AddWorktreeInput): Promise<SliceWorkspace> {
  const { repoRoot, branch, baseSha, path } = input;
  await mkdir(dirname(path), { recursive: true });
  // --no-track: a tracking branch writes the shared config, and parallel adds then fail on its lock.
  const branchArgs = input.createBranch ? ['--no-track', '-b', branch] : [];
  const target = input.createBranch ? baseSha : branch;
  await runGit(['worktree', 'add', '--quiet', '--no-checkout', ...branchArgs, '--', path, target], {
    cwd: repoRoot,
  });
  let fallbackReason: string | null = null;
  let sparse = false;
  try {
    if (input.sparseDirs) {
      try {
        await setSparse(path, input.sparseDirs);
        sparse = true;
      } catch (error) {
        fallbackReason = `sparse checkout failed, using a full worktree: ${errorMessage(error)}`;
        await runGit(['sparse-checkout', 'disable'], { cwd: path, okExitCodes: [0, 1, 128] });
      }
    } else if (await isSparse(path)) {
      // Newer git copies the sparse cone of the worktree it runs in; a full checkout was asked for.
      await runGit(['sparse-checkout', 'disable'], { cwd: path });
    }
  } catch (error) {
    await discardWorktree(repoRoot, path);
    throw error;
  }
  const mode = sparse ? 'sparse-worktree' : 'worktree';
  return { sliceId: input.sliceId, path, branch, baseSha, mode, fallbackReason };
}

/** Writes the registered worktree's files (only the cone's, when sparse). Safe to run in parallel. */
export async function populateWorktree(workspace: SliceWorkspace): Promise<void> {
  // --ignore-other-worktrees: we just registered this worktree for the branch, and the check would
  // read other worktrees that a parallel registration may have half written. The trailing `--`
  // makes git read the branch as a branch even if a file has the same name.
  await runGit(['checkout', '--quiet', '--ignore-other-worktrees', workspace.branch, '--'], {
    cwd: workspace.path,
    timeoutMs: CHECKOUT_TIMEOUT_MS,
  });
}

/** Drops a worktree this run just registered (its branch stays, so a fallback can build on it). */
export async function discardWorktree(repoRoot: string, path: string): Promise<void> {
  await runGit(['worktree', 'remove', '--force', '--', path], { cwd: repoRoot, okExitCodes: [0, 128] });
}

async function setSparse(path: string, dirs: readonly string[]): Promise<void> {
  // The first sparse worktree turns on extensions.worktreeConfig in the shared config; another
  // process doing the same at that moment holds config.lock, so retry briefly. Setting is idempotent.
  await retrying(() => runGit(['sparse-checkout', 'set', '--cone', '--', ...dirs], { cwd: path }));
}

async function retrying<T>(task: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((done) => setTimeout(done, 50 * attempt));
    }
  }
}

/** Removes a registered worktree (never its branch); an absent one is fine. Then prunes metadata. */
export async function removeWorktree(repoRoot: string, workspace: SliceWorkspace): Promise<void> {
  const wanted = await canonicalPath(workspace.path);
  const entry = (await listWorktrees(repoRoot)).find((candidate) => candidate.path === wanted);
  if (entry && !entry.prunable) {
    if (entry.branch !== `refs/heads/${workspace.branch}`) {
      throw new GitError(
        `Refusing to remove ${workspace.path}: it is on ${entry.branch ?? 'a detached HEAD'}, not ${workspace.branch}.`,
        { hint: 'Someone else uses that directory; remove it yourself if it is no longer needed.' },
      );
    }
    await runGit(['worktree', 'remove', '--force', '--', workspace.path], { cwd: repoRoot });
  }
  await runGit(['worktree', 'prune'], { cwd: repoRoot });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
