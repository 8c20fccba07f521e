import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import type { Phase } from '../adapters/bot/status-comments.js';
import { type ThreadNote, threadStatusComment } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import type { Bot } from './bot.js';
import { BOT_WORDS } from './wording.js';

export interface StatusTarget {
  gh: BotGitHub;
  repo: RepoRef;
  /** The thread to show it in when the goal's origin is unknown (null: none, nothing is shown then). */
  issue: number | null;
}

/** Writes the goal's status comment as it stands (`threadStatusComment`): created once, then edited. */
export async function publishStatus(
  bot: Bot,
  target: StatusTarget,
  goalId: string,
  store: GoalStore | null,
  phase: Phase,
  notes: readonly ThreadNote[] = [],
  startedBy: string | null = null,
): Promise<void> {
  const { mode, workflow } = bot.deps.config;
  const ask = { goalId, phase, mode, workflow, notes, issue: target.issue, startedBy };
  const shown = await threadStatusComment(store, ask, BOT_WORDS);
  if (shown.issue !== null)
    await bot.statuses.upsert(target.gh, target.repo, shown.issue, goalId, shown.body);
}
