import { join, relative } from 'node:path';
import type { EventInput } from '../events/schema.js';
import { INTEGRATION_ID } from '../graph/branches.js';
import type { Task } from '../graph/schema.js';
import type { GateEvidence } from '../proof/schema.js';
import { readPerTest, unreadOnBase } from '../proof/unread-on-base.js';
import { isTestPath } from '../review/files.js';
import { isTestSetupPath } from '../review/test-setup.js';
import { describeGateFailures } from './attempt-failure.js';
import type { ControllerDeps } from './context.js';
import { type ExecutionStateRecord, sliceRecord, withSlice } from './execution-state.js';
import type { ExecutionJournal } from './journal.js';
import { doneDependents, Reopenings } from './reopen-dependents.js';

export type ReopenWhy =
  | 'failed'
  | 'gates_block'
  | 'findings_block'
  | 'integration_blocks'
  | 'class_evidence'
  | 'dependency_reopened';

export interface Reopening {
  taskId: string;
  why: ReopenWhy;
  /** Failing gates or blocking findings, in short. */
  detail: string;
  /** True when the slice gets a new round of attempts (it ran before); false for a skipped one. */
  newRound: boolean;
  /**
   * What the integrated tree fails, for the slice's next prompt (its own checks passed, so its
   * record holds no failure); absent when the slice's own record says why.
   */
  evidence?: string;
  /**
   * A done slice run again because a slice it was built on is: its branch holds that slice's old
   * head, so its next attempt starts again from the new one.
   */
  dependencyRedone?: boolean;
}

/** A slice whose checks do not hold but that stays as it is: done slices were built on it. */
export interface HeldSlice {
  taskId: string;
  why: ReopenWhy;
  detail: string;
  /** The done slices whose branches start from its head. */
  dependents: string[];
}

export interface ReopenPlan {
  reopen: Reopening[];
  held: HeldSlice[];
}

export interface ReopenOptions {
  /**
   * Whether a slice has an attempt left in the round it would run in. A slice that done slices
   * were built on is reopened with them only when it and each of them can run again.
   */
  canRetry: (task: Task) => boolean;
  /** Which reasons reopen a slice (default: every one). */
  only?: (candidate: Reopening) => boolean;
}

/**
 * Pure: the slices an until-ready run opens again because their checks do not hold: failed
 * slices, done slices whose required gates fail or whose review blocks (in the slice or on the
 * integrated tree), and skipped slices whose failed dependency is reopened. A done slice that
 * other done slices were built on is reopened with them: their branches start from its head, so
 * they run again after it, from its new one (`dependencyRedone`). It is held, as it is, when it
 * can run again but one of them cannot.
 */
export function slicesToReopen(
  tasks: readonly Task[],
  execution: ExecutionStateRecord,
  gateBlocks: (gate: GateEvidence) => boolean,
  { canRetry, only = () => true }: ReopenOptions,
): ReopenPlan {
  const candidates = new Map<string, Reopening>();
  for (const task of tasks) {
    const record = sliceRecord(execution, task.id);
    if (task.status === 'failed') {
      const detail = firstLine(record.lastFailure);
      candidates.set(task.id, { taskId: task.id, why: 'failed', detail, newRound: true });
      continue;
    }
    if (task.status !== 'done') continue;
    const gates = record.gates.filter(gateBlocks);
    const findings = record.findings.filter((finding) => finding.severity === 'blocking');
    if (gates.length > 0) {
      const detail = gates.map((gate) => `${gate.name}:${gate.outcome}`).join(', ');
      candidates.set(task.id, { taskId: task.id, why: 'gates_block', detail, newRound: true });
    } else if (findings.length > 0) {
      const detail = findings.map((finding) => firstLine(finding.message)).join('; ');
      candidates.set(task.id, { taskId: task.id, why: 'findings_block', detail, newRound: true });
    }
  }
  for (const reopening of integrationReopenings(tasks, execution)) {
    if (!candidates.has(reopening.taskId)) candidates.set(reopening.taskId, reopening);
  }
  const reopened = new Reopenings();
  const held: HeldSlice[] = [];
  for (const candidate of [...candidates.values()].filter(only)) {
    const task = tasks.find((t) => t.id === candidate.taskId);
    if (task === undefined || !canRetry(task)) continue;
    const dependents = doneDependents(tasks, candidate.taskId);
    if (dependents.every(canRetry)) reopened.addWithDependents(candidate, dependents);
    else {
      const { taskId, why, detail } = candidate;
      held.push({ taskId, why, detail, dependents: dependents.map((dependent) => dependent.id) });
    }
  }
  // Slices skipped only because of a reopened one run again.
  for (let changed = true; changed; ) {
    changed = false;
    for (const task of tasks) {
      if (reopened.has(task.id) || task.status !== 'skipped') continue;
      const dependency = task.dependsOn.find((dep) => reopened.has(dep));
      if (dependency === undefined) continue;
      if (task.dependsOn.some((dep) => blockedDependency(tasks, reopened, dep))) continue;
      reopened.add({ taskId: task.id, why: 'dependency_reopened', detail: dependency, newRound: false });
      changed = true;
    }
  }
  return { reopen: reopened.list(), held };
}

