import type { ExecutionHost } from '../runtime/app/deps.js';
import { ConfigError } from '../runtime/errors.js';
import { createGateVerifier } from '../runtime/gates/verify.js';
import type { ProcessRunner } from '../runtime/ports.js';
import { agentLauncher, agentLauncherWith } from './agents/launcher.js';
import { gitGoalCleaner } from './git/goal-cleanup.js';
import { persistedCredentialGuard } from './git/persisted-credentials.js';
import { createGitWorkspaces } from './git/workspaces.js';
import { localIntegrity } from './integrity/local.js';
import { DEFAULT_LOG_MAX_BYTES } from './process/bounded-log.js';
import { runProcess } from './process/run-process.js';
import { createWorkspacePreparer } from './workspace/preparer.js';

export interface ExecutionHostOptions {
  /** The most an agent transcript, gate log or prepare log keeps of one run's output (head and tail). */
  logMaxBytes?: number;
}

/**
 * Execution on this machine: git worktrees for slices, given the project's dependencies; agents and
 * gates as processes, whose logs keep at most `logMaxBytes` of each run's output.
 */
export function createExecutionHost(options: ExecutionHostOptions = {}): ExecutionHost {
  const { logMaxBytes } = options;
  const run: ProcessRunner =
    logMaxBytes === undefined ? runProcess : (spec) => runProcess({ logMaxBytes, ...spec });
  return {
    workspaces: (workspaceOptions) => createGitWorkspaces(workspaceOptions),
    agents: logMaxBytes === undefined ? agentLauncher : agentLauncherWith({ logMaxBytes }),
    cleaner: gitGoalCleaner,
    verify: createGateVerifier(run),
    integrity: localIntegrity,
    preparer: createWorkspacePreparer(run),
    credentials: persistedCredentialGuard,
  };
}

export const localExecutionHost: ExecutionHost = createExecutionHost();

/**
 * OMK_LOG_MAX_BYTES: the log limit a front door composes its execution host with (unset: the
 * default, 8 MiB). Anything but a whole number of at least 1024 is refused.
 */
export function logMaxBytesFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.OMK_LOG_MAX_BYTES;
  if (raw === undefined || raw === '') return undefined;
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1024) {
    throw new ConfigError(
      `OMK_LOG_MAX_BYTES must be a whole number of bytes, at least 1024 (got ${JSON.stringify(raw.slice(0, 40))}).`,
      {
        hint: `Set it to e.g. ${DEFAULT_LOG_MAX_BYTES} (8 MiB, the default), or unset it.`,
      },
    );
  }
  return value;
}
