import type { GateEvidence } from '../proof/schema.js';
import type { GateSpec } from './port.js';

/**
 * One slice's gate run in this controller run, kept in memory only (so nothing is ever reused
 * across goal runs): what the integrated tree may take instead of running its gates again.
 */
export interface SliceGateRun {
  slice: string;
  /** The slice's commit its gates ran on, and that commit's tree. */
  sha: string;
  tree: string;
  /** Files of the slice's worktree outside its index right before the gates (TreeFacts.extra). */
  extra: readonly string[];
  /** gateRunKey of the run: the commands and the environment. */
  key: string;
  /** The commit its failures were compared with. */
  baseSha: string;
  /** How many integrity findings the checks around the gates made. */
  findings: number;
  gates: readonly GateEvidence[];
}

/** Where the integrated tree's gates would run. */
export interface IntegratedTree {
  tree: string;
  /** Files of the integration worktree outside its index (TreeFacts.extra). */
  extra: readonly string[];
  key: string;
  baseSha: string;
  /** Whether omk prepares worktrees (installs, setup, an environment of their own). */
  prepared: boolean;
}

export type ReuseDecision = { reuse: SliceGateRun } | { reuse: null; why: string };

/**
 * The gate commands and the environment they run with, as one comparable string. The sandbox and
 * the gates' HOME are the run's, the same for every gate run in it.
 */
export function gateRunKey(gates: readonly GateSpec[], env: Readonly<Record<string, string>>): string {
  const sortedEnv = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([gates, sortedEnv]);
}

/**
 * Whether the integrated tree may take a slice's gate results: only when both runs saw exactly the
 * same files. The tree id covers what is committed; what a worktree holds besides it (files the
 * agent left that git ignores, what an install or setup made from another tree) it does not, so
 * both worktrees must hold nothing besides the tree and omk must prepare none. Then the same
 * commands with the same environment, compared with the same base, and a slice run whose checks
 * found nothing and whose gates all ran.
 */
export function reuseDecision(runs: readonly SliceGateRun[], at: IntegratedTree): ReuseDecision {
  if (at.prepared) return { reuse: null, why: 'omk prepares worktrees (installs, setup or environment)' };
  if (at.extra.length > 0)
    return { reuse: null, why: 'the integration worktree holds files besides the tree' };
  const sameTree = runs.filter((run) => run.tree === at.tree);
  if (sameTree.length === 0) return { reuse: null, why: 'no slice gated this tree in this run' };
  const usable = sameTree.filter(
    (run) =>
      run.extra.length === 0 &&
      run.key === at.key &&
      run.baseSha === at.baseSha &&
      run.findings === 0 &&
      run.gates.length > 0 &&
      run.gates.every((gate) => gate.outcome !== 'skipped'),
  );
  const last = usable.at(-1);
  if (last === undefined) {
    return {
      reuse: null,
      why: `the gate run of ${sameTree.map((run) => run.slice).join(', ')} on this tree differs`,
    };
  }
  return { reuse: last };
}

/** The slice's results as the integrated head's: the head's commit, and where they come from. */
export function reusedGates(run: SliceGateRun, headSha: string): GateEvidence[] {
  return run.gates.map((gate) => ({
    ...gate,
    sha: headSha,
    reusedFrom: { slice: run.slice, sha: run.sha, tree: run.tree },
  }));
}