/**
 * What the agent of a slice can change: a failing test, not a gate that was skipped. A goal is only
 * reopened when it is not ready, so a tolerated pre-existing failure (the base's own failing tests)
 * reopens too: a fix goal whose target test still fails needs the agent again.
 */
const FIXABLE_OUTCOMES: ReadonlySet<string> = new Set(['failed', 'pre_existing', 'timeout']);

/**
 * The integrated tree is judged too: a required gate failing there reopens every done slice (the
 * tree is theirs together); a blocking finding reopens the done slices that changed its paths.
 */
function integrationReopenings(tasks: readonly Task[], execution: ExecutionStateRecord): Reopening[] {
  if (execution.integration === null || execution.integration.conflict !== null) return [];
  const done = tasks.filter((task) => task.status === 'done');
  const gates = execution.finalGates.filter((gate) => gate.required && FIXABLE_OUTCOMES.has(gate.outcome));
  if (gates.length > 0) {
    const detail = gates.map((gate) => `${gate.name}:${gate.outcome}`).join(', ');
    return done.map((task) => {
      const workdir = sliceRecord(execution, task.id).workspace ?? execution.integration?.workspace ?? '';
      const failing = describeGateFailures(gates, workdir);
      const evidence = `the integrated tree is not ready:\n\n${failing ?? detail}`;
      return { taskId: task.id, why: 'integration_blocks', detail, newRound: true, evidence };
    });
  }
  const findings = execution.finalFindings.filter((finding) => finding.severity === 'blocking');
  return done.flatMap((task): Reopening[] => {
    const changed = new Set(sliceRecord(execution, task.id).changedFiles.map((file) => file.path));
    const hits = findings.filter((finding) => finding.paths.some((path) => changed.has(path)));
    if (hits.length === 0) return [];
    const detail = hits.map((finding) => firstLine(finding.message)).join('; ');
    return [{ taskId: task.id, why: 'integration_blocks', detail, newRound: true }];
  });
}

/** What keeps a goal's class short of ready (a proof gap of CLASS_EVIDENCE_GAPS), in words. */
export interface ClassEvidenceGap {
  code: string;
  message: string;
  /** What to do about it, worded for the agent; empty when the gap has no hint. */
  hint: string;
}

/**
 * Pure: the done slices an until-ready run redoes when the integrated tree passes what its slices
 * can change yet the goal's class lacks its evidence (a fix whose failing test is not shown
 * failing without it and passing with it). Those that can change it: the slices that edited test
 * files when the head's tests that failed on the base pass only by the change's edit of them (a
 * rewritten expectation); else the slices that changed other files (the fix did not work); else
 * every done slice (an empty change). Only slices with attempts left (`canRetry`). A chosen slice
 * that other done slices were built on is redone with them: they run again after it, from its new
 * head (`dependencyRedone`), each of them with attempts left too, or the slice is held (as
 * slicesToReopen holds one), so the events say why the goal stopped.
 */
export function classEvidenceReopenings(
  tasks: readonly Task[],
  execution: ExecutionStateRecord,
  gaps: readonly ClassEvidenceGap[],
  canRetry: (task: Task) => boolean,
): ReopenPlan {
  const none: ReopenPlan = { reopen: [], held: [] };
  if (gaps.length === 0) return none;
  // The base's run of a test gate ended before reporting (a crash, a timeout) where the head's
  // reported its tests: the fix is not shown for a reason no agent's change mends.
  if (unreadOnBase(execution.baseGates, readPerTest(execution.finalGates)).length > 0) return none;
  const done = tasks.filter((task) => task.status === 'done');
  const changed = (task: Task) => sliceRecord(execution, task.id).changedFiles.map((file) => file.path);
  // Tests that failed on the base and pass on the head, yet not counted: the change edited them.
  const rewritten = execution.finalGates.some(
    (gate) => gate.kind === 'test' && (gate.tests?.failToPass ?? []).length > 0,
  );
  // A conftest.py is its tests' set-up: editing it edits them (review/test-setup.ts).
  const testCode = (path: string) => isTestPath(path) || isTestSetupPath(path);
  const editedTests = done.filter((task) => changed(task).some(testCode));
  const changedSource = done.filter((task) => changed(task).some((path) => !testCode(path)));
  const chosen =
    rewritten && editedTests.length > 0 ? editedTests : changedSource.length > 0 ? changedSource : done;
  const told = gaps
    .map((gap) => (gap.hint === '' ? gap.message : `${gap.message}\n${gap.hint}`))
    .join('\n\n');
  const evidence = `the integrated tree is not ready:\n\n${told}`;
  const detail = gaps.map((gap) => gap.code).join(', ');
  const reopened = new Reopenings();
  const held: HeldSlice[] = [];
  for (const task of chosen) {
    const dependents = doneDependents(tasks, task.id);
    if (!canRetry(task)) continue;
    if (!dependents.every(canRetry)) {
      const ids = dependents.map((dependent) => dependent.id);
      held.push({ taskId: task.id, why: 'class_evidence', detail, dependents: ids });
      continue;
    }
    const candidate: Reopening = {
      taskId: task.id,
      why: 'class_evidence',
      detail,
      newRound: false,
      evidence,
    };
    reopened.addWithDependents(candidate, dependents);
  }
  return { reopen: reopened.list(), held };
}

