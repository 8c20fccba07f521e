import type { GoalStore } from '../goal/store.js';
import type { Clock, Reporter } from '../ports.js';
import type { RemoteStateStore } from '../state/remote.js';
import type { UntrustedCustomAgent } from './agent-trust.js';
import type { AppDeps } from './deps.js';
import { bringGoalBranches } from './goal-branches.js';
import type { AppNote } from './notes.js';
import { type PulledGoal, type SharedStepOutcome, withSharedGoal } from './shared-step.js';
import type { SharedStepPlan } from './thread-job.js';

/** What a thread's host is doing about a goal, beside the goal's own status. */
export const THREAD_PHASES = ['queued', 'planning', 'dispatched', 'running', 'settled'] as const;
export type ThreadPhase = (typeof THREAD_PHASES)[number];

/** What a step on a thread refused or ran into with a goal's agent: start it, resume it, or fix a PR. */
export type TrustedStep = 'start' | 'resume' | 'fix';

/** A line of a goal's status on its thread, as data the host words. */
export type ThreadNote =
  | AppNote
  /** The step failed with this error (the host words an expected one and hides the others). */
  | { code: 'failed'; error: unknown }
  | { code: 'not_shared'; goalId: string }
  | { code: 'untrusted_agent'; step: TrustedStep; found: UntrustedCustomAgent };

/** One checkout a thread's host makes for a step: the repository's files, its goal store, the shared state. */
export interface ThreadCheckout {
  repoRoot: string;
  store: GoalStore;
  remote: RemoteStateStore;
}

/** A goal executing in this process: commands on it act on this store. */
export interface ActiveRun {
  store: GoalStore;
}

/**
 * What a thread's host (the bot) gives the steps it takes on goals it keeps on the state branch,
 * for one thread: checkouts, the goal's lock, the goals running here, the use cases' dependencies
 * over a checkout, and the goal's status on the thread.
 */
export interface ThreadHost<W extends ThreadCheckout = ThreadCheckout> {
  /** A checkout of what `kind` asks (a clone of the default branch, or the state only), removed when `fn` ends. */
  checkout<T>(kind: SharedStepPlan['checkout'], fn: (ws: W) => Promise<T>): Promise<T>;
  /** Runs `fn` holding goal `goalId`'s lock: steps on one goal take turns. */
  lock<T>(goalId: string, fn: () => Promise<T>): Promise<T>;
  /** Fetches the goal's branches into the checkout. */
  bringBranches(ws: W, goalId: string): Promise<void>;
  /** Goals executing in this process, by id. */
  runs: Map<string, ActiveRun>;
  /** The use cases' dependencies over one checkout. */
  app(ws: W): AppDeps;
  reporter: Reporter;
  clock: Clock;
  /** Whether goals execute in this process (else a workflow runs them). */
  executesHere: boolean;
  /** The agent the host's operator chose (null: none). */
  operatorAgent: string | null;
  /** Aborted when the host shuts down: a run here stops, resumable. */
  shutdown?: AbortSignal;
  /** Shows the goal's status on its thread as `store` has it (null: before the goal exists). */
  show(
    store: GoalStore | null,
    goalId: string,
    phase: ThreadPhase,
    notes?: readonly ThreadNote[],
    options?: { issue?: number; startedBy?: string },
  ): Promise<void>;
  /** The phase the goal's status on the thread shows now (null: no status yet). */
  shownPhase(goalId: string): Promise<ThreadPhase | null>;
  /** Follows a run here by its events, showing its status as it moves, until stopped. */
  follow(goalId: string, store: GoalStore): { stop(): Promise<void> };
}

/**
 * The host's one step on a goal it keeps on the state branch, as the runtime's plan for it says
 * (`SharedStepPlan`): in `ws`, or a checkout of what the plan needs; the goal's branches brought
 * there when asked; the goal's lock held for the whole step, or (a run) around its pull and push
 * only, the run ceasing to be one of the host's `runs` in its push.
 */
export function onSharedGoal<W extends ThreadCheckout, T>(
  host: ThreadHost<W>,
  goalId: string,
  plan: SharedStepPlan<T>,
  act: (ws: W, pulled: PulledGoal<undefined>) => Promise<T>,
  ws?: W,
): Promise<SharedStepOutcome<T>> {
  return onSharedGoalThen(host, goalId, plan, act, async (step) => step, ws);
}

/** `onSharedGoal`, then `after` in the same checkout and under the same lock, once the goal was pushed. */
export function onSharedGoalThen<W extends ThreadCheckout, T, R>(
  host: ThreadHost<W>,
  goalId: string,
  plan: SharedStepPlan<T>,
  act: (ws: W, pulled: PulledGoal<undefined>) => Promise<T>,
  after: (step: SharedStepOutcome<T>, ws: W) => Promise<R>,
  ws?: W,
): Promise<R> {
  const exclusive = <V>(phase: 'pull' | 'push', fn: () => Promise<V>): Promise<V> =>
    host.lock(goalId, async () => {
      if (phase === 'pull') return fn();
      try {
        return await fn();
      } finally {
        host.runs.delete(goalId);
      }
    });
  const step = async (here: W) => {
    const request = { goalId, ...plan, ...(plan.lock === 'pull_push' ? { exclusive } : {}) };
    const ports = { store: here.store, remote: here.remote, reporter: host.reporter };
    const done = await withSharedGoal(ports, request, async (pulled) => {
      if (plan.branches)
        await bringGoalBranches(host.app(here), goalId, () => host.bringBranches(here, goalId));
      return act(here, pulled);
    });
    return after(done, here);
  };
  const inCheckout = () => (ws === undefined ? host.checkout(plan.checkout, step) : step(ws));
  return plan.lock === 'step' ? host.lock(goalId, inCheckout) : inCheckout();
}
