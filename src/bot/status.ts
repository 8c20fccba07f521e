import { goalView } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import type { Bot } from './bot.js';
import type { BotGitHub, RepoRef } from './github.js';
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
  const { goal, proof, origin } = await goalView(store, goalId);
  const body = renderStatusComment({
    goalId,
    phase,
    mode: bot.deps.config.mode,
    workflow: bot.deps.config.workflow,
    goal,
    proof,
    notes,
    startedBy: origin?.login ?? startedBy,
  });
  await bot.statuses.upsert(target.gh, target.repo, origin?.issue ?? target.issue, goalId, body);
}
