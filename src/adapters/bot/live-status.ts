import { movesRunPhase } from '../../runtime/app/index.js';

/** Updates closer together than this are coalesced into one edit of the comment. */
export const STATUS_MIN_GAP_MS = 1000;

export interface LiveStatusDeps {
  /** Writes the comment as the run stands now. */
  publish: () => Promise<void>;
  nowMs: () => number;
  warn: (message: string) => void;
  gapMs?: number;
}

/**
 * Edits a run's status comment at each phase, as its events arrive. Phases that arrive closer than
 * `gapMs` are coalesced: one edit shows them all, so a burst (slices done together, the PRs
 * opened) costs one API call. A failed edit is logged and never stops the run.
 */
export class LiveStatus {
  private timer: NodeJS.Timeout | null = null;
  private publishing: Promise<void> | null = null;
  private dirty = false;
  private stopped = false;
  private lastMs = Number.NEGATIVE_INFINITY;
  private readonly gapMs: number;

  constructor(private readonly deps: LiveStatusDeps) {
    this.gapMs = deps.gapMs ?? STATUS_MIN_GAP_MS;
  }

  /** Event types just appended to the goal's log. */
  onEvents(types: readonly string[]): void {
    if (this.stopped || !movesRunPhase(types)) return;
    this.dirty = true;
    this.arm();
  }

  private arm(): void {
    if (this.stopped || !this.dirty || this.timer !== null || this.publishing !== null) return;
    const wait = Math.max(0, this.lastMs + this.gapMs - this.deps.nowMs());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dirty = false;
      this.publishing = this.deps
        .publish()
        .catch((error: unknown) => {
          this.deps.warn(
            `status comment not updated: ${error instanceof Error ? error.message : String(error)}`,
          );
        })
        .finally(() => {
          this.lastMs = this.deps.nowMs();
          this.publishing = null;
          this.arm();
        });
    }, wait);
  }

  /**
   * Stops following. Resolves once an edit in flight has landed and `gapMs` has passed since the
   * last one, so the caller's final edit is spaced like the others.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.publishing;
    const wait = this.lastMs + this.gapMs - this.deps.nowMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
