import { BusyError } from '../errors.js';
import type { GoalStore } from '../goal/store.js';
import { appendDecisions, readDecisions } from '../state/decisions.js';
import { workflowRunIdSuffix } from './shared-goal.js';

/**
 * The job instance of a CI workflow run that asks for a goal: the run's attempt (a rerun of a job
 * has a higher one) and the runner it runs on. Two cells of one matrix job share the run, the job
 * and often the goal text, so they derive one goal id; only this tells them apart.
 */
export interface WorkflowCell {
  /** GITHUB_RUN_ATTEMPT: 1, then 2 for "Re-run jobs", ... */
  attempt: string;
  /** The runner's name and host: every job of one attempt runs on a runner of its own. */
  runner: string;
}

const CELL_KIND = 'workflow_cell';

/** Records which cell created the goal, as a decision (kept by every merge of the state branch). */
export async function recordWorkflowCell(
  store: GoalStore,
  goalId: string,
  cell: WorkflowCell,
): Promise<void> {
  await store.withGoalLock(goalId, () =>
    appendDecisions(store.files, store.paths(goalId).decisions, store.deps.clock, [
      { kind: CELL_KIND, decision: `attempt ${cell.attempt}`, reason: `runner ${cell.runner}` },
    ]),
  );
}

/** The cell that created the goal; null for a goal created elsewhere or before cells were recorded. */
export async function readWorkflowCell(store: GoalStore, goalId: string): Promise<WorkflowCell | null> {
  const decisions = await readDecisions(store.files, store.paths(goalId).decisions);
  const first = decisions.find((decision) => decision.kind === CELL_KIND);
  const attempt = first ? /^attempt (.+)$/.exec(first.decision)?.[1] : undefined;
  const runner = first ? /^runner (.+)$/.exec(first.reason)?.[1] : undefined;
  if (attempt === undefined || runner === undefined) return null;
  return { attempt, runner };
}

/**
 * Whether a goal found on the shared state belongs to another cell of this very attempt (a matrix
 * sibling, running now or done): a rerun has another attempt (GitHub reruns a job only once its
 * attempt ended), and an earlier step of the same job has the same runner.
 */
export function isSiblingCell(recorded: WorkflowCell | null, mine: WorkflowCell): boolean {
  return recorded !== null && recorded.attempt === mine.attempt && recorded.runner !== mine.runner;
}

/**
 * A `run` or `plan` whose derived goal belongs to another cell of the same workflow run attempt:
 * refused before anything runs, so two cells never race on one goal. `holder` is that cell when
 * its record was read (null when it created the goal while this one was planning).
 */
export class SiblingCellError extends BusyError {
  readonly goalId: string;
  readonly holder: WorkflowCell | null;

  constructor(goalId: string, holder: WorkflowCell | null) {
    super(
      `Goal ${goalId} belongs to another job of this workflow run${holder === null ? '' : ` (attempt ${holder.attempt}, ${holder.runner})`}: jobs with the same goal text in one run derive the same goal.`,
      { hint: 'Give each job (each matrix cell) a goal key of its own, so each derives a goal of its own.' },
    );
    this.goalId = goalId;
    this.holder = holder;
  }
}

/** Where a CI step runs, as its runner says; undefined: the runner did not say. */
export interface WorkflowRunPlace {
  /** owner/name */
  repo: string;
  runId: string | undefined;
  job: string | undefined;
  runAttempt: string | undefined;
  runnerName: string | undefined;
  /** The machine the runner runs on. */
  hostname: string;
}

/**
 * How a CI step's new goal is named and held: a saved goal's id derives from the workflow run (a
 * rerun of a killed run continues its goal; `goalKey` tells a matrix job's cells apart), and, when
 * the runner says which attempt this is, this job instance is the cell that holds it. A dry run
 * (nothing is saved) or a step outside a workflow run gets neither.
 */
export function workflowGoalIdentity(
  place: WorkflowRunPlace,
  goal: string,
  options: { goalKey: string | undefined; dryRun: boolean },
): { idSuffix?: string; cell?: WorkflowCell } {
  const { runId, runAttempt } = place;
  if (runId === undefined || options.dryRun) return {};
  const key = { repo: place.repo, runId, job: place.job ?? '' };
  const idSuffix = workflowRunIdSuffix(
    options.goalKey === undefined ? key : { ...key, goalKey: options.goalKey },
    goal,
  );
  if (runAttempt === undefined) return { idSuffix };
  return {
    idSuffix,
    cell: { attempt: runAttempt, runner: `${place.runnerName ?? 'a runner'} on ${place.hostname}` },
  };
}
