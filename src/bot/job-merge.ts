import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  chooseMergeMethod,
  type MergeMethod,
  mergeCheckStepPlan,
  readOrigin,
  recheckMerge,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { appFor, onSharedGoalThen } from './compose.js';
import { mergeNotes } from './replies.js';
import { publishStatus } from './status.js';

/** The method the bot merges with in `repo` (its allowed methods reused for a minute), logged with why. */
export async function mergeMethodFor(
  bot: Bot,
  gh: BotGitHub,
  repo: RepoRef,
  setting: MergeMethod | null = null,
): Promise<MergeMethod> {
  const choice = chooseMergeMethod(await bot.mergeMethods.of(gh, repo, bot.deps.clock.nowMs()), setting);
  bot.deps.reporter.info(`${repo.fullName}: merging with ${choice.method}: ${choice.why}`);
  return choice.method;
}

/**
 * Re-evaluates a goal's gated merge after a check, a status or a review changed: exactly what
 * `omk goal merge` does (mergeGoal → decideMerge), against the live state of the PR. The event
 * only says which goal to look at; the PR evaluated is the one the goal's delivery recorded, so a
 * branch named like ours in a fork merges nothing.
 */
export async function checkMerge(
  bot: Bot,
  gh: BotGitHub,
  repo: RepoRef,
  goalId: string,
  setting: MergeMethod | null = null,
): Promise<void> {
  // A run in this process evaluates the merge itself when it has delivered.
  if (bot.active.has(goalId)) return;
  const target = { gh, repo };
  await onSharedGoalThen(
    bot,
    target,
    goalId,
    mergeCheckStepPlan(goalId),
    async (ws) => recheckMerge(appFor(bot, ws, target), goalId, await mergeMethodFor(bot, gh, repo, setting)),
    async (step, ws) => {
      if (step.kind === 'not_shared') return;
      const check = step.value;
      // Not gated, not ready, or no integrator PR yet: nobody to tell, nothing to change.
      if (!check.evaluated) {
        bot.deps.reporter.info(`merge of ${goalId} not attempted (${check.why}): ${check.detail}`);
        return;
      }
      const origin = await readOrigin(ws.store, goalId);
      if (origin === null) return;
      const notes = mergeNotes(check.result);
      await publishStatus(bot, { ...target, issue: origin.issue }, goalId, ws.store, 'settled', notes);
    },
  );
}
