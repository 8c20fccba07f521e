import { abortOnSignal } from '../../adapters/process/signals.js';
import {
  SiblingCellError,
  startSharedGoal,
  UsageError,
  workflowGoalIdentity,
} from '../../runtime/app/index.js';
import { agentChoice } from '../agent-choice.js';
import type { ActionRuntime } from '../compose.js';
import { outcomeFor, reportSaved } from '../goal-state.js';
import { GOAL_KEY_EXAMPLE } from '../inputs.js';
import type { CommandOutcome } from '../outcome.js';
import { deliveryOf, executedNotes } from './execute.js';

/**
 * `plan`: create and plan a goal, save it to the state branch, and list its slices by wave.
 * `run`: the same, then execute the whole goal with the agent, deliver and merge by policy.
 * A run retries slices up to their retries within the budget: a CI step should finish the job.
 * The goal's id is derived from the workflow run (GITHUB_RUN_ID, GITHUB_JOB), the goal-key and the
 * goal: a rerun of the run finds the goal its killed attempt saved and continues it, or reports it
 * settled; another cell of the same matrix job without a goal-key of its own is refused.
 */
export async function createCommand(rt: ActionRuntime, mode: 'run' | 'plan'): Promise<CommandOutcome> {
  const { inputs } = rt;
  const goal = inputs.goal;
  if (goal === undefined) throw new Error('unreachable: the inputs schema requires goal for run and plan');
  const { runId, job, repo, runAttempt, runnerName } = rt.github;
  const where = { repo: `${repo.owner}/${repo.name}`, runId, job, runAttempt, runnerName };
  const { cell, ...derived } = workflowGoalIdentity(
    { ...where, hostname: rt.app.store.deps.host.hostname },
    goal.text,
    { goalKey: inputs.goalKey, dryRun: inputs.dryRun },
  );
  const started = await abortOnSignal(rt.signals, async (signal) =>
    startSharedGoal(rt.app, rt.state, {
      ...(cell === undefined ? {} : { cell }),
      create: {
        goal: goal.text,
        rawGoal: goal.raw,
        repo: rt.repoRoot,
        policy: inputs.policy,
        mergePolicy: inputs.mergePolicy,
        sliceExecution: 'worktree',
        untilReady: true,
        maxAgents: inputs.maxAgents,
        llmPlanner: inputs.planner.llm,
        plannerTokenBudget: inputs.planner.tokenBudget,
        budget: inputs.budget,
        ...(inputs.agent === undefined ? {} : { agent: inputs.agent }),
        ...derived,
      },
      mode,
      agent: await agentChoice(rt),
      execute: { ...deliveryOf(rt), signal },
      save: !inputs.dryRun,
      onCreated: (id, commit) => reportSaved(rt, id, commit),
    }),
  ).catch((error: unknown) => {
    throw error instanceof SiblingCellError ? siblingRefusal(error) : error;
  });
  const id = started.created.goal.id;
  if (started.executed !== null) reportSaved(rt, id, started.saved.executed);
  if (started.executed === null) return outcomeFor(rt, mode, id, { judged: mode === 'run' });
  return outcomeFor(rt, 'run', id, { judged: true, ...executedNotes(rt, started.executed) });
}

/** Another cell of this matrix job holds the goal: the input that tells cells apart is goal-key. */
function siblingRefusal(error: SiblingCellError): UsageError {
  return new UsageError(`goal-key: ${error.message.replace(/^Goal/, 'goal')}`, {
    hint: `Give each cell of a matrix job a goal-key of its own. Example: ${GOAL_KEY_EXAMPLE}`,
    cause: error,
  });
}
