import type { ExecutionHost } from '../runtime/app/deps.js';
import { verifyGates } from '../runtime/gates/verify.js';
import { createGitWorkspaces } from './git/workspaces.js';

/** Execution on this machine: slice worktrees made with the git CLI, gates run as processes. */
export const localExecutionHost: ExecutionHost = {
  workspaces: (options) => createGitWorkspaces(options),
  verify: verifyGates,
};
