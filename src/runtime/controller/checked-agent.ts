import { join } from 'node:path';
import { changeFindings, strayFindings } from '../integrity/findings.js';
import type { Finding } from '../proof/schema.js';
import type { ControllerDeps } from './context.js';

/** Where an agent runs: the goal's repository and the worktree it may change. */
export interface AgentPlace {
  goalId: string;
  repoRoot: string;
  worktree: string;
}

/**
 * Runs an agent (a slice's, a review fix's, an integration repair's) inside the integrity checks:
 * a snapshot of what lies outside its worktree before, and after it ends the processes it left
 * (before anything reads the worktree) and what it changed outside, restored where omk can. What
 * is found are blocking findings: nothing that run made can be `ready`. Take the snapshot after
 * omk's own preparation of the worktree, so every difference is the agent's.
 */
export async function checkedAgentRun<T>(
  deps: Pick<ControllerDeps, 'integrity' | 'home' | 'workspaceRoot'>,
  place: AgentPlace,
  run: () => Promise<T>,
): Promise<{ result: T; findings: Finding[] }> {
  const watch = await deps.integrity.watch({
    repoRoot: place.repoRoot,
    worktree: place.worktree,
    home: deps.home,
    ownWorktreesUnder: join(deps.workspaceRoot, place.goalId),
  });
  const result = await run();
  const findings = [
    ...strayFindings(await deps.integrity.endStrays(place.worktree), 'agent'),
    ...changeFindings(await watch.check(), 'agent'),
  ];
  return { result, findings };
}
