import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  type CreateGoalRequest,
  type RepoSettings,
  startOnThread,
  type ThreadRunOptions,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { threadHost } from './compose.js';
import { busyReply } from './replies.js';

export interface RunJob {
  repo: RepoRef;
  issue: number;
  commentId: number;
  author: string;
  request: CreateGoalRequest;
  /** The repository's `.github/omk.yml`, read when the command was taken. */
  settings: RepoSettings;
}

/** How the bot runs a goal in `repo` by the repository's settings: their agent and merge method. */
export function runOptions(bot: Bot, gh: BotGitHub, repo: RepoRef, settings: RepoSettings): ThreadRunOptions {
  return {
    agent: settings.agent,
    method: () => bot.mergeMethod(gh, repo, settings.mergeMethod),
    fallbackBase: repo.defaultBranch,
    replies: gh.reviewReplies(repo),
  };
}

/**
 * `/omk goal run` (`startOnThread`): planned here and dispatched to the omk workflow in actions
 * mode, queued on the run lane in local mode; a full queue is answered "busy".
 */
export async function startGoal(bot: Bot, gh: BotGitHub, job: RunJob): Promise<void> {
  const started = await startOnThread(threadHost(bot, { gh, repo: job.repo, issue: job.issue }), {
    ...runOptions(bot, gh, job.repo, job.settings),
    create: job.request,
    origin: { repo: job.repo.fullName, issue: job.issue, commentId: job.commentId, login: job.author },
  });
  if (started === 'busy') await gh.createComment(job.repo, job.issue, busyReply(job.author));
}
