import { createHash } from 'node:crypto';
import { NotFoundError, OmkError } from '../errors.js';
import { relocateGoal } from '../goal/actions.js';
import { catchUpFailureRecord } from '../goal/failure.js';
import { checkGoalRef, newGoalId } from '../goal/ids.js';
import { type GoalOrigin, recordOrigin } from '../goal/origin.js';
import { settleRecordedMerge } from '../goal/recorded-merge.js';
import type { RepoScope } from '../goal/repo-scope.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { CreateGoalRequest } from '../requests.js';
import type { PulledState, RemoteStateStore } from '../state/remote.js';
import type { AppDeps } from './deps.js';
import { resolveGoal } from './goal-ref.js';
import { checkSharedGoal } from './shared-goal-check.js';
import { startGoal } from './start.js';

/** A goal brought from the shared state (the state branch), or why it is not there. */
export type SharedGoal =
  | { found: true; goal: GoalRecord; commit: string }
  | { found: false; missing: 'branch' | 'goal' };

/**
 * Pulls goal `goalId` from the shared state into the local store. With `repoRoot`, a goal another
 * machine created is pointed at this machine's checkout.
 */
export async function pullSharedGoal(
  store: GoalStore,
  remote: RemoteStateStore,
  goalId: string,
  options: { repoRoot?: string } = {},
): Promise<SharedGoal> {
  const pulled = await remote.pull(goalId);
  if (pulled === null) return { found: false, missing: 'branch' };
  if (!(await store.has(goalId))) return { found: false, missing: 'goal' };
  await checkSharedGoal(store, goalId, pulled.commit);
  // The next run decides from the goal's status: a merge recorded only in its events counts, and
  // a failed goal killed before its failure.json gets it.
  const { goal: settled } = await settleRecordedMerge(store, goalId);
  await catchUpFailureRecord(store, settled);
  const goal =
    options.repoRoot === undefined
      ? await store.read(goalId)
      : await relocateGoal(store, goalId, options.repoRoot);
  return { found: true, goal, commit: pulled.commit };
}

/**
 * Pulls what a goal reference needs from the shared state: the goal by its whole id, else every
 * goal on the branch (`latest` or a prefix is then resolved among them). The commit and the goals
 * pulled, or null when the branch does not exist yet.
 */
export async function pullSharedGoals(
  store: GoalStore,
  remote: RemoteStateStore,
  wanted: string | null,
): Promise<PulledState | null> {
  const pulled = await remote.pull(wanted);
  if (pulled !== null && wanted !== null && !(await store.has(wanted))) return remote.pull(null);
  return pulled;
}

/**
 * The goal a reference (`latest` when left out, a prefix or a whole id) names on the shared state
 * on `branch`: the goals it may name are pulled first, then it is resolved among them and the goals
 * of `scope`'s repository (every goal with a null scope), not another repository's goals in this
 * state root. Refuses when the branch does not exist yet.
 */
export async function resolveSharedGoal(
  store: GoalStore,
  remote: RemoteStateStore,
  ref: string | undefined,
  branch: string,
  scope: RepoScope | null,
): Promise<string> {
  const wanted = ref === undefined || ref === 'latest' ? null : checkGoalRef(ref);
  const pulled = await pullSharedGoals(store, remote, wanted);
  if (pulled === null) {
    throw new NotFoundError(`The remote has no ${branch} branch yet.`, {
      hint: 'Goals appear there once the Action or the bot has run one.',
    });
  }
  const id = await resolveAmongShared(store, ref, scope, pulled.goals);
  // What a status shows of a goal from the branch is checked as a step's pull checks it.
  if (pulled.goals.includes(id)) await checkSharedGoal(store, id, pulled.commit);
  return id;
}

