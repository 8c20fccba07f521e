import { decideOracle } from '../../src/runtime/goal/intake.js';
import { heuristicPlanner } from '../../src/runtime/plan/heuristic.js';
import type { PlanInput, PlanProposal } from '../../src/runtime/plan/planner.js';

/** The heuristic planner's plan of `goalText` over `repoFiles`, with no budget and four agents. */
export function heuristicPlan(
  goalText: string,
  repoFiles: readonly string[],
  extra: Partial<PlanInput> = {},
): Promise<PlanProposal> {
  return heuristicPlanner.plan({
    goalId: 'g1',
    goalText,
    oracle: decideOracle(goalText),
    repoFiles,
    budget: { timeMs: null, tokens: null, usd: null },
    maxAgents: 4,
    ...extra,
  });
}
