import { accessVerdict, isOmkError, requiredAccess } from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import { fixJob } from './job-fix.js';
import { runGoalCommand } from './job-goal.js';
import { checkMerge } from './job-merge.js';
import { startGoal } from './job-run.js';
import { bidiReply, errorReply, helpReply, refusalReply, usageReply } from './replies.js';
import {
  loadRepoSettings,
  mergeMethodSetting,
  settingsForCommand,
  withRepoDefaults,
} from './repo-settings.js';

/**
 * Performs one accepted job, after the webhook was answered. Everything a person asked for gets
 * an answer: usage for a malformed command, a polite refusal without permission, and for a
 * failure the error's message and hint (in this one place).
 */
export async function executeJob(bot: Bot, job: BotJob): Promise<void> {
  const gh = await bot.deps.githubFor(job.repo.installationId);
  if (job.kind === 'merge-check') {
    const loaded = await loadRepoSettings(bot, gh, job.repo);
    if (!loaded.ok) {
      bot.deps.reporter.warn(`merge of ${job.goalId} not attempted: ${loaded.lines.join(' ')}`);
      return;
    }
    await checkMerge(bot, gh, job.repo, job.goalId, mergeMethodSetting(loaded.settings));
    return;
  }
  if (job.kind === 'fix') {
    const where = { repo: job.repo, issue: job.pr, author: job.author };
    const settings = await settingsForCommand(bot, gh, where, await gh.permission(job.repo, job.author));
    if (settings !== null) await fixJob(bot, gh, { ...job, settings });
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
  const where = { repo, issue, author };
  if (command.kind === 'fix') {
    const settings = await settingsForCommand(bot, gh, where, await gh.permission(repo, author));
    if (settings === null) return;
    const request = { id: `comment:${job.commentId}`, text: command.text, author, replyTo: null };
    await fixJob(bot, gh, { repo, pr: issue, branch: null, author, requests: [request], settings });
    return;
  }
  const answer = await gh.permission(repo, author);
  const access = accessVerdict(command, answer);
  if (!access.allowed) {
    await say(refusalReply(author, access.need));
    return;
  }
  const changes = requiredAccess(command) === 'write';
  const settings = await settingsForCommand(bot, gh, where, changes ? answer : null);
  if (settings === null) return;
  try {
    if (command.kind === 'run') {
      const request = withRepoDefaults(command.request, command.given, settings);
      await startGoal(bot, gh, { repo, issue, commentId: job.commentId, author, request, settings });
    } else {
      await runGoalCommand(bot, { gh, repo, issue, author, command, settings });
    }
  } catch (error) {
    await say(errorReply(author, error));
    // Expected refusals are answered; anything else is also a bug to log.
    if (!isOmkError(error)) throw error;
  }
}
