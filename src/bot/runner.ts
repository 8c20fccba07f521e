import { latestGoalInThread } from '../adapters/bot/status-comments.js';
import {
  commandChangeRequest,
  type RepoSettings,
  repoCheckMergeOnThread,
  repoGoalCommandOnThread,
  repoStartOnThread,
  type ThreadGoalCommand,
  type ThreadJobPort,
  threadJobSteps,
} from '../runtime/app/index.js';
import type { Bot, BotJob } from './bot.js';
import type { BotCommand } from './command.js';
import { answer, threadHost, threadRepo } from './compose.js';
import { fixJob } from './job-fix.js';
import {
  bidiReply,
  busyReply,
  errorReply,
  helpReply,
  noGoalReply,
  refusalReply,
  usageReply,
} from './replies.js';
import { repoSettings, settingsForCommand } from './repo-settings.js';
import type { StatusTarget } from './status.js';
import { BOT_WORDS } from './wording.js';

/**
 * Performs one accepted job, after the webhook was answered: parse outcome, access, the
 * repository's settings, then the verb's use case and its reply. Everything a person asked for
 * gets an answer: usage for a malformed command, a polite refusal without permission, and for a
 * failure the error's message and hint (in this one place).
 */
export async function executeJob(bot: Bot, job: BotJob): Promise<void> {
  const gh = await bot.deps.githubFor(job.repo.installationId);
  if (job.kind === 'merge-check') {
    const { repo, goalId } = job;
    // The thread comes from the goal's origin; a goal without one is shown nowhere.
    const host = threadHost(bot, { gh, repo, issue: null });
    const settings = () => repoSettings(bot, gh, repo);
    const check = await repoCheckMergeOnThread(host, goalId, settings, threadRepo(bot, gh, repo));
    const { reporter } = bot.deps;
    if (check.kind === 'no_settings')
      reporter.warn(`merge of ${goalId} not attempted: ${check.lines.join(' ')}`);
    if (check.kind === 'not_evaluated')
      reporter.info(`merge of ${goalId} not attempted (${check.why}): ${check.detail}`);
    return;
  }
  const issue = job.kind === 'fix' ? job.pr : job.issue;
  const { repo, author } = job;
  const say = (body: string) => gh.createComment(repo, issue, body);
  let command: BotCommand = { kind: 'fix', text: '' };
  if (job.kind === 'command') {
    const { parsed } = job;
    if (!parsed.ok) {
      await say('refused' in parsed ? bidiReply(author) : usageReply(author, parsed.problem, parsed.topic));
      return;
    }
    command = parsed.command;
  }
  const where = { repo, issue, author };
  const fixRequests = (text: string) =>
    job.kind === 'fix' ? job.requests : [commandChangeRequest({ commentId: job.commentId, text, author })];
  const port: ThreadJobPort<RepoSettings> = {
    help: () => say(helpReply(author)),
    permission: () => gh.permission(repo, author),
    refuse: (need) => say(refusalReply(author, need)),
    settings: (writer) => settingsForCommand(bot, gh, where, writer),
    fix: (settings) => {
      const requests = fixRequests('text' in command ? command.text : '');
      const branch = job.kind === 'fix' ? job.branch : null;
      return fixJob(bot, gh, { repo, pr: issue, branch, author, requests, settings });
    },
    // Planned here, then dispatched to the omk workflow (actions mode) or queued on the run lane
    // (local mode); a full queue is answered "busy".
    start: async (settings) => {
      if (command.kind !== 'run' || job.kind !== 'command') return;
      const origin = { repo: repo.fullName, issue, commentId: job.commentId, login: author };
      const request = { create: command.request, given: command.given, origin, settings };
      const host = threadHost(bot, { gh, repo, issue });
      if ((await repoStartOnThread(host, request, threadRepo(bot, gh, repo), BOT_WORDS)) === 'busy')
        await say(busyReply(author));
    },
    latestGoal: () => latestGoalInThread(gh, repo, issue),
    noGoal: () => say(noGoalReply(author)),
    onGoal: (goalId, settings) =>
      'goalRef' in command
        ? goalCommand(bot, { gh, repo, issue, author, command, settings }, goalId)
        : Promise.resolve(),
    failed: (error) => say(errorReply(author, error)),
  };
  await threadJobSteps(port, command);
}

interface GoalJob extends StatusTarget {
  issue: number;
  author: string;
  command: ThreadGoalCommand;
  /** The repository's `.github/omk.yml`, read when the command was taken. */
  settings: RepoSettings;
}

/** A command on one goal (`repoGoalCommandOnThread`), then the reply ("busy" first when a resume found the run queue full). */
async function goalCommand(bot: Bot, job: GoalJob, goalId: string): Promise<void> {
  const { gh, repo, issue, settings } = job;
  // An acceptance names who gave it: the commenter, whose write access was checked.
  const command = job.command.kind === 'accept' ? { ...job.command, by: job.author } : job.command;
  const place = { repoName: repo.fullName, workflow: bot.deps.config.workflow };
  const request = { goalId, command, settings };
  const host = threadHost(bot, job);
  const done = await repoGoalCommandOnThread(host, request, threadRepo(bot, gh, repo), place, BOT_WORDS);
  if (done.busy) await gh.createComment(repo, issue, busyReply(job.author));
  await answer(bot, job, job.author, done.answer);
}
