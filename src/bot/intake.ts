import type { Context } from 'probot';
import { createBotGitHub, repoRefOf } from '../adapters/bot/github.js';
import { reviewCommentMade } from '../adapters/github/review-comments.js';
import {
  commandFingerprint,
  commentChangeRequest,
  integratorGoals,
  obeysSender,
  reviewChangeRequest,
  threadIdSuffix,
} from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import { parseCommandLine } from './command.js';
import { findCommand } from './find-command.js';
import { busyReply } from './replies.js';
import { executeJob } from './runner.js';

/**
 * What happens inside the webhook request, and nothing more: the signature was verified by the
 * middleware; here the event is filtered, a comment parsed (pure), the job remembered by its key
 * (a redelivery starts nothing twice), a comment acknowledged with 👀 (sent, its answer not
 * awaited) and the job queued. The 2xx goes back as soon as that is done; the work runs after it.
 * Whether a PR is an omk PR and its reviewer may change it is decided by the job (it asks GitHub).
 */

function warn(bot: Bot, what: string, error: unknown): void {
  bot.deps.reporter.warn(`${what}: ${error instanceof Error ? error.message : String(error)}`);
}

export async function onComment(bot: Bot, context: Context<'issue_comment.created'>): Promise<void> {
  const { payload } = context;
  const where = `comment ${payload.repository.full_name}#${payload.comment.id}`;
  if (!obeysSender(payload.sender, bot.deps.config.allowBots)) {
    bot.deps.debug?.(`${where} ignored: ${payload.sender.login} is a bot not in OMK_BOT_ALLOW_BOTS`);
    return;
  }
  const found = findCommand(payload.comment.body);
  if (found.kind === 'none') {
    bot.deps.debug?.(`${where} ignored: no /omk command on a line a reader sees`);
    return;
  }
  const repo = repoRefOf(payload.repository, payload.installation?.id);
  const key = `${repo.fullName}#${payload.comment.id}`;
  const job: BotJob = {
    kind: 'command',
    key,
    deliveryId: context.id,
    repo,
    issue: payload.issue.number,
    commentId: payload.comment.id,
    author: payload.sender.login,
    parsed:
      found.kind === 'refused'
        ? { ok: false, refused: 'bidi' }
        : parseCommandLine(found.line, threadIdSuffix(key)),
  };
  const gh = createBotGitHub(context.octokit);
  const fingerprint =
    found.kind === 'command'
      ? commandFingerprint({
          repo: repo.fullName,
          issue: payload.issue.number,
          author: payload.sender.login,
          line: found.line,
        })
      : null;
  // Sent now, not awaited: GitHub's answer to the reaction must not delay the answer to GitHub.
  const outcome = bot.accept(job, (queued) => executeJob(bot, queued), {
    what: `comment ${key}`,
    fingerprint,
    accepted: () =>
      bot.lanes.track(
        gh.react(repo, payload.comment.id, 'eyes').catch((error: unknown) => warn(bot, 'reaction', error)),
      ),
  });
  if (outcome === 'full') {
    await gh
      .createComment(repo, payload.issue.number, busyReply(payload.sender.login))
      .catch((error: unknown) => warn(bot, 'busy reply', error));
  }
}

/** A check, a status or a review changed: re-evaluate the gated merge of the goals it touches. */
export function onMergeSignal(
  bot: Bot,
  event: string,
  payload: { repository: Parameters<typeof repoRefOf>[0]; installation?: { id: number } },
  branches: Iterable<string | null | undefined>,
): void {
  const goals = integratorGoals(branches);
  if (goals.length === 0) return;
  const repo = repoRefOf(payload.repository, payload.installation?.id);
  for (const goalId of goals) {
    const job: BotJob = { kind: 'merge-check', key: `merge:${repo.fullName}:${goalId}`, repo, goalId, event };
    const outcome = bot.enqueue(job, (queued) => executeJob(bot, queued), { coalesce: true });
    if (outcome === 'full')
      bot.deps.reporter.warn(`queue full: merge check of ${goalId} after ${event} dropped`);
  }
}

type ReviewContext = Context<'pull_request_review.submitted' | 'pull_request_review_comment.created'>;

/** `pull_request_review.submitted` with changes requested: its body is one change request. */
export function onChangesRequested(bot: Bot, context: Context<'pull_request_review.submitted'>): void {
  const { review } = context.payload;
  // The one rule both hosts use: changes requested with a body (a review without one asks
  // through its line comments, each delivered as its own event).
  queueFix(bot, context, reviewChangeRequest({ ...review, author: review.user?.login ?? null }));
}

/** `pull_request_review_comment.created`: a comment on a line of the PR's diff. */
export function onReviewComment(bot: Bot, context: Context<'pull_request_review_comment.created'>): void {
  // A new, non-empty line comment; a reply in a thread (the app's own answers too) is conversation.
  const read = commentChangeRequest(reviewCommentMade(context.payload.comment));
  queueFix(bot, context, read);
}

function queueFix(bot: Bot, context: ReviewContext, read: ReturnType<typeof reviewChangeRequest>): void {
  const { payload } = context;
  if (read.kind === 'skip' || !obeysSender(payload.sender, bot.deps.config.allowBots)) return;
  const repo = repoRefOf(payload.repository, payload.installation?.id);
  const key = `${repo.fullName}#${read.request.id}`;
  const job: BotJob = {
    kind: 'fix',
    key,
    deliveryId: context.id,
    repo,
    pr: payload.pull_request.number,
    branch: payload.pull_request.head.ref,
    author: payload.sender.login,
    requests: [read.request],
  };
  if (bot.accept(job, (queued) => executeJob(bot, queued), { what: key }) === 'full')
    bot.deps.reporter.warn(`queue full: ${key} dropped`);
}
