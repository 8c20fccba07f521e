import { join } from 'node:path';
import { cargoHome } from '../integrity/crate-sources.js';
import { changeFindings, strayFindings } from '../integrity/findings.js';
import { goModCache } from '../integrity/module-sources.js';
import type { Finding } from '../proof/schema.js';
import { beginCheckedRun } from '../workspace/own-step.js';
import type { ControllerDeps } from './context.js';
import type { ExecutionJournal } from './journal.js';
import { checkRunBaseline, type RunBaseline, sharedGitOf } from './run-baseline.js';
import { type StateCheck, watchState } from './state-checks.js';

type AgentCheckDeps = Pick<
  ControllerDeps,
  'integrity' | 'home' | 'workspaceRoot' | 'store' | 'sandbox' | 'goModules' | 'crates' | 'gateEnv'
>;

/** Where an agent runs: the goal's repository and the worktree it may change. */
export interface AgentPlace {
  goalId: string;
  repoRoot: string;
  worktree: string;
  /** The slice or task the agent works on, as the findings name it. */
  taskId: string;
}

/**
 * Runs an agent (a slice's, a review fix's, an integration repair's) inside the integrity checks:
 * a snapshot of what lies outside its worktree before, and after it ends the processes it left
 * (before anything reads the worktree) and what it changed outside, restored where omk can. What
 * is found are blocking findings: nothing that run made can be `ready`. Take the snapshot after
 * omk's own preparation of the worktree, so every difference is the agent's. omk's state root is
 * checked as well (`state-checks.ts`): the goal's own evidence against what the controller holds,
 * the rest against a snapshot. Before the snapshot, what must never change is compared with the
 * goal run's baseline (`run-baseline.ts`).
 */
export async function checkedAgentRun<T>(
  ctx: { deps: AgentCheckDeps; journal: ExecutionJournal } & RunBaseline,
  place: AgentPlace,
  run: () => Promise<T>,
): Promise<{ result: T; findings: Finding[] }> {
  const { deps, journal } = ctx;
  // In flight from before its snapshot to after its check: omk's own steps meanwhile put nothing back.
  const end = await beginCheckedRun(sharedGitOf(ctx));
  let state: StateCheck | undefined;
  try {
    const since = await checkRunBaseline(deps, ctx, place.repoRoot, `the agent of ${place.taskId}`);
    const watch = await deps.integrity.watch({
      repoRoot: place.repoRoot,
      worktree: place.worktree,
      home: deps.home,
      ownWorktreesUnder: join(deps.workspaceRoot, place.goalId),
    });
    // Unconfined, the agent can write the checkout's virtualenv and node_modules, which gates use,
    // and the sources of the Go modules and registry crates in the caches the gates build from.
    const checkout =
      deps.sandbox?.active === true
        ? {}
        : {
            checkout: place.repoRoot,
            modules: { modules: deps.goModules ?? [], modCache: goModCache(deps.gateEnv ?? {}) },
            crates: { crates: deps.crates ?? [], cargoHome: cargoHome(deps.gateEnv ?? {}) },
          };
    state = await watchState(deps, journal, `the agent of ${place.taskId}`, { cache: true, ...checkout });
    const result = await run();
    const findings = [
      ...since,
      ...strayFindings(await deps.integrity.endStrays(place.worktree), 'agent', { checkout: place.worktree }),
      ...changeFindings(await watch.check(), 'agent'),
      ...state.before,
      ...(await state.check()),
    ];
    return { result, findings };
  } finally {
    // A run that threw is not checked: it ends here, or later runs would seem to overlap it.
    state?.end();
    end();
  }
}
