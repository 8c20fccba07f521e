import { fetchGoalBranches } from '../../adapters/git/goal-branches.js';
import { publishThroughForge } from '../../adapters/github/app-deps.js';
import { abortOnSignal } from '../../adapters/process/signals.js';
import {
  describeNote,
  executeOneSlice,
  type FanOutHost,
  integratedNotes,
  integrateSlices,
  sliceJobReport,
} from '../../runtime/app/index.js';
import type { ActionRuntime } from '../compose.js';
import { onGoalWithAgent, outcomeFor, requireSlice } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';
import { baseOf } from './execute.js';

/** Matrix jobs share slice branches through the repository and the goal through the state branch. */
function fanOutHost(rt: ActionRuntime): FanOutHost {
  return {
    ...rt.app.shared,
    fetchBranches: (goalId) =>
      fetchGoalBranches(rt.repoRoot, goalId, { remote: rt.remote.url, env: rt.remote.env }),
    publishBranch: publishThroughForge(rt.forge, rt.repoRoot),
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
  // Not saved as a whole: the job pushes only the files it owns.
  const run = await onGoalWithAgent(rt, goalId, null, async (prepared) => {
    await requireSlice(rt, goalId, slice);
    return abortOnSignal(rt.signals, (signal) =>
      executeOneSlice(rt.app, fanOutHost(rt), { goalId, slice, prepared, signal }),
    );
  });
  if (!rt.inputs.dryRun && run.owned.length > 0) {
    await rt.state.push(goalId, `execute: slice ${slice} of ${goalId} (${run.outcome})`, { only: run.owned });
  }
  const report = sliceJobReport(slice, run);
  return outcomeFor(rt, 'execute', goalId, {
    sliceStatus: report.status,
    refused:
      report.kind === 'unfinished'
        ? `Slice ${slice} did not finish (${report.outcome}): ${report.failure ?? 'see the job log'}`
        : null,
    notes: [describeNote({ code: 'slice_job', report }, rt.app.words)],
  });
}

/**
 * `integrate` (and `verify`/`review`): folds every slice job's result into the goal, integrates,
 * reruns the gates and the reviews and settles the proof. `integrate` also runs any slice still
 * pending (waves deeper than the workflow's matrix jobs), then delivers and merges as the goal's
 * policies say; `verify` and `review` run no agent and only report.
 */
export async function integrateCommand(
  rt: ActionRuntime,
  goalId: string,
  command: 'integrate' | 'verify' | 'review',
): Promise<CommandOutcome> {
  const notes = await onGoalWithAgent(rt, goalId, `${command}: goal ${goalId}`, async (prepared) => {
    const done = await integrateSlices(rt.app, fanOutHost(rt), {
      goalId,
      prepared,
      step: command,
      dryRun: rt.inputs.dryRun,
      ...baseOf(rt),
      method: rt.inputs.mergeMethod,
    });
    return integratedNotes(done).map((note) => describeNote(note, rt.app.words));
  });
  return outcomeFor(rt, command, goalId, { judged: true, notes });
}