function blockedDependency(tasks: readonly Task[], reopened: Reopenings, id: string): boolean {
  const status = tasks.find((task) => task.id === id)?.status;
  return (status === 'failed' || status === 'skipped') && !reopened.has(id);
}

/**
 * Opens the slices again in the journal (pending, a new round of attempts, their failures dropped
 * from the evidence) and returns one `slice_reopened` event each.
 */
export function reopenSlices(journal: ExecutionJournal, reopenings: readonly Reopening[]): EventInput[] {
  const ids = new Set(reopenings.map((r) => r.taskId));
  for (const { taskId, newRound, evidence, dependencyRedone } of reopenings) {
    const task = journal.task(taskId);
    journal.updateTask(taskId, { status: 'pending' });
    const record = sliceRecord(journal.execution, taskId);
    journal.execution = withSlice(journal.execution, {
      ...record,
      ...(newRound ? { roundStart: task.attempts } : {}),
      ...(evidence === undefined ? {} : { lastFailure: evidence }),
      ...(dependencyRedone === true ? { dependencyRedone: true } : {}),
    });
  }
  journal.execution = {
    ...journal.execution,
    failures: journal.execution.failures.filter(
      (failure) =>
        !(
          failure.code === 'slice_failed' && [...ids].some((id) => failure.message.startsWith(`Slice ${id} `))
        ),
    ),
  };
  return reopenings.map(({ taskId, why, detail }) => {
    const task = journal.task(taskId);
    return {
      type: 'slice_reopened',
      data: {
        taskId,
        why,
        detail,
        attempts: task.attempts,
        attemptsUpTo: sliceRecord(journal.execution, taskId).roundStart + task.maxRetries + 1,
      },
    };
  });
}

export function heldEvent(slice: HeldSlice): EventInput {
  return { type: 'slice_reopen_held', data: { ...slice } };
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0]?.slice(0, 200) ?? '';
}

/**
 * Merging only adds what the integration branch lacks, so once a done slice is reopened (its
 * branch starts again from the base) the integration branch starts again from the base too; what
 * it held is kept as a patch beside the attempts' ones.
 */
export async function restartIntegration(
  deps: Pick<ControllerDeps, 'workspaces' | 'store' | 'workspaceRoot'>,
  journal: ExecutionJournal,
  goal: { id: string; repoRoot: string; baseSha: string },
): Promise<EventInput[]> {
  const { baseSha } = goal;
  const integration = journal.execution.integration;
  if (integration === null) return [];
  journal.execution = { ...journal.execution, integration: null, finalGates: [], finalFindings: [] };
  const paths = deps.store.paths(journal.goalId);
  const diffPath = join(paths.attemptArtifacts, INTEGRATION_ID, `${integration.headSha.slice(0, 12)}.diff`);
  // A settled goal's worktrees were removed; its integration branch was kept and is reset here.
  const workspace = (await deps.store.files.exists(integration.workspace))
    ? {
        sliceId: INTEGRATION_ID,
        path: integration.workspace,
        branch: integration.branch,
        baseSha,
        mode: 'worktree' as const,
        fallbackReason: null,
      }
    : await deps.workspaces.openIntegration({
        repoRoot: goal.repoRoot,
        workspaceRoot: deps.workspaceRoot,
        goalId: goal.id,
        baseSha,
      });
  const reset = await deps.workspaces.resetToBase(workspace, diffPath);
  return [
    {
      type: 'slice_reset',
      data: {
        taskId: INTEGRATION_ID,
        attempt: null,
        from: reset.previousHead,
        to: baseSha,
        diff: reset.diffSaved ? relative(paths.dir, diffPath) : null,
      },
    },
  ];
}
