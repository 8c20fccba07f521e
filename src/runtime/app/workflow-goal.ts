import type { GoalRecord } from '../goal/schema.js';
import { type PreparedAgent, prepareAgent } from './agent.js';
import { withPreparedSharedGoal } from './shared-step.js';
import { savedNotice } from './shared-step-notices.js';
import { tell } from './workflow-step-report.js';
import type { WorkflowStepHost, WorkflowStepRequest } from './workflow-step-types.js';

/** Where a step's PRs go: the request's base and the event's default branch, when given. */
export function stepDelivery(request: WorkflowStepRequest) {
  return {
    ...(request.base === undefined ? {} : { base: request.base }),
    ...(request.fallbackBase === undefined ? {} : { fallbackBase: request.fallbackBase }),
  };
}

/**
 * The agent the step asks for, prepared for the goal: a missing or unknown one is refused first.
 * `gatesOnly`: the step starts no agent (verify, review; see `prepareAgent`).
 */
export async function agentFor(
  host: WorkflowStepHost,
  goal: GoalRecord,
  gatesOnly = false,
): Promise<PreparedAgent> {
  return prepareAgent(host.app, goal.repo.root, await host.agent(), goal.options.agent, { gatesOnly });
}

/** How a step on an existing goal is pulled and saved back; `save` null saves nothing. */
export interface WorkflowGoalStep<T, P> {
  save: string | null;
  prepare: (goal: GoalRecord) => Promise<P>;
  act: (prepared: P) => Promise<T>;
  saveIf?: (value: T) => boolean;
}

/**
 * Runs `act` on the goal from the state branch after `prepare`, whose refusal saves nothing.
 * With a `save` message the goal is pushed back afterwards whatever happened, so evidence
 * gathered before a failure is kept; a dry run keeps it on this runner. A goal not on the state
 * branch is the host's refusal.
 */
export async function onWorkflowGoal<T, P>(
  host: WorkflowStepHost,
  request: WorkflowStepRequest,
  goalId: string,
  { save, prepare, act, saveIf }: WorkflowGoalStep<T, P>,
): Promise<T> {
  const step = await withPreparedSharedGoal<T, P>(
    { store: host.app.store, remote: host.remote, reporter: host.app.reporter },
    {
      goalId,
      repoRoot: host.repoRoot,
      save: request.dryRun ? null : save,
      saveOnFailure: true,
      ...(saveIf === undefined ? {} : { saveIf }),
    },
    async (pulled) => {
      host.notify({ kind: 'pulled', level: 'info', goalId, commit: pulled.commit.slice(0, 12) });
      return prepare(pulled.goal);
    },
    ({ prepared }) => act(prepared),
  );
  if (step.kind === 'not_shared')
    throw host.refusal({ code: 'not_on_state_branch', goalId, missing: step.missing });
  if (save !== null) tell(host, savedNotice(goalId, step.saved, request.dryRun));
  return step.value;
}
