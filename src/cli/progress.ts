import type { GoalStore } from '../runtime/app/ports.js';
import type { CliIo } from './context.js';
import { type FollowMode, followGoal } from './follow.js';
import type { OutputFormat } from './options.js';
import type { ProgramContext } from './program.js';

/** How often a run's own progress is read and drawn. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * The progress of a run on stderr, as `omk goal watch` shows it: redrawn in place when stderr is a
 * terminal (and stdout is not JSON for a script, and not --quiet); with --verbose, one line per
 * event and the agents' output lines when stderr is not a terminal. Other stderr output (the
 * runtime's notes) is written above the live block through `io`.
 */
export class RunProgress {
  readonly io: CliIo;
  private readonly mode: FollowMode | null;
  private readonly stop = new AbortController();
  private following: Promise<unknown> | null = null;
  private log: ((text: string) => void) | null = null;

  constructor(
    private readonly context: ProgramContext,
    format: OutputFormat,
  ) {
    const { io } = context;
    const verbosity = context.verbosity();
    this.mode =
      verbosity === 'quiet' || format === 'json'
        ? null
        : io.stderrIsTTY === true
          ? 'live'
          : verbosity === 'verbose'
            ? 'lines'
            : null;
    this.io = { ...io, stderr: (text) => (this.log ?? io.stderr)(text) };
  }

  /** Starts following the goal (once its id is known); a failure to follow never fails the run. */
  start(store: GoalStore, goalId: string): void {
    if (this.mode === null || this.following !== null) return;
    const { io } = this.context;
    this.following = followGoal(store, goalId, {
      mode: this.mode,
      intervalMs: PROGRESS_INTERVAL_MS,
      verbose: this.context.verbosity() === 'verbose',
      write: io.stderr,
      columns: io.columns ?? 80,
      signal: this.stop.signal,
      untilSettled: false,
      onLive: (log) => {
        this.log = log;
      },
    }).catch((error: unknown) => {
      this.log = null;
      io.stderr(
        `omk: warning: progress stopped: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }

  /** Draws the last state once more and stops; stderr is plain again afterwards. */
  async end(): Promise<void> {
    this.stop.abort();
    await this.following;
    this.log = null;
  }

  /** Runs `fn` with this progress ended after it, whatever it does. */
  async around<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await this.end();
    }
  }
}
