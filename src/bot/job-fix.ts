import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  type ChangeRequest,
  fixAnswer,
  fixOnThread,
  fixTarget,
  isOmkError,
  type RepoSettings,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { answer, threadHost } from './compose.js';
import { busyReply, errorReply, fixRefusalReply } from './replies.js';
import { BOT_WORDS } from './wording.js';

/** Changes asked on one omk PR, by a review, a review comment or `/omk goal fix`. */
export interface FixJob {
  repo: RepoRef;
  pr: number;
  /** The PR's head branch (omk/<goal-id>/<slice-id>); null: read from the PR. */
  branch: string | null;
  author: string;
  requests: ChangeRequest[];
  /** The repository's `.github/omk.yml` once the job read it (its agent runs the fix). */
  settings?: RepoSettings;
}

/**
 * The review/fix loop's front door (the author's access was checked): the PR must be an omk PR
 * (its goal comes from its branch), then in local mode the fix runs in this process on a fresh
 * checkout with the goal's branches, under the goal's mutex (a redelivery waits, then finds its
 * requests handled). In actions mode the repository's `pull_request_review` workflow runs it.
 */
export async function fixJob(bot: Bot, gh: BotGitHub, job: FixJob): Promise<void> {
  const say = (body: string) => gh.createComment(job.repo, job.pr, body);
  const target = fixTarget({
    branch: job.branch ?? (await gh.pullHead(job.repo, job.pr)),
    fixesHere: bot.deps.config.mode === 'local',
    running: (goalId) => bot.active.has(goalId),
  });
  if (target.kind !== 'start') {
    await say(fixRefusalReply(job.author, job.pr, target));
    return;
  }
  const { goalId } = target;
  const push = (key: string, run: () => Promise<void>) =>
    bot.runs.push(key, run) === 'full' ? 'full' : 'queued';
  const failed = async (error: unknown) => {
    await say(errorReply(job.author, error));
    if (!isOmkError(error)) throw error;
  };
  const fix = (take: () => ChangeRequest[]) => fixHere(bot, gh, job, goalId, take);
  const queued = bot.fixBatches.queue(`${job.repo.fullName}#${job.pr}`, job.requests, push, fix, failed);
  if (queued === 'full') await say(busyReply(job.author));
}

async function fixHere(
  bot: Bot,
  gh: BotGitHub,
  job: FixJob,
  goalId: string,
  take: () => ChangeRequest[],
): Promise<void> {
  const { repo, pr } = job;
  const target = { gh, repo, issue: pr };
  const fix = await fixOnThread(threadHost(bot, target), {
    goalId,
    pr,
    take,
    agent: job.settings?.agent,
    replies: gh.reviewReplies(repo),
    fallbackBase: repo.defaultBranch,
  });
  await answer(bot, target, job.author, fixAnswer(fix, goalId, pr, BOT_WORDS));
}
