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

/** The value computed once for this key (a failure is forgotten, so the next call tries again). */
export type Memo = <T>(key: string, compute: () => Promise<T>) => Promise<T>;

/** A Memo holding at most `limit` keys (a long-running bot sees many temporary clones). */
export function createMemo(limit = 1_000): Memo {
  const values = new Map<string, Promise<unknown>>();
  return <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const known = values.get(key) as Promise<T> | undefined;
    if (known) return known;
    if (values.size >= limit) values.clear();
    const value = compute();
    values.set(key, value);
    value.catch(() => {
      if (values.get(key) === value) values.delete(key);
    });
    return value;
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
}

/**
 * Registers a worktree on the slice branch, writing no files yet, so a sparse worktree never holds
 * files outside its cone (see configureSparse). Cheap; callers keep it from overlapping with
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
  return { sliceId: input.sliceId, path, branch, baseSha, mode: 'worktree', fallbackReason: null };
}

/**
 * Sets the sparse cone of a registered, not yet populated worktree (or makes sure it is full when
 * sparseDirs is null). A cone git refuses falls back to a full worktree, with the reason. Touches
 * only this worktree's files and config, so it needs no registration lock.
 */
export async function configureSparse(
  workspace: SliceWorkspace,
  sparseDirs: readonly string[] | null,
  /** Whether the worktree git copied the new one's settings from is sparse (false: skip the check). */
  inheritsSparse: () => Promise<boolean>,
): Promise<SliceWorkspace> {
  const { path } = workspace;
  if (sparseDirs) {
    try {
      await setSparse(path, sparseDirs);
      return { ...workspace, mode: 'sparse-worktree', fallbackReason: null };
    } catch (error) {
      await runGit(['sparse-checkout', 'disable'], { cwd: path, okExitCodes: [0, 1, 128] });
      return {
        ...workspace,
        mode: 'worktree',
        fallbackReason: `sparse checkout failed, using a full worktree: ${errorMessage(error)}`,
      };
    }
  }
  // Newer git copies the sparse cone of the worktree it runs in; a full checkout was asked for.
  if ((await inheritsSparse()) && (await isSparse(path))) {
    await runGit(['sparse-checkout', 'disable'], { cwd: path });
  }
  return { ...workspace, mode: 'worktree', fallbackReason: null };
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
