import {
  INTEGRATION_ID,
  parseOmkBranch,
  pullSharedGoal,
  readOrigin,
  recheckMerge,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { appFor, workspaceSpec } from './compose.js';
import type { BotGitHub, RepoRef } from './github.js';
import { mergeNotes } from './notes.js';
import { publishStatus } from './status.js';
import { withWorkspace } from './workspace.js';

/** Goal ids of the integrator branches among `branches` (`omk/<goal-id>/integration`), once each. */
export function integratorGoals(branches: Iterable<string | null | undefined>): string[] {
  const goals = new Set<string>();
  for (const branch of branches) {
    const parsed = branch ? parseOmkBranch(branch) : null;
    if (parsed?.sliceId === INTEGRATION_ID) goals.add(parsed.goalId);
  }
  return [...goals];
}

/**
 * Re-evaluates a goal's gated merge after a check, a status or a review changed: exactly what
 * `omk goal merge` does (mergeGoal → decideMerge), against the live state of the PR. The event
 * only says which goal to look at; the PR evaluated is the one the goal's delivery recorded, so a
 * branch named like ours in a fork merges nothing.
 */
export async function checkMerge(bot: Bot, gh: BotGitHub, repo: RepoRef, goalId: string): Promise<void> {
  // A run in this process evaluates the merge itself when it has delivered.
  if (bot.active.has(goalId)) return;
  const token = await gh.token();
  await bot.mutex.run(goalId, () =>
    withWorkspace(workspaceSpec(bot, repo, token, 'state'), async (ws) => {
      if (!(await pullSharedGoal(ws.store, ws.remote, goalId)).found) return;
      const check = await recheckMerge(appFor(bot, ws, { gh, repo }), goalId);
      if (!check.evaluated) {
        // Not gated, not ready, or no integrator PR yet: nobody to tell, nothing to change.
        if (check.why === 'nothing_to_merge')
          bot.deps.reporter.info(`merge check of ${goalId}: ${check.detail}`);
        return;
      }
      await ws.remote.push(goalId, `omk: merge evaluation of goal ${goalId}`);
      const origin = await readOrigin(ws.store, goalId);
      if (origin !== null) {
        await publishStatus(
          bot,
          { gh, repo, issue: origin.issue },
          goalId,
          ws.store,
          'settled',
          mergeNotes(check.result),
        );
      }
    }),
  );
}
