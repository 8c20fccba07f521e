import { type ExecuteResult, executeGoal } from '../../runtime/controller/execute.js';
import { loadDeliveryPlan } from '../../runtime/delivery/deliver.js';
import { afterExecution } from '../../runtime/delivery/pipeline.js';
import type { DeliveryPlan } from '../../runtime/delivery/plan.js';
import { adoptRemoteChanges, watchRemoteChanges } from '../../runtime/goal/remote-changes.js';
import type { ActionRuntime } from '../compose.js';
import { composeController, type PreparedAgent, prepareAgent } from '../controller.js';
import { baseFor, outcomeFor, pullGoal, savingState } from '../goal-state.js';
import type { CommandOutcome } from '../outcome.js';

export interface Executed {
  notes: string[];
  dryRunPlan: DeliveryPlan | null;
}

/**
 * Runs the controller on the whole goal (cancelling the workflow interrupts it, resumably), then
 * delivers and merges as the goal's policies say. With dry-run nothing leaves the runner: the
 * delivery that would follow is returned as a plan.
 */
export async function executeAndDeliver(
  rt: ActionRuntime,
  goalId: string,
  prepared: PreparedAgent,
): Promise<Executed> {
  const goal = await rt.store.read(goalId);
  const deps = await composeController(rt, goal, prepared);
  const interrupt = new AbortController();
  const unsubscribe = rt.signals.subscribe(() => interrupt.abort());
  // A pause or cancel written to the state branch (by the bot, another run, the CLI) reaches the
  // controller through the local goal, which is what it watches.
  const watch = watchRemoteChanges(rt.store, rt.state, goalId, {
    pollMs: statePollMs(rt.env),
    warn: (message) => rt.reporter.warn(message),
  });
  let result: ExecuteResult;
  try {
    result = await rt.core.group(`omk: executing goal ${goalId} with the ${prepared.spec} agent`, () =>
      executeGoal(deps, goalId, { untilReady: goal.options.untilReady, signal: interrupt.signal }),
    );
  } finally {
    unsubscribe();
    await watch.stop();
  }
  if (result.stoppedBy !== null) {
    return { notes: [`execution stopped (${result.stoppedBy}); nothing was delivered`], dryRunPlan: null };
  }
  // One last look: a stop that landed after the last check must not be delivered over.
  const { stop: late } = await adoptRemoteChanges(rt.store, rt.state, goalId);
  if (late !== null) {
    const what = late === 'pause' ? 'paused' : 'cancelled';
    return {
      notes: [`the goal was ${what} on the state branch while it ran; nothing was delivered`],
      dryRunPlan: null,
    };
  }
  const settled = await rt.store.read(goalId);
  const base = baseFor(rt, settled);
  if (rt.inputs.dryRun) {
    if (settled.options.policy === 'local' || base === undefined) {
      return { notes: ['dry-run: no delivery to show (policy local, or no base branch)'], dryRunPlan: null };
    }
    const { plan } = await loadDeliveryPlan(rt.store, goalId, { policy: settled.options.policy, base }, null);
    return { notes: ['dry-run: nothing was pushed, opened or merged'], dryRunPlan: plan };
  }
  const forge = await rt.forge();
  const after = await rt.core.group(`omk: delivering goal ${goalId}`, () =>
    afterExecution({ store: rt.store, forge, reporter: rt.reporter }, goalId, {
      base,
      method: rt.inputs.mergeMethod,
    }),
  );
  const notes = [...after.notes];
  if (after.merge !== null && !after.merge.merged) {
    notes.push(
      `gated merge of PR #${after.merge.pr} blocked by ${after.merge.blockedBy}: ${after.merge.reasons.map((r) => r.detail).join('; ')}`,
    );
  }
  return { notes, dryRunPlan: null };
}

/** `execute` without `slice`: the whole goal in this job, then delivery and merge by policy. */
export async function executeCommand(rt: ActionRuntime, goalId: string): Promise<CommandOutcome> {
  const goal = await pullGoal(rt, goalId);
  const prepared = await prepareAgent(rt, goal.options.agent);
  const executed = await savingState(rt, goalId, `execute: goal ${goalId}`, () =>
    executeAndDeliver(rt, goalId, prepared),
  );
  return outcomeFor(rt, 'execute', goalId, { judged: true, ...executed });
}

/** How often a running goal checks the state branch for a pause or cancel (OMK_STATE_POLL_MS). */
export function statePollMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.OMK_STATE_POLL_MS;
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value >= 100 ? value : DEFAULT_STATE_POLL_MS;
}

const DEFAULT_STATE_POLL_MS = 15_000;
