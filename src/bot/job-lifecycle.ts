import {
  applyLifecycle,
  type LifecycleAction,
  resumeFollowUp,
  untilControlled,
} from '../runtime/app/index.js';
import { resumeRefusal } from './agent-trust.js';
import type { Bot } from './bot.js';
import { type GoalCommand, type GoalJob, onActive, onGoal, reply } from './goal-access.js';
import { dispatchInputs, resumeLocally } from './job-run.js';
import { transitionNote } from './notes.js';
import { busyReply } from './replies.js';
import { publishStatus } from './status.js';

export function lifecycleText(command: GoalCommand): string {
  if (command.kind === 'accept') return command.summary;
  if (command.kind === 'reject' || command.kind === 'cancel') return command.reason;
  return '';
}

/**
 * The transition is the runtime's (applyLifecycle). A goal running in this process is changed in
 * place: its controller sees the pause or cancel, and the run pushes the state when it stops.
 */
export async function lifecycle(
  bot: Bot,
  job: GoalJob,
  goalId: string,
  action: LifecycleAction,
  text: string,
): Promise<void> {
  const active = bot.active.get(goalId);
  if (active) {
    await untilControlled(active.store, goalId, {
      clock: bot.deps.clock,
      running: () => bot.active.has(goalId),
    });
    const applied = await onActive(bot, goalId, (store) => applyLifecycle(store, goalId, action, text));
    if (applied !== null) {
      await reply(job, [transitionNote(applied)]);
      return;
    }
  }
  // A resume that would run an agent the repository's config defines or extends is refused before it resumes.
  const refused = action === 'resume' ? await resumeRefusal(bot, job, goalId) : null;
  if (refused !== null) return reply(job, refused);
  const result = await onGoal(bot, job, goalId, action, async (ws) => {
    const changed = await applyLifecycle(ws.store, goalId, action, text);
    await publishStatus(bot, job, goalId, ws.store, 'settled');
    return changed;
  });
  const notes = [transitionNote(result)];
  const { config } = bot.deps;
  switch (action === 'resume' ? resumeFollowUp(result, config.mode === 'local') : 'none') {
    case 'dispatch':
      await job.gh.dispatch(job.repo, config.workflow, job.repo.defaultBranch, dispatchInputs(goalId));
      notes.push(`Dispatched the ${config.workflow} workflow to continue it.`);
      break;
    case 'execute_here':
      if (bot.runs.push(`run:${goalId}`, () => resumeLocally(bot, job, goalId)) === 'full') {
        await job.gh.createComment(job.repo, job.issue, busyReply(job.author));
      } else notes.push('Continuing it here.');
      break;
  }
  await reply(job, notes);
}
