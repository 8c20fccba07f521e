import type { ExecutionHost } from '../runtime/app/deps.js';
import { ConfigError } from '../runtime/errors.js';
import { createGateVerifier } from '../runtime/gates/verify.js';
import type { ProcessRunner } from '../runtime/ports.js';
import { agentLauncherWith } from './agents/launcher.js';
import { createToolchainProbes } from './doctor/toolchain-probes.js';
import { dateTrackedNow } from './git/date-tracked.js';
import { gitGoalCleaner } from './git/goal-cleanup.js';
import { persistedCredentialGuard } from './git/persisted-credentials.js';
import { worktreeStamps } from './git/prepared-files.js';
import { treeFacts, worktreeChanges } from './git/tree-facts.js';
import { createGitWorkspaces } from './git/workspaces.js';
import { createLocalIntegrity } from './integrity/local.js';
import { DEFAULT_LOG_MAX_BYTES } from './process/bounded-log.js';
import { withOwnHome } from './process/gate-home.js';
import { createRunMarks } from './process/run-marks.js';
import { runProcess } from './process/run-process.js';
import { hostSubreaper } from './process/subreaper.js';
import { createBubblewrap } from './sandbox/bubblewrap.js';
import { copyCacheDir } from './workspace/cache-copy.js';
import { createWorkspacePreparer } from './workspace/preparer.js';

export interface ExecutionHostOptions {
  /** The most an agent transcript, gate log or prepare log keeps of one run's output (head and tail). */
  logMaxBytes?: number;
  /**
   * The host's environment, given to confine agents and gates with bubblewrap (its PATH finds
   * bwrap; its HOME and RUNNER_TEMP say what to hide). Absent: this host cannot confine.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Execution on this machine: git worktrees for slices, given the project's dependencies; agents and
 * gates as processes, whose logs keep at most `logMaxBytes` of each run's output, confined by
 * bubblewrap when the run asks for it (a spec's `confine`).
 */
export function createExecutionHost(options: ExecutionHostOptions = {}): ExecutionHost {
  const { logMaxBytes } = options;
  const bounded: ProcessRunner =
    logMaxBytes === undefined ? runProcess : (spec) => runProcess({ logMaxBytes, ...spec });
  const sandbox = options.env === undefined ? undefined : createBubblewrap({ env: options.env });
  // Every agent, gate and install carries a mark of its run, so what it leaves is found anywhere.
  const marks = createRunMarks();
  const run = marks.runner(sandbox === undefined ? bounded : sandbox.runner(bounded));
  return {
    workspaces: (workspaceOptions) => ({
      ...createGitWorkspaces(workspaceOptions),
      treeFacts,
      worktreeChanges,
      worktreeStamps,
      dateTrackedNow,
    }),
    agents: agentLauncherWith({ run }),
    cleaner: gitGoalCleaner,
    // Gates run the agent's code: each with a HOME of its own unless `gates.home: user`.
    verify: createGateVerifier(withOwnHome(run)),
    integrity: createLocalIntegrity(marks),
    // Installs and setup commands run the repository's code: confined as gates are, when asked.
    preparer: createWorkspacePreparer(run),
    copyCache: copyCacheDir,
    ...(sandbox === undefined ? {} : { sandbox }),
    subreaper: async () => {
      const found = await hostSubreaper();
      return found.available ? { available: true, tool: found.tool } : found;
    },
    credentials: persistedCredentialGuard,
    toolchain: createToolchainProbes,
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
