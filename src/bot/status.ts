import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { LiveStatus } from '../adapters/bot/live-status.js';
import type { Phase } from '../adapters/bot/status-comments.js';
import { goalProgress, goalView, statusThread, type ThreadNote } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import { renderStatusComment, threadNoteLines } from '../runtime/app/render.js';
import type { Bot } from './bot.js';
import { BOT_STEPS, BOT_WORDS } from './wording.js';

export interface StatusTarget {
  gh: BotGitHub;
  repo: RepoRef;
  /** The thread to show it in when the goal's origin is unknown (null: none, nothing is shown then). */
  issue: number | null;
}

/** Renders the goal's status comment from its state and writes it (created once, then edited). */
export async function publishStatus(
  bot: Bot,
  target: StatusTarget,
  goalId: string,
  store: GoalStore | null,
  phase: Phase,
  notes: readonly ThreadNote[] = [],
  startedBy: string | null = null,
): Promise<void> {
  const [{ goal, proof, origin }, progress] = await Promise.all([
    goalView(store, goalId),
    goalProgress(store, goalId),
  ]);
  const place = statusThread(origin, { issue: target.issue, startedBy });
  const body = renderStatusComment(
    {
      goalId,
      phase,
      mode: bot.deps.config.mode,
      workflow: bot.deps.config.workflow,
      goal,
      proof,
      progress: goal === null ? null : progress,
      notes: threadNoteLines(notes, BOT_WORDS),
      startedBy: place.startedBy,
    },
    BOT_STEPS,
  );
  if (place.issue !== null) await bot.statuses.upsert(target.gh, target.repo, place.issue, goalId, body);
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
