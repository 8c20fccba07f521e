import { latestGoalInThread } from '../adapters/bot/status-comments.js';
import type { Workspace } from '../adapters/bot/workspace.js';
import {
  accessVerdict,
  commandStepPlan,
  isOmkError,
  NotFoundError,
  refusedWhileRunning,
  requiredAccess,
  type ThreadStepResult,
  threadGoalStep,
  threadStepPlan,
  untilControlled,
} from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import { resumeRefusal } from './agent-trust.js';
import type { Bot, BotJob } from './bot.js';
import type { BotCommand } from './command.js';
import { appFor, onSharedGoal } from './compose.js';
import { fixJob } from './job-fix.js';
import { checkMerge, mergeMethodFor } from './job-merge.js';
import { dispatchInputs, resumeLocally, startGoal } from './job-run.js';
import {
  bidiReply,
  budgetNotes,
  busyReply,
  deliveryNotes,
  errorReply,
  helpReply,
  mergeNotes,
  noGoalReply,
  plainReply,
  proofReply,
  refusalReply,
  transitionNote,
  usageReply,
} from './replies.js';
import {
  loadRepoSettings,
  mergeMethodSetting,
  type RepoSettings,
  repoBudgetCap,
  settingsForCommand,
  withRepoSettings,
} from './repo-settings.js';
import { publishStatus, type StatusTarget } from './status.js';

/**
 * Performs one accepted job, after the webhook was answered: parse outcome, access, the
 * repository's settings, then the verb's use case and its reply. Everything a person asked for
 * gets an answer: usage for a malformed command, a polite refusal without permission, and for a
 * failure the error's message and hint (in this one place).
 */
