import type { ExecutionHost } from '../runtime/app/deps.js';
import { createGateVerifier } from '../runtime/gates/verify.js';
import { agentLauncher } from './agents/launcher.js';
import { gitGoalCleaner } from './git/goal-cleanup.js';
import { createGitWorkspaces } from './git/workspaces.js';
import { localIntegrity } from './integrity/local.js';
import { runProcess } from './process/run-process.js';
import { createWorkspacePreparer } from './workspace/preparer.js';

/**
 * Execution on this machine: git worktrees for slices, given the project's dependencies; agents and
 * gates as processes.
 */
export const localExecutionHost: ExecutionHost = {
  workspaces: (options) => createGitWorkspaces(options),
  agents: agentLauncher,
  cleaner: gitGoalCleaner,
  verify: createGateVerifier(runProcess),
  integrity: localIntegrity,
  preparer: createWorkspacePreparer(runProcess),
};
