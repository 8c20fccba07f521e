import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { checkMergeOnThread, type MergeMethod } from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { threadHost } from './compose.js';

/** Re-evaluates a goal's gated merge after a check, a status or a review changed (`checkMergeOnThread`). */
export async function checkMerge(
  bot: Bot,
  gh: BotGitHub,
  repo: RepoRef,
  goalId: string,
  setting: MergeMethod | null = null,
): Promise<void> {
  // The thread comes from the goal's origin; a goal without one is shown nowhere.
  const check = await checkMergeOnThread(threadHost(bot, { gh, repo, issue: null }), {
    goalId,
    method: () => bot.mergeMethod(gh, repo, setting),
  });
  if (check.kind === 'not_evaluated')
    bot.deps.reporter.info(`merge of ${goalId} not attempted (${check.why}): ${check.detail}`);
}
