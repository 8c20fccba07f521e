import { join } from 'node:path';

// The directories of a state root that a job's cleanup (the Action's post step) looks in: a module
// of their own, so the post step's bundle holds these and not every goal path (its 32 KiB budget,
// test/action/startup.test.ts). paths.ts re-exports them.

/** Slice worktrees live outside the repository and outside the goal directory. */
export function workspacesDir(stateRoot: string): string {
  return join(stateRoot, 'worktrees');
}

/** The goal directories. */
export function goalsDir(stateRoot: string): string {
  return join(stateRoot, 'goals');
}

/** Where omk keeps what no agent may read (a stashed credential): hidden from confined runs, never pushed. */
export function privateStateDir(stateRoot: string): string {
  return join(stateRoot, 'private');
}