export async function executeJob(bot: Bot, job: BotJob): Promise<void> {
  const gh = await bot.deps.githubFor(job.repo.installationId);
  if (job.kind === 'merge-check') {
    const loaded = await loadRepoSettings(bot, gh, job.repo);
    if (loaded.ok) await checkMerge(bot, gh, job.repo, job.goalId, mergeMethodSetting(loaded.settings));
    else bot.deps.reporter.warn(`merge of ${job.goalId} not attempted: ${loaded.lines.join(' ')}`);
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
  const need = requiredAccess(command);
  if (need === 'none') {
    await say(helpReply(author));
    return;
  }
  const answer = await gh.permission(repo, author);
  const access = accessVerdict(command, answer);
  if (!access.allowed) {
    await say(refusalReply(author, access.need));
    return;
  }
  const where = { repo, issue, author };
  const settings = await settingsForCommand(bot, gh, where, need === 'write' ? answer : null);
  if (settings === null) return;
  if (job.kind === 'fix' || command.kind === 'fix') {
    const text = 'text' in command ? command.text : '';
    const requests =
      job.kind === 'fix' ? job.requests : [{ id: `comment:${job.commentId}`, text, author, replyTo: null }];
    const branch = job.kind === 'fix' ? job.branch : null;
    await fixJob(bot, gh, { repo, pr: issue, branch, author, requests, settings });
    return;
  }
  try {
    if (command.kind === 'run') {
      const request = withRepoSettings(command.request, command.given, settings);
      await startGoal(bot, gh, { repo, issue, commentId: job.commentId, author, request, settings });
    } else if (command.kind !== 'help') {
      await goalCommand(bot, { gh, repo, issue, author, command, settings });
    }
  } catch (error) {
    await say(errorReply(author, error));
    // Expected refusals are answered; anything else is also a bug to log.
    if (!isOmkError(error)) throw error;
  }
}

type GoalCommand = Exclude<BotCommand, { kind: 'help' } | { kind: 'run' } | { kind: 'fix' }>;

interface GoalJob extends StatusTarget {
  author: string;
  command: GoalCommand;
  /** The repository's `.github/omk.yml`, read when the command was taken. */
  settings: RepoSettings;
}

/**
 * A command on one goal, by the runtime's plan for its verb: on the store of a run in this
 * process when one runs (a lifecycle change once it has taken control), refused while it runs,
 * or on the goal's state from the state branch; then the status comment and the reply.
 */
async function goalCommand(bot: Bot, job: GoalJob): Promise<void> {
  const { command } = job;
  const goalId = command.goalRef ?? (await latestGoalInThread(job.gh, job.repo, job.issue));
  if (goalId === null) {
    await job.gh.createComment(job.repo, job.issue, noGoalReply(job.author));
    return;
  }
  const plan = threadStepPlan(command);
  const active = bot.active.get(goalId);
  if (plan.whileRunning === 'refused') {
    const verb = command.kind === 'merge' ? 'merge' : 'open-pr';
    const refused = refusedWhileRunning({ goalId, verb, running: active !== undefined });
    if (refused !== null) throw refused;
  }
  const method =
    command.kind === 'merge'
      ? await mergeMethodFor(bot, job.gh, job.repo, mergeMethodSetting(job.settings))
      : undefined;
  const budgetCap = repoBudgetCap(job.settings);
  const step = (store: GoalStore, ws: Workspace | null) =>
    threadGoalStep({
      goalId,
      command,
      store,
      inPlace: ws === null,
      executesHere: bot.deps.config.mode === 'local',
      app: () => {
        if (ws === null) throw new Error(`${command.kind} needs a checkout`);
        return appFor(bot, ws, job);
      },
      ...(method === undefined ? {} : { method }),
      ...(budgetCap === undefined ? {} : { budgetCap }),
      fallbackBase: job.repo.defaultBranch,
    });
  let result: ThreadStepResult | null = null;
  if (active !== undefined && plan.whileRunning !== 'refused') {
    if (plan.whileRunning === 'after_control') {
      await untilControlled(active.store, goalId, {
        clock: bot.deps.clock,
        running: () => bot.active.has(goalId),
      });
    }
    // Under the mutex the run's final push also holds: the step is in that push, or the run has
    // ended and the step goes to the state branch below.
    result = await bot.mutex.run(goalId, async () => {
      const run = bot.active.get(goalId);
      if (run === undefined) return null;
      const done = await step(run.store, null);
      if (plan.refresh === 'always') await publishStatus(bot, job, goalId, run.store, 'running');
      return done;
    });
  }
  if (result === null && command.kind === 'resume') {
    // A resume that would run an agent the repository's config defines or extends is refused before it resumes.
    const refused = await resumeRefusal(bot, job, goalId);
    if (refused !== null) {
      await job.gh.createComment(job.repo, job.issue, plainReply(job.author, refused));
      return;
    }
  }
  if (result === null) {
    const shared = await onSharedGoal(bot, job, goalId, commandStepPlan(command, goalId), async (ws) => {
      const done = await step(ws.store, ws);
      const notes = done.kind === 'merged' ? mergeNotes(done.result) : [];
      if (plan.refresh !== 'never') await publishStatus(bot, job, goalId, ws.store, 'settled', notes);
      return done;
    });
    if (shared.kind === 'not_shared') {
      throw new NotFoundError(`There is no goal ${goalId} on the state branch of ${job.repo.fullName}.`, {
        hint: 'Check the GOAL_ID in the status comment of the thread that started it.',
      });
    }
    result = shared.value;
  }
  await answer(bot, job, goalId, result);
}

/** The reply to a goal command, and what follows a resume on the state branch. */
async function answer(bot: Bot, job: GoalJob, goalId: string, result: ThreadStepResult): Promise<void> {
  const say = (body: string) => job.gh.createComment(job.repo, job.issue, body);
  const reply = (lines: readonly string[]) => say(plainReply(job.author, lines));
  switch (result.kind) {
    case 'status':
      return;
    case 'proof':
      await say(proofReply(job.author, goalId, result.proof));
      return;
    case 'budget':
      await reply(budgetNotes(result.view));
      return;
    case 'delivered':
      await reply(deliveryNotes(result.result));
      return;
    case 'merged':
      await reply(mergeNotes(result.result));
      return;
    case 'transition': {
      const notes = [transitionNote(result.result)];
      const { config } = bot.deps;
      if (result.followUp === 'dispatch') {
        await job.gh.dispatch(job.repo, config.workflow, job.repo.defaultBranch, dispatchInputs(goalId));
        notes.push(`Dispatched the ${config.workflow} workflow to continue it.`);
      } else if (result.followUp === 'execute_here') {
        if (bot.runs.push(`run:${goalId}`, () => resumeLocally(bot, job, goalId)) === 'full') {
          await say(busyReply(job.author));
        } else notes.push('Continuing it here.');
      }
      await reply(notes);
      return;
    }
  }
}
