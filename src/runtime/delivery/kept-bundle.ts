// A branch kept local until a person accepts the goal (kept-local.ts `awaits_acceptance`) lives in
// the repository of the machine that ran the goal. Where that repository does not outlive the job
// (the Action's runner, the bot's checkout), a later job's accept, merge or open-pr could not push
// it. So its new commits are saved with the goal as a git bundle (`kept/<name>.bundle` in the
// goal's directory: a blob on the state branch, which no CI runs) and restored before delivery.
// What the state branch holds is untrusted: a restored head must be the one the goal's evidence
// records. A branch kept for security is never saved: it stays off the forge entirely.
// The same file holds any done slice's commits where they exist only on the machine that made
// them: a host that saves bundles but publishes no slice branch (the Action's single-job run)
// saves each slice as it finishes, so a later job (the run cancelled, then `execute` on a fresh
// runner) integrates it. Once delivery pushed the branch, the fetch brings it and its bundle is
// ignored (it stays: the state branch's merge keeps files only one side has, so a deletion would
// come back).

import { dirname, join } from 'node:path';
import { type ExecutionStateRecord, readExecution, sliceRecord } from '../controller/execution-state.js';
import { NotFoundError, StateError } from '../errors.js';
import type { GoalStore } from '../goal/store.js';
import { type Task, taskGraphVersioned } from '../graph/schema.js';
import { readVersioned } from '../state/versioned.js';
import { type KeptBranch, keptBranches } from './kept-local.js';
import { deliverableSlices, deliveredIntegration } from './plan.js';

/** The host's git for saved branches. */
export interface KeptBundlePort {
  /**
   * A git bundle of `branch`'s commits that `base` does not have. Answered, not written: the
   * goal's store writes it, so a run's state check takes it for omk's own (a slice that finishes
   * while another's gates run), and the witness compares it before the proof.
   */
  bundle(repoRoot: string, branch: string, base: string): Promise<Uint8Array>;
  /** The commit `refs/heads/<branch>` names in the repository, or null when there is no such branch. */
  head(repoRoot: string, branch: string): Promise<string | null>;
  /**
   * Fetches `branch` from the bundle `file` into a private ref and answers its head (null: the
   * bundle does not hold it); `refs/heads/<branch>` is created only when that head is `expected`.
   */
  restore(repoRoot: string, branch: string, file: string, expected: string): Promise<string | null>;
}

/** A branch delivery keeps until the goal is accepted, with the head its evidence records. */
export interface AwaitedBranch {
  sliceId: string | null;
  branch: string;
  headSha: string;
  /** Where its bundle is, relative to the goal's directory. */
  file: string;
}

/** Where a kept branch's bundle lives in the goal's directory (a saved slice's too: one per slice). */
export function keptBundleFile(sliceId: string | null): string {
  return `kept/${sliceId ?? 'integration'}.bundle`;
}

/**
 * The done slices no delivery keeps, with the heads their evidence records: those whose commits
 * a host that publishes no slice branch saved with the goal as they finished (publishSlice). Only
 * restored where the fetch did not bring the branch: once delivery pushed it, its bundle is unused.
 */
export function savedSlices(
  tasks: readonly Pick<Task, 'id' | 'status'>[],
  execution: ExecutionStateRecord,
): AwaitedBranch[] {
  const done = tasks.filter((task) => task.status === 'done').map((task) => task.id);
  const kept = new Set(keptBranches(execution, done, false, false).map((branch) => branch.sliceId));
  return done.flatMap((id) => {
    const { branch, headSha } = sliceRecord(execution, id);
    if (kept.has(id) || branch === null || headSha === null) return [];
    return [{ sliceId: id, branch, headSha, file: keptBundleFile(id) }];
  });
}

/**
 * Whether a kept branch waits only for the goal's acceptance: its own workflow change, or an
 * integration that merges only slices kept for that. A branch kept for security never is.
 */
function awaitsOnly(kept: KeptBranch, all: readonly KeptBranch[]): boolean {
  if (kept.code === 'awaits_acceptance') return true;
  if (kept.code !== 'merges_kept_slice') return false;
  return kept.slices.every((id) =>
    all.some((other) => (other.sliceId ?? other.branch) === id && other.code === 'awaits_acceptance'),
  );
}

