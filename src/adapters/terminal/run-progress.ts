import type { GoalStore } from '../../runtime/app/ports.js';
import type { StepSpelling } from '../../runtime/app/render.js';
import { type FollowMode, followGoal } from './follow.js';

/** How often a run's own progress is read and drawn. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * A run's progress on a stream (the CLI's stderr), as `omk goal watch` shows a goal: `stderr` writes
 * other output (the runtime's notes) above the live block while it is drawn, and plainly otherwise.
 * A null mode shows nothing.
 */
export class TerminalProgress {
  private readonly stop = new AbortController();
  private following: Promise<unknown> | null = null;
  private log: ((text: string) => void) | null = null;

  constructor(
    private readonly mode: FollowMode | null,
    private readonly out: {
      write: (text: string) => void;
      columns: number;
      verbose: boolean;
      steps: StepSpelling;
      /** Told when following stops early (the run goes on). */
      warn: (message: string) => void;
    },
  ) {}

  readonly stderr = (text: string): void => (this.log ?? this.out.write)(text);

  /** Starts following the goal (once its id is known); a failure to follow never fails the run. */
  start(store: GoalStore, goalId: string): void {
    if (this.mode === null || this.following !== null) return;
    const { warn, ...out } = this.out;
    this.following = followGoal(store, goalId, {
      ...out,
      mode: this.mode,
      intervalMs: PROGRESS_INTERVAL_MS,
      signal: this.stop.signal,
      untilSettled: false,
      onLive: (log) => {
        this.log = log;
      },
    }).catch((error: unknown) => {
      this.log = null;
      warn(`progress stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Runs `fn`, then draws the last state once more and stops; the stream is plain again afterwards. */
  async around<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.stop.abort();
      await this.following;
      this.log = null;
    }
  }
}
