// How goal commands reach a goal's state: the state branch, or the store of a run in this process.

import { type Workspace, withWorkspace } from '../adapters/bot/workspace.js';
import { NotFoundError, type SharedGoalVerb, sharedGoalNeeds, withSharedGoal } from '../runtime/app/index.js';
import type { GoalStore } from '../runtime/app/ports.js';
import type { Bot } from './bot.js';
import type { BotCommand } from './command.js';
import { workspaceSpec } from './compose.js';
import { plainReply } from './replies.js';
import type { RepoSettings } from './repo-settings.js';
import type { StatusTarget } from './status.js';

export type GoalCommand = Exclude<BotCommand, { kind: 'help' } | { kind: 'run' } | { kind: 'fix' }>;

/** GitHub refuses comments over 65,536 characters. */
export const MAX_REPLY = 60_000;

export interface GoalJob extends StatusTarget {
  author: string;
  command: GoalCommand;
  /** The repository's `.github/omk.yml`, read when the command was taken. */
  settings: RepoSettings;
}

/**
 * Runs `fn` on the goal's state from the state branch, under its mutex, in a checkout of what the
 * verb needs; a verb that changes the goal writes it back.
 */
export async function onGoal<T>(
  bot: Bot,
  job: GoalJob,
  goalId: string,
  verb: SharedGoalVerb,
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const needs = sharedGoalNeeds(verb);
  const token = await job.gh.token();
  return bot.mutex.run(goalId, () =>
    withWorkspace(workspaceSpec(bot, job.repo, token, needs.checkout), async (ws) => {
      const save = needs.saves ? `omk: ${job.command.kind} goal ${goalId}` : null;
      const step = await withSharedGoal({ ...ws, reporter: bot.deps.reporter }, { goalId, save }, () =>
        fn(ws),
      );
      if (step.kind === 'done') return step.value;
      throw new NotFoundError(`There is no goal ${goalId} on the state branch of ${job.repo.fullName}.`, {
        hint: 'Check the GOAL_ID in the status comment of the thread that started it.',
      });
    }),
  );
}

export async function reply(job: GoalJob, lines: readonly string[]): Promise<void> {
  const body = plainReply(job.author, lines);
  await job.gh.createComment(
    job.repo,
    job.issue,
    body.length > MAX_REPLY ? `${body.slice(0, MAX_REPLY)}…\n` : body,
  );
}

/**
 * Changes a goal running in this process in its own store, or returns null when none runs. Under
 * the mutex the run's final push also holds: the change is in that push, or the run has ended and
 * the caller changes the state branch instead.
 */
export function onActive<T>(
  bot: Bot,
  goalId: string,
  fn: (store: GoalStore) => Promise<T>,
): Promise<T | null> {
  return bot.mutex.run(goalId, async () => {
    const active = bot.active.get(goalId);
    return active ? fn(active.store) : null;
  });
}
