import { createGoal } from '../../runtime/goal/create.js';
import type { CreateGoalRequest } from '../../runtime/requests.js';
import type { ActionRuntime } from '../compose.js';
import { prepareAgent } from '../controller.js';
import { outcomeFor, saveGoal, savingState } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';
import { executeAndDeliver } from './execute.js';

/**
 * `plan`: create and plan a goal, save it to the state branch, and list its slices by wave.
 * `run`: the same, then execute the whole goal with the agent, deliver and merge by policy.
 * A run retries slices up to their retries within the budget: a CI step should finish the job.
 */
export async function createCommand(rt: ActionRuntime, mode: 'run' | 'plan'): Promise<CommandOutcome> {
  const { inputs } = rt;
  const goal = inputs.goal;
  if (goal === undefined) throw new Error('unreachable: the inputs schema requires goal for run and plan');
  // Refuse a missing or unknown agent before any goal state exists.
  const prepared = mode === 'run' ? await prepareAgent(rt, null) : null;
  const request: CreateGoalRequest = {
    goal: goal.text,
    rawGoal: goal.raw,
    repo: rt.repoRoot,
    policy: inputs.policy,
    mergePolicy: inputs.mergePolicy,
    sliceExecution: 'worktree',
    untilReady: true,
    maxAgents: inputs.maxAgents,
    budget: inputs.budget,
    agent: inputs.agent ?? prepared?.spec,
  };
  const created = await createGoal(rt, request, mode);
  const id = created.goal.id;
  rt.reporter.info(
    `goal ${id}: ${created.goal.oracle.testable ? `planned ${created.graph.tasks.length} slice(s)` : 'blocked on a human decision'}`,
  );
  await saveGoal(rt, id, `${mode}: create goal ${id}`);
  if (prepared === null || !created.goal.oracle.testable) {
    return outcomeFor(rt, mode, id, { judged: mode === 'run' });
  }
  const executed = await savingState(rt, id, `run: execute goal ${id}`, () =>
    executeAndDeliver(rt, id, prepared),
  );
  return outcomeFor(rt, 'run', id, { judged: true, ...executed });
}
