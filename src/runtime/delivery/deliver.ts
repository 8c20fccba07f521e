import { readExecution } from '../controller/execution-state.js';
import { EventLog } from '../events/log.js';
import type { EventInput } from '../events/schema.js';
import type { Forge } from '../forge/port.js';
import type { GoalStore } from '../goal/store.js';
import { taskGraphVersioned } from '../graph/schema.js';
import type { Reporter } from '../ports.js';
import { rebuildProof } from '../proof/assemble.js';
import { type Proof, proofVersioned } from '../proof/schema.js';
import { readVersioned } from '../state/versioned.js';
import { type DeliveryPlan, type PlannedPr, planDelivery } from './plan.js';
import { type DeliveredPr, type DeliveryRecord, readDelivery, withPull, writeDelivery } from './state.js';

export interface DeliverDeps {
  store: GoalStore;
  forge: Forge;
  reporter: Reporter;
}

export interface DeliverOptions {
  policy: 'draft-pr' | 'auto-pr';
  base: string;
}

export interface DeliverResult {
  plan: DeliveryPlan;
  delivered: DeliveredPr[];
  proof: Proof;
}

/** Loads what planning a delivery needs; also used by --dry-run, which stops here. */
export async function loadDeliveryPlan(
  store: GoalStore,
  goalId: string,
  options: DeliverOptions,
  forgeKind: Forge['kind'],
) {
  const paths = store.paths(goalId);
  const [goal, graph, execution, proof, delivery] = await Promise.all([
    store.read(goalId),
    readVersioned(taskGraphVersioned, paths.taskGraph),
    readExecution(paths.execution),
    readVersioned(proofVersioned, paths.proof),
    readDelivery(paths.delivery, forgeKind),
  ]);
  return {
    goal,
    execution,
    delivery,
    plan: planDelivery({ goal, graph, execution, proof, delivery, ...options }),
  };
}

/**
 * Opens or updates one PR per delivered slice and the integrator PR, each with its proof body,
 * labels and `omk/proof` check run. Every step finds what exists first (recorded numbers and ids,
 * then the forge), so a rerun after a crash or a redelivery creates nothing twice.
 */
export async function deliverGoal(
  deps: DeliverDeps,
  goalId: string,
  options: DeliverOptions,
): Promise<DeliverResult> {
  const { store, forge } = deps;
  const paths = store.paths(goalId);
  const events = new EventLog(paths.events, store.deps.clock);
  const loaded = await loadDeliveryPlan(store, goalId, options, forge.kind);
  let record: DeliveryRecord = loaded.delivery;
  const delivered: DeliveredPr[] = [];
  for (const planned of loaded.plan.pulls) {
    const pull = await deliverOne(deps, planned, record, loaded.goal.repo.root, async (intent) => {
      record = withPull(record, intent);
      await store.withGoalLock(goalId, () => writeDelivery(paths.delivery, record));
    });
    record = withPull(record, pull.record);
    // Recorded after every PR, so a crash mid-goal loses nothing that was created.
    await store.withGoalLock(goalId, async () => {
      await writeDelivery(paths.delivery, record);
      await events.append(pull.events);
    });
    delivered.push(pull.record);
    deps.reporter.info(
      `${planned.kind === 'integrator' ? 'integrator' : planned.sliceId} → ${pull.record.url}`,
    );
  }
  const proof = await store.withGoalLock(goalId, async () =>
    rebuildProof(store, await store.read(goalId), events),
  );
  return { plan: loaded.plan, delivered, proof };
}

async function deliverOne(
  deps: DeliverDeps,
  planned: PlannedPr,
  record: DeliveryRecord,
  repoRoot: string,
  remember: (pull: DeliveredPr) => Promise<void>,
): Promise<{ record: DeliveredPr; events: EventInput[] }> {
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
  if (known) {
    const updated = await forge.updatePullRequest(known.number, { title: planned.title, body: planned.body });
    number = updated.number;
    url = updated.url;
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
    events.push({
      type: 'pr_opened',
      data: { sliceId: planned.sliceId, number, url, headSha: planned.headSha },
    });
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
  };
  let checkId = known?.checkRunSha === planned.headSha ? known.checkRunId : null;
  if (checkId === null && known?.checkRunPendingSha === planned.headSha) {
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
  };
}
