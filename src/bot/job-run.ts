import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import { bringGoalHere, type Workspace, withWorkspace } from '../adapters/bot/workspace.js';
import {
  type CreateGoalRequest,
  derivedGoalId,
  describeNote,
  executeAndDeliver,
  notStartedNote,
  planSharedGoal,
  type SharedStart,
  withSharedGoal,
} from '../runtime/app/index.js';
import { untrustedAgentLines } from './agent-trust.js';
import type { Bot } from './bot.js';
import { appFor, workspaceSpec } from './compose.js';
import { mergeMethodFor } from './job-merge.js';
import { failureNotes } from './notes.js';
import { busyReply } from './replies.js';
import { mergeMethodSetting, planningAgent, type RepoSettings, runAgent } from './repo-settings.js';
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

/** Creates and plans the goal once (one already on the state branch is reused) and pushes it. */
function ensureGoal(bot: Bot, ws: Workspace, target: StatusTarget, job: RunJob): Promise<SharedStart> {
  const agent = bot.deps.config.mode === 'local' ? planningAgent(bot, job.settings) : undefined;
  return planSharedGoal(
    appFor(bot, ws, target),
    ws.remote,
    { ...job.request, repo: ws.repoRoot, agent },
    { repo: job.repo.fullName, issue: job.issue, commentId: job.commentId, login: job.author },
  );
}

export async function startGoal(bot: Bot, gh: BotGitHub, job: RunJob): Promise<void> {
  // Known before the goal exists: derived from the comment, so a redelivery finds it.
  const goalId = derivedGoalId(job.request);
  const target: StatusTarget = { gh, repo: job.repo, issue: job.issue };
  if (bot.deps.config.mode === 'actions') {
    await dispatchGoal(bot, target, job, goalId);
    return;
  }
  const known = await bot.statuses.find(gh, job.repo, job.issue, goalId);
  // Queued or run once already (a redelivery, a restart): nothing starts twice.
  if (known !== null && known.phase !== 'queued') return;
  await publishStatus(bot, target, goalId, null, 'queued', [], job.author);
  const outcome = bot.runs.push(`run:${goalId}`, () => runLocally(bot, target, job, goalId));
  if (outcome === 'full') await gh.createComment(job.repo, job.issue, busyReply(job.author));
}

/** actions mode: create and plan here, then let the omk workflow execute it on a runner. */
async function dispatchGoal(bot: Bot, target: StatusTarget, job: RunJob, goalId: string): Promise<void> {
  const { gh, repo } = target;
  await bot.mutex.run(goalId, async () => {
    const known = await bot.statuses.find(gh, repo, job.issue, goalId);
    // Dispatched once already (a redelivery, a restart): nothing starts twice.
    if (known?.phase === 'dispatched') return;
    await publishStatus(bot, target, goalId, null, 'planning', [], job.author);
    const token = await gh.token();
    await withWorkspace(workspaceSpec(bot, repo, token, 'full'), async (ws) => {
      const untrusted = await untrustedAgentLines(bot, ws, target, job.settings);
      if (untrusted !== null) {
        await publishStatus(bot, target, goalId, null, 'settled', untrusted);
        return;
      }
      const { goal, startable } = await ensureGoal(bot, ws, target, job);
      const refused = notStartedNote(goal, startable, true);
      if (refused !== null) {
        await publishStatus(bot, target, goalId, ws.store, 'settled', [describeNote(refused, BOT_WORDS)]);
        return;
      }
      await gh.dispatch(repo, bot.deps.config.workflow, repo.defaultBranch, dispatchInputs(goalId));
      await publishStatus(bot, target, goalId, ws.store, 'dispatched');
    });
  });
}

/** local mode: the whole run in this process, in its own checkout, removed afterwards. */
async function runLocally(bot: Bot, target: StatusTarget, job: RunJob, goalId: string): Promise<void> {
  const { gh, repo } = target;
  const token = await gh.token();
  await withWorkspace(workspaceSpec(bot, repo, token, 'full'), async (ws) => {
    const untrusted = await untrustedAgentLines(bot, ws, target, job.settings);
    if (untrusted !== null) {
      await publishStatus(bot, target, goalId, null, 'settled', untrusted);
      return;
    }
    const { goal, startable } = await bot.mutex.run(goalId, () => ensureGoal(bot, ws, target, job));
    const refused = notStartedNote(goal, startable, false);
    if (refused !== null) {
      await publishStatus(bot, target, goalId, ws.store, 'settled', [describeNote(refused, BOT_WORDS)]);
      return;
    }
    await executeHere(bot, target, ws, goalId, job.settings);
  });
}

/** Resumes a goal in this process: its branches come from the repository, its state from the branch. */
export async function resumeLocally(
  bot: Bot,
  target: StatusTarget & { settings: RepoSettings },
  goalId: string,
): Promise<void> {
  const token = await target.gh.token();
  await withWorkspace(workspaceSpec(bot, target.repo, token, 'full'), async (ws) => {
    await executeHere(bot, target, ws, goalId, target.settings);
  });
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
  const exclusive = <R>(phase: 'pull' | 'push', fn: () => Promise<R>): Promise<R> =>
    bot.mutex.run(goalId, async () => {
      if (phase === 'pull') return fn();
      try {
        return await fn();
      } finally {
        bot.active.delete(goalId);
      }
    });
  const request = { goalId, save: `omk: goal ${goalId} after execution`, saveOnFailure: true, exclusive };
  const step = await withSharedGoal({ ...ws, reporter: deps.reporter }, request, async () => {
    await bringGoalHere(ws, goalId);
    bot.active.set(goalId, { store: ws.store });
    const live = followRun(bot, target, goalId, ws.store);
    try {
      await publishStatus(bot, target, goalId, ws.store, 'running');
      const app = appFor(bot, ws, target);
      const outcome = await executeAndDeliver(app, {
        goalId,
        method: await mergeMethodFor(bot, target.gh, target.repo, mergeMethodSetting(settings)),
        agent: await runAgent(bot, settings, ws.repoRoot),
        ...(deps.shutdown === undefined ? {} : { signal: deps.shutdown }),
        after: 'deliver',
        fallbackBase: target.repo.defaultBranch,
      });
      notes.push(...outcome.notes.map((note) => describeNote(note, app.words)));
    } catch (error) {
      failure = error;
      notes.push(...failureNotes(error));
    } finally {
      await live.stop();
    }
  });
  if (step.kind === 'not_shared') notes.push(`Goal ${goalId} is not on the state branch.`);
  await publishStatus(bot, target, goalId, ws.store, 'settled', notes);
  if (failure !== null) throw failure;
}
