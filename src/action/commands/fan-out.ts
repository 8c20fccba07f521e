import { fetchGoalBranches } from '../../adapters/git/goal-branches.js';
import { executeGoal } from '../../runtime/controller/execute.js';
import { executeSlice, type FanOutDeps, foldSliceResults } from '../../runtime/controller/execute-slice.js';
import { afterExecution } from '../../runtime/delivery/pipeline.js';
import { type RemoteStop, watchRemoteChanges } from '../../runtime/goal/remote-changes.js';
import type { ActionRuntime } from '../compose.js';
import { composeController, prepareAgent } from '../controller.js';
import { baseFor, outcomeFor, pullGoal, requireSlice, savingState } from '../goal-state.js';
import type { ActionCommand } from '../inputs.js';
import type { CommandOutcome } from '../outcome.js';
import { statePollMs } from './execute.js';

/** The controller plus what a matrix runner needs to share branches through the remote. */
async function fanOutDeps(rt: ActionRuntime, goalId: string): Promise<FanOutDeps> {
  const goal = await rt.store.read(goalId);
  const deps = await composeController(rt, goal, await prepareAgent(rt, goal.options.agent));
  return {
    ...deps,
    fetchBranches: () =>
      fetchGoalBranches(rt.repoRoot, goalId, { remote: rt.remote.url, env: rt.remote.env }),
    publishBranch: async (branch, sha) => (await rt.forge()).push({ repoRoot: rt.repoRoot, branch, sha }),
  };
}

/**
 * `execute` with `slice`: one matrix job runs one slice on its runner, builds on the slices other
 * jobs finished (their branches and results), and pushes only what it owns: its branch and
 * slices/<slice>.json (with its agent transcripts and review). A slice that does not finish fails
 * the step.
 */
export async function executeSliceCommand(
  rt: ActionRuntime,
  goalId: string,
  slice: string,
): Promise<CommandOutcome> {
  await pullGoal(rt, goalId);
  await requireSlice(rt, goalId, slice);
  const deps = await fanOutDeps(rt, goalId);
  const goal = await rt.store.read(goalId);
  const interrupt = new AbortController();
  const unsubscribe = rt.signals.subscribe(() => interrupt.abort());
  // A pause or cancel on the state branch stops this slice too (it stays pending, resumable).
  let stoppedBy: RemoteStop | null = null;
  const watch = watchRemoteChanges(rt.store, rt.state, goalId, {
    pollMs: statePollMs(rt.env),
    warn: (message) => rt.reporter.warn(message),
    onStop: (action) => {
      stoppedBy = action;
      interrupt.abort();
    },
  });
  try {
    const run = await rt.core
      .group(`omk: slice ${slice} of goal ${goalId}`, () =>
        executeSlice(deps, goalId, slice, { untilReady: goal.options.untilReady, signal: interrupt.signal }),
      )
      .finally(() => watch.stop());
    if (!rt.inputs.dryRun && run.outcome !== 'already_done') {
      const owned = [
        `slices/${slice}.json`,
        `artifacts/agent-runs/${slice}/`,
        `artifacts/reviews/${slice}.md`,
      ];
      await rt.state.push(goalId, `execute: slice ${slice} of ${goalId} (${run.outcome})`, { only: owned });
    }
    const finished = run.outcome === 'done' || run.outcome === 'already_done';
    const stopped: RemoteStop | null = stoppedBy;
    if (stopped !== null && !finished) {
      const what = stopped === 'pause' ? 'paused' : 'cancelled';
      return outcomeFor(rt, 'execute', goalId, {
        sliceStatus: run.result?.task.status ?? 'pending',
        notes: [`slice ${slice} stopped: the goal was ${what} on the state branch; nothing more runs here`],
      });
    }
    return outcomeFor(rt, 'execute', goalId, {
      sliceStatus: run.result?.task.status ?? 'done',
      refused: finished
        ? null
        : `Slice ${slice} did not finish (${run.outcome}): ${run.result?.record.lastFailure?.split('\n')[0] ?? 'see the job log'}`,
      notes: [
        run.outcome === 'already_done'
          ? `slice ${slice} was already done; nothing ran`
          : `slice ${slice}: ${run.outcome}; integrate once every slice's job has finished`,
      ],
    });
  } finally {
    unsubscribe();
  }
}

/**
 * `integrate` (and `verify`/`review`): folds every slice job's result into the goal, merges the done
 * slices into omk/<goal>/integration, reruns the gates and the reviews there and settles the proof.
 * `integrate` first runs any slice still pending itself (waves deeper than the workflow's matrix
 * jobs), then delivers and merges as the goal's policies say; `verify` and `review` run no agent
 * and only report.
 */
export async function integrateCommand(
  rt: ActionRuntime,
  goalId: string,
  command: ActionCommand,
): Promise<CommandOutcome> {
  await pullGoal(rt, goalId);
  const deps = await fanOutDeps(rt, goalId);
  const notes = await savingState(rt, goalId, `${command}: goal ${goalId}`, async () => {
    await deps.fetchBranches();
    const folded = await foldSliceResults(deps, goalId);
    const result = await rt.core.group(`omk: ${command} goal ${goalId}`, () =>
      executeGoal(deps, goalId, { untilReady: false, dispatch: command === 'integrate' }),
    );
    const notes = [`folded ${folded} slice result(s); the integrated proof is ${result.proof.status}`];
    if (command !== 'integrate' || rt.inputs.dryRun) return notes;
    const after = await afterExecution(
      { store: rt.store, forge: await rt.forge(), reporter: rt.reporter },
      goalId,
      {
        base: baseFor(rt, result.goal),
        method: rt.inputs.mergeMethod,
      },
    );
    if (after.merge !== null && !after.merge.merged) {
      notes.push(`gated merge of PR #${after.merge.pr} blocked by ${after.merge.blockedBy}`);
    }
    return [...notes, ...after.notes];
  });
  return outcomeFor(rt, command, goalId, { judged: true, notes });
}
