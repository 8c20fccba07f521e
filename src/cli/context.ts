import { chooseForge, FORGE_CHOICES } from '../adapters/forge-choice.js';
import { hostAppDeps } from '../adapters/host-app-deps.js';
import { processHost } from '../adapters/process/host.js';
import { localGoalStore } from '../adapters/state/local-store.js';
import type { AppDeps } from '../runtime/app/index.js';
import { type Reporter, resolveStateRoot } from '../runtime/app/ports.js';
import { CLI_WORDS } from './wording.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Whether stdout / stderr is a terminal (a live view is redrawn in place only there). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** The terminal's width, so a redrawn line never wraps. */
  columns?: number;
  /** --quiet (only the result), --verbose (agent and gate output too); default normal. */
  verbosity?: () => Verbosity;
}

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/**
 * Composes the use cases' dependencies for a terminal: the local state root, this process (its
 * pid and host, for locks and controller records), the git CLI, the heuristic planner, worktrees
 * on this machine, and the forge `--forge` names (made on first use).
 */
export function composeRuntime(
  io: CliIo,
  stateDir: string | undefined,
  options: { forge?: string } = {},
): AppDeps {
  const reporter: Reporter = {
    info: (message) => {
      if (io.verbosity?.() !== 'quiet') io.stderr(`omk: ${message}\n`);
    },
    warn: (message) => io.stderr(`omk: warning: ${message}\n`),
  };
  const stateRoot = stateDir ?? resolveStateRoot(io.env);
  return hostAppDeps({
    store: localGoalStore({ stateRoot, host: processHost(), reporter, env: io.env }),
    reporter,
    env: io.env,
    words: CLI_WORDS,
    forge: (goal) =>
      chooseForge({
        choice: FORGE_CHOICES.find((choice) => choice === options.forge) ?? 'auto',
        repoRoot: goal.repo.root,
        stateRoot,
        env: io.env,
      }),
  });
}