async function resolveAmongShared(
  store: GoalStore,
  ref: string | undefined,
  scope: RepoScope | null,
  goals: readonly string[],
): Promise<string> {
  if (scope === null) return resolveGoal(store, ref, null);
  // The branch's goals are this repository's, made in other checkouts of it (CI runners).
  const roots = new Set<string>();
  for (const id of goals) {
    // A damaged goal.json: resolving skips it as it does locally.
    const goal = await store.read(id).catch((error: unknown) => {
      if (error instanceof OmkError) return null;
      throw error;
    });
    if (goal !== null) roots.add(goal.repo.root);
  }
  const shared: RepoScope = { root: scope.root, holds: (root) => scope.holds(root) || roots.has(root) };
  return resolveGoal(store, ref, shared);
}

/** A goal created from a request on a forge thread: where it came from, recorded with the goal. */
export type ThreadOrigin = GoalOrigin & { repo: string; commentId: number };

/** The goal a start request names, brought from or put onto the shared state, and whether it may start. */
export interface SharedStart {
  goal: GoalRecord;
  /** False when the goal was already on the shared state (a redelivery, a restart). */
  created: boolean;
  /** Only a goal still `planned` starts: one that ran, or is running elsewhere, is not started again. */
  startable: boolean;
}

/**
 * The goal-id suffix of a request made in a forge thread's comment (`owner/repo#<comment id>`):
 * hex of its sha256, so a redelivered or re-read comment derives the same goal.
 */
export function threadIdSuffix(commentKey: string): string {
  return createHash('sha256').update(commentKey).digest('hex').slice(0, 12);
}

/** Where in CI a `run` or `plan` was asked for: the repository, the workflow run and its job. */
export interface WorkflowRunKey {
  /** owner/name */
  repo: string;
  /** The same for every attempt of the run, so "Re-run jobs" finds the goal its first attempt created. */
  runId: string;
  /** The job's id in the workflow (also kept by a rerun); two jobs of one run make goals of their own. */
  job: string;
  /**
   * What tells apart the cells of a matrix job, which share the run, the job and the goal text
   * (e.g. the cell's index); undefined when the job is not a matrix.
   */
  goalKey?: string;
}

/**
 * The goal-id suffix of a `run` or `plan` in a CI workflow run, from where it was asked for and the
 * goal's text: a rerun derives the same goal, another run of the workflow (or another job, or
 * another goal key) another. Without a goal key the suffix is the one omk always derived.
 */
export function workflowRunIdSuffix(key: WorkflowRunKey, goal: string): string {
  const cell = key.goalKey === undefined ? '' : `${JSON.stringify(key.goalKey)}:`;
  return threadIdSuffix(`${key.repo}:${key.runId}:${key.job}:${cell}${goal}`);
}

/**
 * The id of the goal a request creates, known before it exists when the front door derives the
 * suffix (the bot, from the comment): a redelivered request finds the goal it created.
 */
export function derivedGoalId(create: CreateGoalRequest): string {
  return newGoalId(create.goal, create.idSuffix ?? '');
}

/**
 * Creates and plans the request's goal once and shares it: a goal already on the shared state is
 * reused, a new one is planned, its origin recorded and pushed, so every later step, in this
 * process, a workflow or a CLI, starts from the same truth. `beforeCreate` is asked only for a new
 * goal, before it is planned: a refusal thrown there leaves no goal, here or on the shared state.
 */
export async function planSharedGoal(
  deps: AppDeps,
  remote: RemoteStateStore,
  create: CreateGoalRequest,
  origin: ThreadOrigin,
  beforeCreate?: () => Promise<void>,
): Promise<SharedStart> {
  const goalId = derivedGoalId(create);
  await remote.pull(goalId);
  const created = !(await deps.store.has(goalId));
  if (created) {
    await beforeCreate?.();
    await startGoal(deps, { create: { ...create, idSuffix: create.idSuffix ?? '' }, mode: 'plan' });
    await recordOrigin(deps.store, goalId, origin);
    await remote.push(goalId, `omk: create goal ${goalId} from ${origin.repo}#${origin.issue}`);
  }
  const goal = await deps.store.read(goalId);
  return { goal, created, startable: goal.status === 'planned' };
}
