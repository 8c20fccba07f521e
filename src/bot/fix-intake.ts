import type { Context } from 'probot';
import { repoRefOf } from '../adapters/bot/github.js';
import {
  type ChangeRequest,
  commentChangeRequest,
  obeysSender,
  reviewChangeRequest,
} from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import { executeJob } from './jobs.js';

/**
 * Reviews that ask for changes on a PR, inside the webhook request: filtered, remembered by the
 * review's or comment's id (a redelivery starts nothing twice) and queued. Whether the PR is an
 * omk PR and the reviewer may change it is decided by the job (it asks GitHub).
 */

/** `pull_request_review.submitted` with changes requested: its body is one change request. */
export function onChangesRequested(bot: Bot, context: Context<'pull_request_review.submitted'>): void {
  const { payload } = context;
  const { review, pull_request: pull } = payload;
  // The one rule both hosts use: changes requested with a body (a review without one asks
  // through its line comments, each delivered as its own event).
  const read = reviewChangeRequest({ ...review, author: review.user?.login ?? null });
  if (read.kind === 'skip' || !obeysSender(payload.sender, bot.deps.config.allowBots)) return;
  const { request } = read;
  queueFix(bot, context, { pr: pull.number, branch: pull.head.ref, author: payload.sender.login, request });
}

/** `pull_request_review_comment.created`: a comment on a line of the PR's diff. */
export function onReviewComment(bot: Bot, context: Context<'pull_request_review_comment.created'>): void {
  const { payload } = context;
  const { comment, pull_request: pull } = payload;
  // A new, non-empty line comment; a reply in a thread (the app's own answers too) is conversation.
  const read = commentChangeRequest({
    id: comment.id,
    body: comment.body,
    path: comment.path,
    line: comment.line ?? comment.original_line ?? null,
    author: comment.user?.login ?? null,
    inReplyTo: comment.in_reply_to_id ?? null,
  });
  if (read.kind === 'skip' || !obeysSender(payload.sender, bot.deps.config.allowBots)) return;
  const { request } = read;
  queueFix(bot, context, { pr: pull.number, branch: pull.head.ref, author: payload.sender.login, request });
}

function queueFix(
  bot: Bot,
  context: Context<'pull_request_review.submitted' | 'pull_request_review_comment.created'>,
  fix: { pr: number; branch: string; author: string; request: ChangeRequest },
): void {
  const { payload } = context;
  const repo = repoRefOf(payload.repository, payload.installation?.id);
  const key = `${repo.fullName}#${fix.request.id}`;
  const first = bot.seen.recordOnce(key, context.id);
  if (first !== null) {
    bot.deps.reporter.info(`delivery ${context.id}: ${key} was already accepted (delivery ${first})`);
    return;
  }
  const job: BotJob = {
    kind: 'fix',
    key,
    deliveryId: context.id,
    repo,
    pr: fix.pr,
    branch: fix.branch,
    author: fix.author,
    requests: [fix.request],
  };
  const outcome = bot.enqueue(job, (queued) => executeJob(bot, queued));
  if (outcome === 'full') {
    bot.seen.forget(key);
    bot.deps.reporter.warn(`queue full: ${key} dropped`);
  }
}
