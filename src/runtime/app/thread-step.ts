import { addBudget, type BudgetCap, type BudgetView, budgetView } from '../budget/ops.js';
import type { DeliverResult } from '../delivery/deliver.js';
import type { MergeGoalResult } from '../delivery/merge.js';
import type { MergeMethod } from '../forge/port.js';
import { applyLifecycle, type LifecycleResult } from '../goal/actions.js';
import type { LifecycleAction } from '../goal/lifecycle.js';
import type { GoalStore } from '../goal/store.js';
import type { Proof } from '../proof/schema.js';
import type { BudgetAddRequest } from '../requests.js';
import { type AcceptOutcome, acceptGoal } from './accept.js';
import type { AppDeps } from './deps.js';
import {
  type ResumeFollowUp,
  resumeFollowUp,
  type SharedGoalNeeds,
  type SharedGoalVerb,
  sharedGoalNeeds,
} from './goal-steps.js';
import { mergeIntegrator } from './merge.js';
import type { WithheldNote } from './notes.js';
import { openPullRequests } from './open-pr.js';
import { goalView } from './queries.js';

/** A command a forge thread gives about one goal (`/omk goal pause`, …), as data. */
export type ThreadGoalCommand =
  | { kind: 'status' | 'proof' | 'open-pr' | 'merge' | 'pause' | 'resume' }
  | { kind: 'cancel' | 'reject'; reason: string }
  /** `by`: who accepted, as the host knows them (the commenter's login). */
  | { kind: 'accept'; summary: string; by?: string }
  | { kind: 'budget'; add: BudgetAddRequest | null };

/** How a host carries a thread's command out: the one table every goal verb is read from. */
export interface ThreadStepPlan {
  verb: SharedGoalVerb;
  needs: SharedGoalNeeds;
  /**
   * A goal executing in this process: the step acts on the run's own store (`in_place`; a
   * lifecycle change waits until the run has taken control, `after_control`), or is refused
   * (it delivers and merges by its policies when it finishes).
   */
  whileRunning: 'in_place' | 'after_control' | 'refused';
  /** When the host refreshes the goal's status comment: after the step wherever it ran, only after a step on the shared state, or never. */
  refresh: 'always' | 'shared' | 'never';
}

export function threadStepPlan(command: ThreadGoalCommand): ThreadStepPlan {
  const verb: SharedGoalVerb =
    command.kind === 'budget' && command.add !== null ? 'budget-add' : command.kind;
  const needs = sharedGoalNeeds(verb);
  switch (command.kind) {
    case 'status':
      return { verb, needs, whileRunning: 'in_place', refresh: 'always' };
    case 'proof':
    case 'budget':
      return { verb, needs, whileRunning: 'in_place', refresh: 'never' };
    case 'open-pr':
    case 'merge':
      return { verb, needs, whileRunning: 'refused', refresh: 'shared' };
    default:
      return { verb, needs, whileRunning: 'after_control', refresh: 'shared' };
  }
}

/** What a step came to, for the host to word (and, for a resume, what follows it). */
export type ThreadStepResult =
  | { kind: 'status' }
  | { kind: 'proof'; proof: Proof | null }
  | { kind: 'budget'; view: BudgetView }
  | { kind: 'transition'; result: LifecycleResult; followUp: ResumeFollowUp }
  | { kind: 'accepted'; outcome: AcceptOutcome }
  /** `withheld`: a person stopped the delivery part-way (its PRs opened stay); else null. */
  | { kind: 'delivered'; result: DeliverResult | null; withheld: WithheldNote | null }
  /** `withheld`: a person stopped the opening of the PRs the merge needed (no merge tried); else null. */
  | { kind: 'merged'; result: MergeGoalResult | null; withheld: WithheldNote | null };

export interface ThreadStepRequest {
  goalId: string;
  command: ThreadGoalCommand;
  /** The run's own store (`inPlace`), or the shared goal pulled into this checkout. */
  store: GoalStore;
  inPlace: boolean;
  /** Whether this host executes goals itself (a resumed goal continues here) or dispatches them. */
  executesHere: boolean;
  /** The use cases' dependencies over this checkout (opening PRs, merging). */
  app: () => AppDeps;
  method?: MergeMethod;
  /** The most a budget command may raise the goal's budget to (the host's setting). */
  budgetCap?: BudgetCap;
  /** The base of PRs for a goal that started on no branch: the repository's default. */
  fallbackBase: string;
}

/** Carries one thread command out on a goal's state: the use case each verb calls. */
export async function threadGoalStep(request: ThreadStepRequest): Promise<ThreadStepResult> {
  const { command, goalId, store } = request;
  switch (command.kind) {
    case 'status':
      return { kind: 'status' };
    case 'proof':
      return { kind: 'proof', proof: (await goalView(store, goalId)).proof };
    case 'budget': {
      const view =
        command.add === null
          ? await budgetView(store, goalId)
          : await addBudget(store, goalId, command.add, request.budgetCap);
      return { kind: 'budget', view };
    }
    case 'open-pr': {
      const outcome = await openPullRequests(request.app(), {
        goalId,
        fallbackBase: request.fallbackBase,
        dryRun: false,
      });
      if (outcome.dryRun) return { kind: 'delivered', result: null, withheld: null };
      return { kind: 'delivered', result: outcome.result, withheld: outcome.withheld };
    }
    case 'merge': {
      const merged = await mergeIntegrator(request.app(), {
        goalId,
        ...(request.method === undefined ? {} : { method: request.method }),
      });
      return { kind: 'merged', result: merged.result, withheld: merged.withheld };
    }
    case 'accept': {
      // On a shared goal the acceptance is followed by its PRs delivered again and the gated merge
      // (`acceptGoal`); a run in this process delivers and merges by its policies when it ends.
      if (request.inPlace) return lifecycleStep(request, 'accept', command.summary, command.by);
      const outcome = await acceptGoal(request.app(), {
        goalId,
        summary: command.summary,
        ...(command.by === undefined ? {} : { by: command.by }),
        ...(request.method === undefined ? {} : { method: request.method }),
        fallbackBase: request.fallbackBase,
      });
      return { kind: 'accepted', outcome };
    }
    default:
      return lifecycleStep(request, command.kind, 'reason' in command ? command.reason : '');
  }
}

/** A lifecycle change (pause, resume, cancel, accept, reject) on the goal's store, and what follows a resume. */
async function lifecycleStep(
  request: ThreadStepRequest,
  action: LifecycleAction,
  text: string,
  by?: string,
): Promise<ThreadStepResult> {
  const { goalId, store } = request;
  const result = await applyLifecycle(store, goalId, action, text, by);
  // A run in this process continues by itself; a resumed goal on the shared state may need a start.
  const followUp =
    action === 'resume' && !request.inPlace ? resumeFollowUp(result, request.executesHere) : 'none';
  return { kind: 'transition', result, followUp };
}
