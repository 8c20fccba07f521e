import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { goalProgress, goalView } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import type { Bot } from './bot.js';
import { type Phase, renderStatusComment } from './render.js';

export interface StatusTarget {
  gh: BotGitHub;
  repo: RepoRef;
  /** The thread to show it in when the goal's origin is unknown. */
  issue: number;
}

/** Renders the goal's status comment from its state and writes it (created once, then edited). */
export async function publishStatus(
  bot: Bot,
  target: StatusTarget,
  goalId: string,
  store: GoalStore | null,
  phase: Phase,
  notes: readonly string[] = [],
  startedBy: string | null = null,
): Promise<void> {
  const [{ goal, proof, origin }, progress] = await Promise.all([
    goalView(store, goalId),
    goalProgress(store, goalId),
  ]);
  const body = renderStatusComment({
    goalId,
    phase,
    mode: bot.deps.config.mode,
    workflow: bot.deps.config.workflow,
    goal,
    proof,
    progress: goal === null ? null : progress,
    notes,
    startedBy: origin?.login ?? startedBy,
  });
  await bot.statuses.upsert(target.gh, target.repo, origin?.issue ?? target.issue, goalId, body);
}

/**
 * The events that move a run to its next phase, a slice's settling among them (done, failed,
 * skipped, or failed with attempts left: `task_pending`), a review fix asked or ended, and an agent
 * starting to wait out a rate limit; the others (leases, gate runs, spend)
 * do not, so a comment is not edited for every attempt an agent starts.
 */
const PHASE_EVENTS: ReadonlySet<string> = new Set([
  'plan_written',
  'task_done',
  'task_failed',
  'task_skipped',
  'task_pending',
  'integration_repair_started',
  'agent_rate_limited',
  'fix_requested',
  'fix_applied',
  'fix_failed',
  'integration_done',
  'integration_conflict',
  'pr_opened',
  'goal_merged',
  'budget_exhausted',
  'execution_interrupted',
  'execution_finished',
]);

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
    if (this.stopped || !types.some((type) => PHASE_EVENTS.has(type))) return;
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

/** Follows a run in this process by its events (reported through Bot.host) until stopped. */
export function followRun(
  bot: Bot,
  target: StatusTarget,
  goalId: string,
  store: GoalStore,
): { stop(): Promise<void> } {
  const live = new LiveStatus({
    publish: () => publishStatus(bot, target, goalId, store, 'running'),
    nowMs: () => bot.deps.clock.nowMs(),
    warn: (message) => bot.deps.reporter.warn(`goal ${goalId}: ${message}`),
  });
  const follower = (types: readonly string[]) => live.onEvents(types);
  bot.followers.set(goalId, follower);
  return {
    stop: async () => {
      if (bot.followers.get(goalId) === follower) bot.followers.delete(goalId);
      await live.stop();
    },
  };
}
