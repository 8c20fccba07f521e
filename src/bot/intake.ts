import type { Context } from 'probot';
import { createBotGitHub, repoRefOf } from '../adapters/bot/github.js';
import { obeysSender, threadIdSuffix } from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import { parseCommandLine } from './command.js';
import { findCommand } from './find-command.js';
import { integratorGoals } from './job-merge.js';
import { executeJob } from './jobs.js';

import { busyReply } from './replies.js';

/**
 * What happens inside the webhook request, and nothing more: the signature was verified by the
 * middleware; here the comment is filtered, parsed (pure), remembered, acknowledged with 👀 (the
 * reaction is sent, its answer not awaited) and queued. The 2xx goes back as soon as that is done;
 * the work runs after it.
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
  const first = bot.seen.recordOnce(key, context.id);
  if (first !== null) {
    bot.deps.reporter.info(`delivery ${context.id}: comment ${key} was already accepted (delivery ${first})`);
    return;
  }
  if (found.kind === 'command') {
    const fingerprint = `${repo.fullName}#${payload.issue.number}#${payload.sender.login}#${found.line}`;
    const same = bot.sameAsRecent(fingerprint, key);
    if (same !== null) {
      bot.deps.reporter.info(`comment ${key} repeats ${same} within a minute; not run twice`);
      return;
    }
  }
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
  // Sent now, not awaited: GitHub's answer to the reaction must not delay the answer to GitHub.
  bot.track(
    gh.react(repo, payload.comment.id, 'eyes').catch((error: unknown) => warn(bot, 'reaction', error)),
  );
  const outcome = bot.enqueue(job, (queued) => executeJob(bot, queued));
  if (outcome === 'full') {
    bot.seen.forget(key);
    await gh
      .createComment(repo, job.issue, busyReply(job.author))
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
