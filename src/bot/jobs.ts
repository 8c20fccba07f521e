import { accessVerdict, isOmkError } from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import { fixJob } from './job-fix.js';
import { runGoalCommand } from './job-goal.js';
import { checkMerge } from './job-merge.js';
import { startGoal } from './job-run.js';
import { bidiReply, errorReply, helpReply, refusalReply, usageReply } from './replies.js';

/**
 * Performs one accepted job, after the webhook was answered. Everything a person asked for gets
 * an answer: usage for a malformed command, a polite refusal without permission, and for a
 * failure the error's message and hint (in this one place).
 */
export async function executeJob(bot: Bot, job: BotJob): Promise<void> {
  const gh = await bot.deps.githubFor(job.repo.installationId);
  if (job.kind === 'merge-check') {
    await checkMerge(bot, gh, job.repo, job.goalId);
    return;
  }
  if (job.kind === 'fix') {
    await fixJob(bot, gh, job);
    return;
  }
  const { repo, issue, author, parsed } = job;
  const say = (body: string) => gh.createComment(repo, issue, body);
  if (!parsed.ok) {
    await say('refused' in parsed ? bidiReply(author) : usageReply(author, parsed.problem, parsed.topic));
    return;
  }
  const { command } = parsed;
  if (command.kind === 'help') {
    await say(helpReply(author));
    return;
  }
  if (command.kind === 'fix') {
    const request = { id: `comment:${job.commentId}`, text: command.text, author, replyTo: null };
    await fixJob(bot, gh, { repo, pr: issue, branch: null, author, requests: [request] });
    return;
  }
  const access = accessVerdict(command, await gh.permission(repo, author));
  if (!access.allowed) {
    await say(refusalReply(author, access.need));
    return;
  }
  try {
    if (command.kind === 'run') {
      await startGoal(bot, gh, { repo, issue, commentId: job.commentId, author, request: command.request });
    } else {
      await runGoalCommand(bot, { gh, repo, issue, author, command });
    }
  } catch (error) {
    await say(errorReply(author, error));
    // Expected refusals are answered; anything else is also a bug to log.
    if (!isOmkError(error)) throw error;
  }
}
