import type { BudgetCap } from '../budget/ops.js';
import type { RepoAgentSetting } from '../config/repo-settings.js';
import type { MergeMethod } from '../forge/port.js';
import type { GoalStatus } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { UntrustedCustomAgent } from './agent-trust.js';
import { refusedWhileRunning } from './busy.js';
import { untilControlled } from './control.js';
import { type AppNote, mergeNote, type WithheldNote } from './notes.js';
import { onSharedGoal, type ThreadCheckout, type ThreadHost, type ThreadPhase } from './thread-host.js';
import { commandStepPlan } from './thread-job.js';
import {
  type ThreadGoalCommand,
  type ThreadStepResult,
  threadGoalStep,
  threadStepPlan,
} from './thread-step.js';
import { untrustedResumeAgent } from './thread-trust.js';

/** A thread's command on one goal (`/omk goal pause`, …) as its host takes it. */
export interface ThreadCommandRequest {
  goalId: string;
  command: ThreadGoalCommand;
  /** The merge method (asked for a merge only). */
  method: () => Promise<MergeMethod>;
  /** The most a budget command may raise the goal's budget to (the repository's setting). */
  budgetCap?: BudgetCap;
  /** The repository's agent (`.github/omk.yml`): a resume that would run one the host does not trust is refused. */
  agent: RepoAgentSetting | undefined;
  fallbackBase: string;
}

export type ThreadCommand =
  | { kind: 'done'; result: ThreadStepResult }
  | { kind: 'not_shared' }
  /** A resume whose agent the host does not trust: nothing was resumed. */
  | { kind: 'refused'; found: UntrustedCustomAgent };

/**
 * A command on one goal, by the runtime's table for its verb (`threadStepPlan`): on the store of a
 * run in this process when one runs (a lifecycle change once it has taken control), refused while
 * it runs (a BusyError), or on the goal's state from the state branch, its status refreshed as the
 * table says. What follows a resume is the result's to say (`continueOnThread`).
 */
export async function commandOnThread<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  request: ThreadCommandRequest,
): Promise<ThreadCommand> {
  const { goalId, command } = request;
  const plan = threadStepPlan(command);
  const active = host.runs.get(goalId);
  if (plan.whileRunning === 'refused') {
    const verb = command.kind === 'merge' ? 'merge' : 'open-pr';
    const refused = refusedWhileRunning({ goalId, verb, running: active !== undefined });
    if (refused !== null) throw refused;
  }
  const method = command.kind === 'merge' || command.kind === 'accept' ? await request.method() : undefined;
  const step = (store: GoalStore, ws: W | null) =>
    threadGoalStep({
      goalId,
      command,
      store,
      inPlace: ws === null,
      executesHere: host.executesHere,
      app: () => {
        if (ws === null) throw new Error(`${command.kind} needs a checkout`);
        return host.app(ws);
      },
      ...(method === undefined ? {} : { method }),
      ...(request.budgetCap === undefined ? {} : { budgetCap: request.budgetCap }),
      fallbackBase: request.fallbackBase,
    });
  if (active !== undefined && plan.whileRunning !== 'refused') {
    if (plan.whileRunning === 'after_control') {
      await untilControlled(active.store, goalId, {
        clock: host.clock,
        running: () => host.runs.has(goalId),
      });
    }
    // Under the lock the run's final push also holds: the step is in that push, or the run has
    // ended and the step goes to the state branch below.
    const result = await host.lock(goalId, async () => {
      const run = host.runs.get(goalId);
      if (run === undefined) return null;
      const done = await step(run.store, null);
      if (plan.refresh === 'always') await host.show(run.store, goalId, 'running');
      return done;
    });
    if (result !== null) return { kind: 'done', result };
  }
  if (command.kind === 'resume') {
    // A resume that would run an agent the repository's config defines or extends is refused before it resumes.
    const found = await untrustedResumeAgent(host, request.agent, goalId);
    if (found !== null) return { kind: 'refused', found };
  }
  const shared = await onSharedGoal(host, goalId, commandStepPlan(command, goalId), async (ws) => {
    const done = await step(ws.store, ws);
    const notes = stepNotes(done);
    if (plan.refresh !== 'never') {
      const phase = await refreshedPhase(host, goalId, ws.store, done);
      await host.show(ws.store, goalId, phase, notes);
    }
    return done;
  });
  return shared.kind === 'not_shared' ? { kind: 'not_shared' } : { kind: 'done', result: shared.value };
}

/** A goal in the workflow's hands: planned (dispatched, not yet picked up) or running there. */
const WITH_THE_WORKFLOW: readonly GoalStatus[] = ['planned', 'running'];

/**
 * The phase a command's refresh shows for a goal on the state branch. Nothing runs it here; but
 * where a workflow executes goals, a goal the status showed dispatched is still the workflow's
 * while it is planned or running, and a resume about to dispatch the workflow hands it over: the
 * status keeps saying so (and, read back, keeps a redelivered `run` from dispatching it again).
 */
async function refreshedPhase(
  host: ThreadHost,
  goalId: string,
  store: GoalStore,
  done: ThreadStepResult,
): Promise<ThreadPhase> {
  if (host.executesHere) return 'settled';
  if (done.kind === 'transition' && done.followUp === 'dispatch') return 'dispatched';
  if (!WITH_THE_WORKFLOW.includes((await store.read(goalId)).status)) return 'settled';
  return (await host.shownPhase(goalId)) === 'dispatched' ? 'dispatched' : 'settled';
}

/** What a thread's status says after a step: the merge's verdict, or what a person's stop withheld. */
function stepNotes(done: ThreadStepResult): AppNote[] {
  if (done.kind === 'merged')
    return done.result !== null ? [mergeNote(done.result)] : withheldNotes(done.withheld);
  if (done.kind !== 'accepted') return [];
  const { merge, withheld } = done.outcome;
  return [...withheldNotes(withheld), ...(merge.evaluated ? [mergeNote(merge.result)] : [])];
}

function withheldNotes(withheld: WithheldNote | null): AppNote[] {
  return withheld === null ? [] : [withheld];
}
