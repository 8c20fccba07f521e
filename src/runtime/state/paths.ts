import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Where goal directories live: $OMK_STATE_DIR, else $XDG_STATE_HOME/omk, else ~/.local/state/omk. */
export function resolveStateRoot(
  env: Readonly<Record<string, string | undefined>>,
  home = homedir(),
): string {
  const explicit = env.OMK_STATE_DIR;
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'omk');
  return join(home, '.local', 'state', 'omk');
}

export { goalsDir, privateStateDir, workspacesDir } from './job-dirs.js';

/** The files of one goal directory (ARCHITECTURE.md "Goal state"). */
export function goalPaths(stateRoot: string, goalId: string) {
  const dir = join(stateRoot, 'goals', goalId);
  return {
    dir,
    goal: join(dir, 'goal.json'),
    prd: join(dir, 'prd.md'),
    technicalPlan: join(dir, 'technical-plan.md'),
    testSpec: join(dir, 'test-spec.md'),
    taskGraph: join(dir, 'task-graph.json'),
    decisions: join(dir, 'decisions.jsonl'),
    events: join(dir, 'events.jsonl'),
    proof: join(dir, 'proof.json'),
    failure: join(dir, 'failure.json'),
    execution: join(dir, 'execution.json'),
    delivery: join(dir, 'delivery.json'),
    budget: join(dir, 'budget.jsonl'),
    lock: join(dir, '.lock'),
    artifacts: join(dir, 'artifacts'),
    gateArtifacts: join(dir, 'artifacts', 'gates'),
    agentRunArtifacts: join(dir, 'artifacts', 'agent-runs'),
    reviewArtifacts: join(dir, 'artifacts', 'reviews'),
    prepareArtifacts: join(dir, 'artifacts', 'prepare'),
    /** Each failed attempt's diff, kept when the next attempt starts again from the base. */
    attemptArtifacts: join(dir, 'artifacts', 'attempts'),
    /** Git bundles of branches whose commits exist only where they were made (delivery/kept-bundle.ts). */
    kept: join(dir, 'kept'),
  };
}

export type GoalPaths = ReturnType<typeof goalPaths>;

/** Build output a goal's worktrees share (CARGO_TARGET_DIR): outside the goal directory, which is mirrored. */
export function goalCacheDir(stateRoot: string, goalId: string): string {
  return join(stateRoot, 'cache', goalId);
}

/**
 * The integration's own build cache (its gates' CARGO_TARGET_DIR, and the base's): written only by
 * the gates on the base and on the integrated tree, never by a slice's. Under `cache/` (not
 * compared as omk's state) in a directory no goal id names.
 */
export function integrationCacheDir(stateRoot: string, goalId: string): string {
  return join(stateRoot, 'cache', '.integration', goalId);
}

/** What the worktrees of every goal share (omk's copies of node_modules): outside any goal's cache. */
export function sharedCacheDir(stateRoot: string): string {
  return join(stateRoot, 'shared-cache');
}
