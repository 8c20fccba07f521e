import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { type RepoStartRequest, repoStartOnThread } from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { threadHost, threadRepo } from './compose.js';
import { busyReply } from './replies.js';
import { BOT_WORDS } from './wording.js';

/**
 * `/omk goal run` (`repoStartOnThread`): planned here and dispatched to the omk workflow in actions
 * mode, queued on the run lane in local mode; a full queue is answered "busy".
 */
export async function startGoal(
  bot: Bot,
  gh: BotGitHub,
  where: { repo: RepoRef; issue: number; author: string },
  request: RepoStartRequest,
): Promise<void> {
  const { repo, issue } = where;
  const started = await repoStartOnThread(
    threadHost(bot, { gh, repo, issue }),
    request,
    threadRepo(bot, gh, repo),
    BOT_WORDS,
  );
  if (started === 'busy') await gh.createComment(repo, issue, busyReply(where.author));
}