/** The branches a delivery keeps (or kept) until the goal is accepted, whatever it is now. */
export function awaitedBranches(
  tasks: readonly Pick<Task, 'id' | 'status'>[],
  execution: ExecutionStateRecord,
): AwaitedBranch[] {
  const deliverable = deliverableSlices(tasks, execution);
  const integration = deliveredIntegration(execution);
  const kept = keptBranches(
    execution,
    deliverable.map((task) => task.id),
    integration !== null && deliverable.length > 0,
    false,
  );
  return kept
    .filter((branch) => awaitsOnly(branch, kept))
    .map((branch) => ({
      sliceId: branch.sliceId,
      branch: branch.branch,
      headSha:
        branch.sliceId === null
          ? (integration?.headSha ?? '')
          : (sliceRecord(execution, branch.sliceId).headSha ?? ''),
      file: keptBundleFile(branch.sliceId),
    }))
    .filter((branch) => branch.headSha !== '');
}

export interface KeptBundleDeps {
  store: GoalStore;
  bundles: KeptBundlePort;
}

/** Saves each branch kept until acceptance among `kept` with the goal (its commits past `base`). */
export async function saveKeptBundles(
  deps: KeptBundleDeps,
  goalId: string,
  repoRoot: string,
  base: string,
  awaited: readonly AwaitedBranch[],
): Promise<void> {
  const dir = deps.store.paths(goalId).dir;
  for (const branch of awaited) {
    // The branch as the evidence records it: a bundle of anything else would be refused later.
    if ((await deps.bundles.head(repoRoot, branch.branch)) !== branch.headSha) continue;
    const file = join(dir, ...branch.file.split('/'));
    const bytes = await deps.bundles.bundle(repoRoot, branch.branch, base);
    await deps.store.files.makeDirs(dirname(file));
    await deps.store.files.writeAtomic(file, bytes);
  }
}

/**
 * Before a branch kept until acceptance is pushed: where this repository lacks it (a later job's
 * fresh checkout), it is restored from the goal's bundle, and only at the head the evidence
 * records. A missing bundle or another head is refused before anything is pushed.
 */
export async function restoreKeptBranches(
  deps: KeptBundleDeps,
  goalId: string,
  repoRoot: string,
  awaited: readonly AwaitedBranch[],
  /** False: a branch without a bundle is left alone (savedSlices: its host may have published it). */
  required = true,
): Promise<void> {
  const dir = deps.store.paths(goalId).dir;
  for (const branch of awaited) {
    if ((await deps.bundles.head(repoRoot, branch.branch)) !== null) continue;
    const file = join(dir, ...branch.file.split('/'));
    if (!(await deps.store.files.exists(file))) {
      if (!required) continue;
      throw new NotFoundError(
        `Branch ${branch.branch} of goal ${goalId} was kept on the machine that ran the goal until a person accepted it, and this repository does not have it: the goal holds no saved copy of it (${branch.file}). Nothing was pushed.`,
        {
          hint: 'Run the goal again here, or accept and merge it on the machine that ran it, where the branch is.',
        },
      );
    }
    const head = await deps.bundles.restore(repoRoot, branch.branch, file, branch.headSha);
    if (head !== branch.headSha) {
      throw new StateError(
        `Refusing to restore branch ${branch.branch} of goal ${goalId} from its saved copy (${branch.file}): ${head === null ? 'it does not hold the branch' : `its head is ${head}`}, but the goal's evidence records ${branch.headSha}. Nothing was pushed.`,
        {
          // Said of a kept branch and of a slice saved as it finished alike: both are on that machine.
          hint: "The goal's state was written by something other than omk. Run the goal again, or carry it on where it ran: that machine has the branch.",
        },
      );
    }
  }
}

/**
 * restoreKeptBranches for every branch the goal's delivery kept until acceptance: what an
 * acceptance is about to push, checked before it is recorded; `slicesOnly`, the slice branches a
 * later job integrates (fan-out's execute jobs saved its kept ones instead of publishing them),
 * with every other done slice whose bundle the goal holds (savedSlices).
 */
export async function restoreAwaitedBranches(
  deps: KeptBundleDeps,
  goalId: string,
  options: { slicesOnly?: boolean } = {},
): Promise<void> {
  const paths = deps.store.paths(goalId);
  const [goal, graph, execution] = await Promise.all([
    deps.store.read(goalId),
    readVersioned(deps.store.files, taskGraphVersioned, paths.taskGraph),
    readExecution(deps.store.files, paths.execution),
  ]);
  const awaited = awaitedBranches(graph.tasks, execution);
  if (options.slicesOnly !== true) {
    await restoreKeptBranches(deps, goalId, goal.repo.root, awaited);
    return;
  }
  const slices = awaited.filter((branch) => branch.sliceId !== null);
  await restoreKeptBranches(deps, goalId, goal.repo.root, slices);
  await restoreKeptBranches(deps, goalId, goal.repo.root, savedSlices(graph.tasks, execution), false);
}
