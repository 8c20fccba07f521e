import { IllegalTransitionError, UsageError } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import { sandboxDecisionRecord } from '../sandbox/decide.js';
import { type ControllerDeps, createRunContext } from './context.js';
import { sliceRecord } from './execution-state.js';
import { ExecutionJournal } from './journal.js';
import { attemptLimit, publishSlice, runSlice, type SliceOutcome } from './slice.js';
import { applySliceResults, readSliceResults, type SliceResult, writeSliceResult } from './slice-result.js';

export interface FanOutDeps extends ControllerDeps {
  /** Makes the goal's slice branches from other runners available locally (git fetch). */
  fetchBranches: () => Promise<void>;
  /** Publishes a finished slice branch so other runners can build on it (git push); runSlice calls it. */
  publishBranch: (branch: string, sha: string, lease?: string) => Promise<void>;
}

export interface SliceRunResult {
  outcome: SliceOutcome | 'already_done';
  result: SliceResult | null;
}

/**
 * Runs ONE slice of a goal, as a matrix runner does: no goal-level control is taken, other
 * runners' results are read from slices/*.json, and this runner writes only slices/<slice>.json
 * (plus its branch). `integrate` folds the results afterwards.
 */
export async function executeSlice(
  deps: FanOutDeps,
  goalId: string,
  sliceId: string,
  options: { untilReady: boolean; signal?: AbortSignal },
): Promise<SliceRunResult> {
  const { store } = deps;
  const goalDir = store.paths(goalId).dir;
  const journal = await ExecutionJournal.open(store, goalId);
  applySliceResults(journal, await readSliceResults(store.files, goalDir));
  const task = journal.graph.tasks.find((t) => t.id === sliceId);
  if (!task) {
    const ids = journal.graph.tasks.map((t) => t.id).join(', ') || '(none)';
    throw new UsageError(`slice: '${sliceId}' is not in the plan of goal ${goalId}.`, {
      hint: `The plan's slices are: ${ids}. Use the 'slices' output of the plan step.`,
    });
  }
  if (task.status === 'done') return { outcome: 'already_done', result: null };
  const goal = await store.read(goalId);
  if (!goal.oracle.testable) {
    throw new IllegalTransitionError(`Goal ${goalId} is blocked on a human decision; no slice can run.`);
  }
  const waiting = task.dependsOn.filter((dep) => journal.task(dep).status !== 'done');
  if (waiting.length > 0) {
    throw new IllegalTransitionError(
      `Slice ${sliceId} depends on ${waiting.join(', ')}, which ${waiting.length === 1 ? 'is' : 'are'} not done yet.`,
      { hint: "Run slices in dependency waves (the plan's 'slices' output gives each slice its wave)." },
    );
  }
  await deps.fetchBranches();
  const eventsBefore = await store.eventLog(goalId).lastSeq();
  const spentBefore = journal.spent;
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const ctx = createRunContext(deps, journal, goal, controller.signal);
  const tasksBefore = new Set(journal.graph.tasks.map((t) => t.id));
  await journal.save([
    {
      type: 'execution_started',
      data: { pid: store.deps.host.pid, host: store.deps.host.hostname, slice: sliceId },
    },
  ]);
  const outcome = await runSlice(ctx, sliceId, attemptLimit(ctx, task, options.untilReady));

  const record = sliceRecord(journal.execution, sliceId);
  if (outcome === 'done' && record.branch && record.headSha)
    await publishSlice(ctx, sliceId, record.branch, record.headSha);
  const all = await store.eventLog(goalId).read();
  const events = all.events
    .filter((event) => event.seq > eventsBefore)
    .map((event) => ({ type: event.type, ts: event.ts, data: event.data }));
  const done = journal.task(sliceId);
  const result: SliceResult = {
    version: 1,
    sliceId,
    task: { status: done.status === 'running' ? 'pending' : done.status, attempts: done.attempts },
    record: { ...sliceRecord(journal.execution, sliceId), agentProcess: null },
    agentRuns: journal.execution.agentRuns.filter((run) => run.taskId === sliceId),
    failures: journal.execution.failures.filter((failure) => failure.message.includes(sliceId)),
    followUps: journal.graph.tasks.filter((t) => !tasksBefore.has(t.id)),
    events,
    spent: {
      timeMs: journal.spent.timeMs - spentBefore.timeMs,
      tokens: journal.spent.tokens - spentBefore.tokens,
      usd: journal.spent.usd - spentBefore.usd,
    },
    runner: { pid: store.deps.host.pid, host: store.deps.host.hostname },
    // The goal's proof must know this runner's agent ran unconfined (agents_unconfined).
    decisions: deps.sandbox === undefined ? [] : [sandboxDecisionRecord(deps.sandbox)],
  };
  await writeSliceResult(store.files, store.paths(goalId).dir, result);
  return { outcome, result };
}

/**
 * Folds every runner's slice result into the goal (graph, evidence, events, spend) once, so the
 * integrate step sees one goal. Results already folded are skipped by their content.
 */
export async function foldSliceResults(deps: Pick<ControllerDeps, 'store'>, goalId: string): Promise<number> {
  const { store } = deps;
  const journal = await ExecutionJournal.open(store, goalId);
  const results = await readSliceResults(store.files, store.paths(goalId).dir);
  const folded = new Set(
    (await journal.events.read()).events
      .filter((e) => e.type === 'slice_result_folded')
      .map((e) => String(e.data.key)),
  );
  const fresh = results.filter((result) => !folded.has(resultKey(result)));
  if (fresh.length === 0) return 0;
  applySliceResults(journal, fresh);
  const events: EventInput[] = [];
  for (const result of fresh) {
    for (const event of result.events)
      events.push({ type: 'slice_event', data: { ...event.data, event: event.type, at: event.ts } });
    events.push({
      type: 'slice_result_folded',
      data: { key: resultKey(result), sliceId: result.sliceId, runner: result.runner },
    });
  }
  const spend = fresh.reduce(
    (sum, r) => ({
      timeMs: sum.timeMs + r.spent.timeMs,
      tokens: sum.tokens + r.spent.tokens,
      usd: sum.usd + r.spent.usd,
    }),
    { timeMs: 0, tokens: 0, usd: 0 },
  );
  await journal.save(events, {
    spend,
    spendNote: `slice results from ${fresh.length} runner(s)`,
    decisions: fresh.flatMap((result) => result.decisions),
  });
  return fresh.length;
}

function resultKey(result: SliceResult): string {
  return `${result.sliceId}:${result.task.status}:${result.task.attempts}:${result.record.headSha ?? '-'}`;
}
