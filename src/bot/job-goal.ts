import { bringGoalHere } from '../adapters/bot/workspace.js';
import {
  addBudget,
  budgetView,
  goalView,
  mergeIntegrator,
  openPullRequests,
  refusedWhileRunning,
} from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import { renderProofMarkdown } from '../runtime/app/render.js';
import type { Bot } from './bot.js';
import { appFor } from './compose.js';
import { type GoalJob, MAX_REPLY, onActive, onGoal, reply } from './goal-access.js';
import { lifecycle, lifecycleText } from './job-lifecycle.js';
import { mergeMethodFor } from './job-merge.js';
import { budgetNotes, deliveryNotes, mergeNotes } from './notes.js';
import { noGoalReply } from './replies.js';
import { mergeMethodSetting } from './repo-settings.js';
import { publishStatus } from './status.js';
import { latestGoalInThread } from './sticky.js';
import { BOT_STEPS } from './wording.js';

export type { GoalCommand, GoalJob } from './goal-access.js';

export async function runGoalCommand(bot: Bot, job: GoalJob): Promise<void> {
  const { command } = job;
  const goalId = command.goalRef ?? (await latestGoalInThread(job.gh, job.repo, job.issue));
  if (goalId === null) {
    await job.gh.createComment(job.repo, job.issue, noGoalReply(job.author));
    return;
  }
  const active = bot.active.get(goalId);
  switch (command.kind) {
    case 'status': {
      if (active) await publishStatus(bot, job, goalId, active.store, 'running');
      else await onGoal(bot, job, goalId, 'status', (ws) => settled(bot, job, goalId, ws.store));
      return;
    }
    case 'proof': {
      const read = (store: GoalStore) => goalView(store, goalId);
      const { proof } = active
        ? await read(active.store)
        : await onGoal(bot, job, goalId, 'proof', (ws) => read(ws.store));
      const body = proof === null ? 'The goal has no proof yet.' : renderProofMarkdown(proof, BOT_STEPS);
      const text = `@${job.author} the proof of goal \`${goalId}\`:\n\n${body}`;
      await job.gh.createComment(
        job.repo,
        job.issue,
        text.length > MAX_REPLY ? `${text.slice(0, MAX_REPLY)}…\n` : text,
      );
      return;
    }
    case 'budget': {
      const add = command.add;
      const change = (store: GoalStore) =>
        add === null ? budgetView(store, goalId) : addBudget(store, goalId, add);
      const view =
        (await onActive(bot, goalId, change)) ??
        (await onGoal(bot, job, goalId, add === null ? 'budget' : 'budget-add', (ws) => change(ws.store)));
      await reply(job, budgetNotes(view));
      return;
    }
    case 'pause':
    case 'cancel':
    case 'accept':
    case 'reject':
    case 'resume':
      await lifecycle(bot, job, goalId, command.kind, lifecycleText(command));
      return;
    case 'open-pr':
    case 'merge': {
      const refused = refusedWhileRunning({ goalId, verb: command.kind, running: active !== undefined });
      if (refused !== null) throw refused;
      await deliverOrMerge(bot, job, goalId, command.kind);
      return;
    }
  }
}

async function deliverOrMerge(
  bot: Bot,
  job: GoalJob,
  goalId: string,
  kind: 'open-pr' | 'merge',
): Promise<void> {
  switch (kind) {
    case 'open-pr': {
      const notes = await onGoal(bot, job, goalId, 'open-pr', async (ws) => {
        await bringGoalHere(ws, goalId);
        const outcome = await openPullRequests(appFor(bot, ws, job), {
          goalId,
          fallbackBase: job.repo.defaultBranch,
          dryRun: false,
        });
        const result = outcome.dryRun ? null : outcome.result;
        await publishStatus(bot, job, goalId, ws.store, 'settled');
        return result === null ? [] : deliveryNotes(result);
      });
      await reply(job, notes.length > 0 ? notes : ['Nothing to deliver yet.']);
      return;
    }
    case 'merge': {
      const method = await mergeMethodFor(bot, job.gh, job.repo, mergeMethodSetting(job.settings));
      const notes = await onGoal(bot, job, goalId, 'merge', async (ws) => {
        const result = await mergeIntegrator(appFor(bot, ws, job), { goalId, method });
        const lines = mergeNotes(result);
        await publishStatus(bot, job, goalId, ws.store, 'settled', lines);
        return lines;
      });
      await reply(job, notes);
      return;
    }
  }
}

async function settled(bot: Bot, job: GoalJob, goalId: string, store: GoalStore): Promise<void> {
  await publishStatus(bot, job, goalId, store, 'settled');
}
