import type { SliceWorkspace } from '../../runtime/workspace/port.js';
import { gitFailureLine } from './run-git.js';
import { type AddWorktreeInput, branchExists, registerWorktree } from './worktree.js';

// `git worktree add` can fail once for a reason that is gone a moment later (a lock another git
// process holds, a directory being made or removed meanwhile). Falling back to a branch checkout
// for that costs the slice a whole clone, silently, so the registration is tried once more first.

/** How long the second attempt waits. */
export const RETRY_PAUSE_MS = 250;

/**
 * What git says when another attempt cannot help: no `worktree` command at all, a base it does
 * not know, a path or branch already taken (the caller has looked for omk's own there first).
 * Git's wording, kept here with its test (register-retry.test.ts).
 */
export const PERMANENT_FAILURES =
  /is not a git command|invalid reference|not a valid (?:object name|commit)|already checked out|already used by worktree|^fatal: '[^']*' already exists$/;

export type Registered =
  | { kind: 'registered'; workspace: SliceWorkspace }
  | { kind: 'fallback'; reason: string };

/**
 * Registers the worktree, once more after `pause` when the first attempt failed for a reason not
 * known to be permanent; the fallback's reason quotes git's first line of the last failure. The
 * branch is made only when it is missing at each attempt (a failed `add -b` can leave it made).
 */
export async function registerWithRetry(
  input: Omit<AddWorktreeInput, 'createBranch'>,
  pause: (ms: number) => Promise<void>,
): Promise<Registered> {
  const attempt = async (): Promise<Registered> => {
    const createBranch = !(await branchExists(input.repoRoot, input.branch));
    return { kind: 'registered', workspace: await registerWorktree({ ...input, createBranch }) };
  };
  let first: string;
  try {
    return await attempt();
  } catch (error) {
    first = gitFailureLine(error);
  }
  if (PERMANENT_FAILURES.test(first))
    return { kind: 'fallback', reason: `git worktree add failed: ${first}` };
  await pause(RETRY_PAUSE_MS);
  try {
    return await attempt();
  } catch (error) {
    return {
      kind: 'fallback',
      reason: `git worktree add failed twice, ${RETRY_PAUSE_MS} ms apart: ${gitFailureLine(error)}`,
    };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
