import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { type ChangeRequest, fixJobOnThread, type RepoSettings } from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { answer, threadHost } from './compose.js';
import { busyReply, errorReply } from './replies.js';
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
 * The review/fix loop's front door (`fixJobOnThread`; the author's access was checked). In local
 * mode the fix runs in this process; in actions mode the repository's `pull_request_review`
 * workflow runs it, and the refusal says so.
 */
export async function fixJob(bot: Bot, gh: BotGitHub, job: FixJob): Promise<void> {
  const { repo, pr, author } = job;
  const target = { gh, repo, issue: pr };
  const request = {
    key: `${repo.fullName}#${pr}`,
    pr,
    branch: job.branch ?? (await gh.pullHead(repo, pr)),
    requests: job.requests,
    agent: job.settings?.agent,
    replies: gh.reviewReplies(repo),
    fallbackBase: repo.defaultBranch,
  };
  const queued = fixJobOnThread(
    threadHost(bot, target),
    bot.fixBatches,
    request,
    {
      answer: (said) => answer(bot, target, author, said),
      failed: (error) => gh.createComment(repo, pr, errorReply(author, error)),
    },
    BOT_WORDS,
  );
  if (queued.kind === 'refused') await answer(bot, target, author, { kind: 'lines', lines: queued.lines });
  if (queued.kind === 'full') await gh.createComment(repo, pr, busyReply(author));
}
