import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import type { Workspace } from '../adapters/bot/workspace.js';
import {
  type CreateGoalRequest,
  derivedGoalId,
  describeNote,
  executeAndDeliver,
  executeStepPlan,
  notStartedNote,
  planSharedGoal,
  repoPlanningAgent,
  repoRunAgent,
} from '../runtime/app/index.js';
import { untrustedAgentLines } from './agent-trust.js';
import type { Bot } from './bot.js';
import { appFor, onSharedGoal, withCheckout } from './compose.js';
import { mergeMethodFor } from './job-merge.js';
import { busyReply, failureNotes, notOnStateBranch } from './replies.js';
import { mergeMethodSetting, type RepoSettings } from './repo-settings.js';
import { followRun, publishStatus, type StatusTarget } from './status.js';
import { BOT_WORDS } from './wording.js';

export interface RunJob {
  repo: RepoRef;
  issue: number;
  commentId: number;
  author: string;
  request: CreateGoalRequest;
  /** The repository's `.github/omk.yml`, read when the command was taken. */
  settings: RepoSettings;
}

/** The inputs the omk workflow is dispatched with (declare them in its workflow_dispatch). */
export function dispatchInputs(goalId: string): Record<string, string> {
  return { command: 'execute', 'goal-id': goalId };
}

/**
 * `/omk goal run`: in actions mode the goal is created and planned here, then the omk workflow
 * executes it on a runner; in local mode the whole run happens in this process, queued on the
 * run lane. Its id is derived from the comment, so a redelivery or a restart starts nothing twice.
 */
export async function startGoal(bot: Bot, gh: BotGitHub, job: RunJob): Promise<void> {
  const goalId = derivedGoalId(job.request);
  const target: StatusTarget = { gh, repo: job.repo, issue: job.issue };
  if (bot.deps.config.mode === 'actions') {
    await bot.mutex.run(goalId, async () => {
      if ((await bot.statuses.find(gh, job.repo, job.issue, goalId))?.phase === 'dispatched') return;
      await publishStatus(bot, target, goalId, null, 'planning', [], job.author);
      await withCheckout(bot, gh, job.repo, 'full', async (ws) => {
        if (!(await planHere(bot, ws, target, job, goalId, true))) return;
        await gh.dispatch(job.repo, bot.deps.config.workflow, job.repo.defaultBranch, dispatchInputs(goalId));
        await publishStatus(bot, target, goalId, ws.store, 'dispatched');
      });
    });
    return;
  }
  const known = await bot.statuses.find(gh, job.repo, job.issue, goalId);
  if (known !== null && known.phase !== 'queued') return;
  await publishStatus(bot, target, goalId, null, 'queued', [], job.author);
  const run = () =>
    withCheckout(bot, gh, job.repo, 'full', async (ws) => {
      if (await planHere(bot, ws, target, job, goalId, false))
        await executeHere(bot, target, ws, goalId, job.settings);
    });
  if (bot.runs.push(`run:${goalId}`, run) === 'full')
    await gh.createComment(job.repo, job.issue, busyReply(job.author));
}

/**
 * Creates and plans the goal once in this checkout (one already on the state branch is reused)
 * and pushes it; false, with the reason on its status comment, when it may not start: a custom
 * agent the repository defines for itself, or a goal already past planning.
 */
async function planHere(
  bot: Bot,
  ws: Workspace,
  target: StatusTarget,
  job: RunJob,
  goalId: string,
  dispatches: boolean,
): Promise<boolean> {
  const untrusted = await untrustedAgentLines(bot, ws, target, job.settings);
  if (untrusted !== null) {
    await publishStatus(bot, target, goalId, null, 'settled', untrusted);
    return false;
  }
  const { config } = bot.deps;
  const agent = config.mode === 'local' ? repoPlanningAgent(job.settings.agent, config.agent) : undefined;
  const plan = () =>
    planSharedGoal(
      appFor(bot, ws, target),
      ws.remote,
      { ...job.request, repo: ws.repoRoot, agent },
      { repo: job.repo.fullName, issue: job.issue, commentId: job.commentId, login: job.author },
    );
  // In actions mode the caller holds the goal's mutex already.
  const { goal, startable } = dispatches ? await plan() : await bot.mutex.run(goalId, plan);
  const refused = notStartedNote(goal, startable, dispatches);
  if (refused === null) return true;
  await publishStatus(bot, target, goalId, ws.store, 'settled', [describeNote(refused, BOT_WORDS)]);
  return false;
}

/** Resumes a goal in this process: its branches come from the repository, its state from the branch. */
export function resumeLocally(
  bot: Bot,
  target: StatusTarget & { settings: RepoSettings },
  goalId: string,
): Promise<void> {
  return withCheckout(bot, target.gh, target.repo, 'full', (ws) =>
    executeHere(bot, target, ws, goalId, target.settings),
  );
}

/**
 * Pulls the goal, executes, then delivers and (under a gated merge policy) merges, by the goal's
 * policies: the same runtime steps as `omk goal run`. Pause and cancel from a comment reach the
 * controller through the store registered as active. The state is pushed whatever happened, under
 * the goal's mutex: a pause or cancel applied to the active store is either in this push or, once
 * the goal is no longer active, applied to what it pushed.
 */
async function executeHere(
  bot: Bot,
  target: StatusTarget,
  ws: Workspace,
  goalId: string,
  settings: RepoSettings,
): Promise<void> {
  const { deps } = bot;
  const notes: string[] = [];
  let failure: unknown = null;
  const step = await onSharedGoal(
    bot,
    target,
    goalId,
    executeStepPlan(goalId),
    async () => {
      bot.active.set(goalId, { store: ws.store });
      const live = followRun(bot, target, goalId, ws.store);
      try {
        await publishStatus(bot, target, goalId, ws.store, 'running');
        const app = appFor(bot, ws, target);
        const outcome = await executeAndDeliver(app, {
          goalId,
          method: await mergeMethodFor(bot, target.gh, target.repo, mergeMethodSetting(settings)),
          agent: await repoRunAgent(ws.repoRoot, settings.agent, deps.config.agent),
          ...(deps.shutdown === undefined ? {} : { signal: deps.shutdown }),
          after: 'deliver',
          fallbackBase: target.repo.defaultBranch,
          // A review fix resumed here is answered in its threads, as its first run would have.
          replies: target.gh.reviewReplies(target.repo),
        });
        notes.push(...outcome.notes.map((note) => describeNote(note, app.words)));
      } catch (error) {
        failure = error;
        notes.push(...failureNotes(error));
      } finally {
        await live.stop();
      }
    },
    ws,
  );
  if (step.kind === 'not_shared') notes.push(notOnStateBranch(goalId));
  await publishStatus(bot, target, goalId, ws.store, 'settled', notes);
  if (failure !== null) throw failure;
}
