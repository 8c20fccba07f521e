import { readExecution } from '../controller/execution-state.js';
import { IllegalTransitionError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { EventInput } from '../events/schema.js';
import type { Forge } from '../forge/port.js';
import type { GoalRecord, GoalStatus } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { taskGraphVersioned } from '../graph/schema.js';
import type { Reporter } from '../ports.js';
import { rebuildProof } from '../proof/assemble.js';
import { executionWithoutMachinePaths, machineRoots } from '../proof/machine-paths.js';
import { type Proof, proofVersioned } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';
import { awaitedBranches, type KeptBundlePort, restoreKeptBranches, saveKeptBundles } from './kept-bundle.js';
import { keptBranchText } from './kept-local.js';
import { type DeliveryPlan, type PlannedPr, planDelivery } from './plan.js';
import { OMK_STATUS_LABELS } from './pr-body.js';
import { marksReadyNow } from './ready-for-review.js';
import {
  type DeliveredPr,
  type DeliveryRecord,
  type DeliveryTarget,
  readDelivery,
  readDeliveryAsWritten,
  withPull,
  writeDelivery,
} from './state.js';
import { refuseTamperedDelivery } from './state-recheck.js';

export interface DeliverDeps {
  store: GoalStore;
  forge: Forge;
  reporter: Reporter;
  /** Saves the branches kept until acceptance with the goal, and restores them (kept-bundle.ts); absent: neither. */
  bundles?: KeptBundlePort;
  /**
   * Asked before each PR: the status a person stopped the goal with since it was `since` (bringing
   * in a pause or cancel decided elsewhere first), or null. Absent: the local goal's status is read.
   */
  stoppedSince?: (since: GoalStatus) => Promise<GoalStatus | null>;
}

export interface DeliverOptions {
  policy: 'draft-pr' | 'auto-pr';
  base: string;
}

export interface DeliverResult {
  plan: DeliveryPlan;
  delivered: DeliveredPr[];
  proof: Proof;
  /**
   * A person stopped the goal while its PRs were opened: the status it took, and the PRs not opened
   * (slice ids, `integrator`). The PRs opened before stay; null when every planned PR was opened.
   */
  stopped: { status: GoalStatus; withheld: string[] } | null;
}

/** What a person makes of a goal that stops its delivery. */
export const STOPPING: readonly GoalStatus[] = ['cancelled', 'rejected', 'paused'];

/**
 * Whether a goal that was `since` when its delivery began, and is `now`, stops it: cancelled or
 * rejected, or paused since (a paused goal's PRs a person opens on purpose are opened).
 */
export function stopsDelivery(since: GoalStatus | null, now: GoalStatus): boolean {
  return STOPPING.includes(now) && now !== since;
}

/**
 * A cancelled or rejected goal's work is never delivered: refused before anything is pushed, and
 * by a dry run alike, which shows what the delivery would do.
 */
export function refuseEnded(goal: Pick<GoalRecord, 'id' | 'status'>): void {
  if (goal.status === 'cancelled' || goal.status === 'rejected') {
    throw new IllegalTransitionError(`Goal ${goal.id} is ${goal.status}: its work is not delivered.`, {
      hint: 'Start a new goal for this work.',
    });
  }
}

/** A planned PR as a stopped delivery names it. */
export function pullName(planned: Pick<PlannedPr, 'kind' | 'sliceId'>): string {
  return planned.kind === 'integrator' ? 'integrator' : (planned.sliceId ?? 'integrator');
}

/**
 * Loads what planning a delivery needs; also used by --dry-run, which stops here. `target` is the
 * forge PRs go to (null for a dry run: the record is used as written, for links only).
 */
export async function loadDeliveryPlan(
  store: GoalStore,
  goalId: string,
  options: DeliverOptions,
  target: DeliveryTarget | null,
) {
  const paths = store.paths(goalId);
  const [goal, graph, execution, proof, delivery] = await Promise.all([
    store.read(goalId),
    readVersioned(store.files, taskGraphVersioned, paths.taskGraph),
    readExecution(store.files, paths.execution),
    readVersioned(store.files, proofVersioned, paths.proof),
    target === null
      ? readDeliveryAsWritten(store.files, paths.delivery).then((record) => record ?? emptyDelivery())
      : readDelivery(store.files, paths.delivery, target),
  ]);
  // Slice PR bodies and check runs show the slices' own gates: named as the proof names them.
  const shown = executionWithoutMachinePaths(execution, machineRoots(store.deps.stateRoot, goal, execution));
  const replan = (current: DeliveryRecord) =>
    planDelivery({ goal, graph, execution: shown, proof, delivery: current, ...options });
  return { goal, graph, execution, delivery, plan: replan(delivery), replan };
}

/**
 * The branches this delivery keeps until the goal is accepted are saved with the goal, so a later
 * job's checkout can push them; those it pushes now are restored first where this repository
 * lacks them (kept-bundle.ts), before anything is pushed.
 */
async function keepAwaited(
  deps: DeliverDeps,
  bundles: KeptBundlePort,
  loaded: Awaited<ReturnType<typeof loadDeliveryPlan>>,
): Promise<void> {
  const { goal, plan } = loaded;
  const awaited = awaitedBranches(loaded.graph.tasks, loaded.execution);
  const on = (branches: readonly { branch: string }[]) =>
    awaited.filter((branch) => branches.some((other) => other.branch === branch.branch));
  const bundleDeps = { store: deps.store, bundles };
  if (goal.repo.baseSha !== null) {
    await saveKeptBundles(bundleDeps, goal.id, goal.repo.root, goal.repo.baseSha, on(plan.kept));
  }
  await restoreKeptBranches(bundleDeps, goal.id, goal.repo.root, on(plan.pulls));
}

function emptyDelivery(): DeliveryRecord {
  return { version: 1, forge: 'local', target: '', pulls: [] };
}

/**
 * Opens or updates one PR per delivered slice and the integrator PR, each with its proof body,
 * labels and `omk/proof` check run. Every step finds what exists first (recorded numbers and ids,
 * then the forge), so a rerun after a crash or a redelivery creates nothing twice. Each body is
 * rendered just before it is sent, so the integrator PR links the slice PRs opened before it.
 */
export async function deliverGoal(
  deps: DeliverDeps,
  goalId: string,
  options: DeliverOptions,
): Promise<DeliverResult> {
  const { store, forge } = deps;
  const paths = store.paths(goalId);
  const events = new EventLog(store.files, paths.events, store.deps.clock, store.deps.host);
  // Before anything is pushed: the evidence as this process's controller left it, or nothing.
  await refuseTamperedDelivery(store, goalId);
  const loaded = await loadDeliveryPlan(store, goalId, options, { kind: forge.kind, repo: forge.repo });
  refuseEnded(loaded.goal);
  // Said before anything is pushed: these branches stay on this machine whatever happens next.
  for (const kept of loaded.plan.kept) deps.reporter.warn(keptBranchText(kept));
  if (deps.bundles !== undefined) await keepAwaited(deps, deps.bundles, loaded);
  let record: DeliveryRecord = loaded.delivery;
  const delivered: DeliveredPr[] = [];
  let stopped: DeliverResult['stopped'] = null;
  const stoppedSince =
    deps.stoppedSince ??
    (async (since: GoalStatus) => {
      const now = (await store.read(goalId)).status;
      return stopsDelivery(since, now) ? now : null;
    });
  try {
    for (const [index, first] of loaded.plan.pulls.entries()) {
      // Looked at before each PR: a cancel or pause that lands meanwhile stops the ones left.
      const now = await stoppedSince(loaded.goal.status);
      if (now !== null) {
        stopped = { status: now, withheld: loaded.plan.pulls.slice(index).map(pullName) };
        break;
      }
      const planned = loaded.replan(record).pulls.find((p) => p.sliceId === first.sliceId) ?? first;
      const pull = await deliverOne(deps, planned, record, loaded.goal.repo.root, async (intent) => {
        record = withPull(record, intent);
        await store.withGoalLock(goalId, () => writeDelivery(store.files, paths.delivery, record));
      });
      record = withPull(record, pull.record);
      // Recorded after every PR, so a crash mid-goal loses nothing that was created.
      await store.withGoalLock(goalId, async () => {
        await writeDelivery(store.files, paths.delivery, record);
        await events.append(pull.events);
      });
      delivered.push(pull.record);
      const name = planned.kind === 'integrator' ? 'integrator' : planned.sliceId;
      const marked = pull.markedReady ? ' (marked ready for review)' : '';
      deps.reporter.info(`${name} → ${pull.record.url}${marked}`);
    }
  } finally {
    // Even after a failure part-way, the proof lists the PRs that exist.
    await store.withGoalLock(goalId, async () => rebuildProof(store, await store.read(goalId), events));
  }
  const proof = await readVersioned(store.files, proofVersioned, paths.proof);
  return { plan: loaded.plan, delivered, proof, stopped };
}

async function deliverOne(
  deps: DeliverDeps,
  planned: PlannedPr,
  record: DeliveryRecord,
  repoRoot: string,
  remember: (pull: DeliveredPr) => Promise<void>,
): Promise<{ record: DeliveredPr; events: EventInput[]; markedReady: boolean }> {
  const { forge } = deps;
  const known = record.pulls.find((p) => p.sliceId === planned.sliceId) ?? null;
  const events: EventInput[] = [];
  await forge.push({
    repoRoot,
    branch: planned.branch,
    sha: planned.headSha,
    expectedRemoteSha: known && known.headSha !== planned.headSha ? known.headSha : undefined,
  });
  let number: number;
  let url: string;
  let labels = known?.labels ?? [];
  let reused = false;
  // The PR as the forge answered last: a PR that existed may be a draft the policy says is ready.
  let answered: { draft: boolean; state: string };
  if (known) {
    const updated = await forge.updatePullRequest(known.number, { title: planned.title, body: planned.body });
    number = updated.number;
    url = updated.url;
    answered = updated;
    events.push({ type: 'pr_updated', data: { sliceId: planned.sliceId, number, headSha: planned.headSha } });
  } else {
    const created = await forge.createPullRequest({
      head: planned.branch,
      base: planned.base,
      title: planned.title,
      body: planned.body,
      draft: planned.draft,
      labels: planned.labels,
    });
    number = created.number;
    url = created.url;
    labels = created.labels;
    answered = created;
    // The PR existed though nothing was recorded (state lost after a crash): so may its check run.
    reused = created.reused === true;
    events.push({
      type: 'pr_opened',
      data: { sliceId: planned.sliceId, number, url, headSha: planned.headSha },
    });
  }
  const markedReady = marksReadyNow(planned.draft, answered);
  if (markedReady) {
    answered = await forge.markReadyForReview(number);
    events.push({ type: 'pr_ready_for_review', data: { sliceId: planned.sliceId, number } });
  }
  // The proof's status changed since the last delivery: its old status label goes.
  for (const stale of labels.filter((l) => OMK_STATUS_LABELS.includes(l) && !planned.labels.includes(l))) {
    await forge.removeLabel(number, stale);
    labels = labels.filter((l) => l !== stale);
  }
  const missing = planned.labels.filter((label) => !labels.includes(label));
  if (missing.length > 0) {
    await forge.addLabels(number, missing);
    labels = [...labels, ...missing];
  }
  const current: DeliveredPr = {
    sliceId: planned.sliceId,
    branch: planned.branch,
    number,
    url,
    headSha: planned.headSha,
    checkRunId: known?.checkRunId ?? null,
    checkRunSha: known?.checkRunSha ?? null,
    checkRunPendingSha: known?.checkRunPendingSha ?? null,
    labels,
    draft: answered.draft,
  };
  let checkId = known?.checkRunSha === planned.headSha ? known.checkRunId : null;
  if (checkId === null && (known?.checkRunPendingSha === planned.headSha || reused)) {
    // A previous run crashed between creating this check run and recording it: find it.
    const { name, externalId } = planned.checkRun;
    checkId = (await forge.findCheckRun(planned.headSha, name, externalId))?.id ?? null;
  }
  if (checkId === null) await remember({ ...current, checkRunPendingSha: planned.headSha });
  const check = await forge.upsertCheckRun(planned.checkRun, checkId);
  events.push({
    type: 'check_run_published',
    data: {
      sliceId: planned.sliceId,
      id: check.id,
      headSha: planned.headSha,
      conclusion: planned.checkRun.conclusion,
    },
  });
  return {
    record: { ...current, checkRunId: check.id, checkRunSha: planned.headSha, checkRunPendingSha: null },
    events,
    markedReady,
  };
}
