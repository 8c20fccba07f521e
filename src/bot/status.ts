import type { GoalRecord } from '../runtime/goal/schema.js';
import type { GoalStore } from '../runtime/goal/store.js';
import type { Proof } from '../runtime/proof/schema.js';
import { proofVersioned } from '../runtime/proof/schema.js';
import { appendDecisions, readDecisions } from '../runtime/state/decisions.js';
import { pathExists } from '../runtime/state/exists.js';
import { readVersioned } from '../runtime/state/versioned.js';
import type { Bot } from './bot.js';
import type { BotGitHub, RepoRef } from './github.js';
import { type Phase, renderStatusComment } from './render.js';

/**
 * Where a goal came from (the thread and the person), kept with the goal as a decision so every
 * later event — a merge on a green check hours later, in another process — finds its status
 * comment. A first-class `origin` on goal.json (set from the create request) would be better.
 */
export interface GoalOrigin {
  issue: number;
  login: string;
}

const ORIGIN_KIND = 'origin';

export async function recordOrigin(
  store: GoalStore,
  goalId: string,
  origin: GoalOrigin & { repo: string; commentId: number },
): Promise<void> {
  await store.withGoalLock(goalId, () =>
    appendDecisions(store.paths(goalId).decisions, store.deps.clock, [
      {
        kind: ORIGIN_KIND,
        decision: `${origin.repo}#${origin.issue}`,
        reason: `started from GitHub comment ${origin.commentId} by @${origin.login}`,
      },
    ]),
  );
}

export async function readOrigin(store: GoalStore, goalId: string): Promise<GoalOrigin | null> {
  const decisions = await readDecisions(store.paths(goalId).decisions);
  const origin = decisions.find((decision) => decision.kind === ORIGIN_KIND);
  const issue = origin ? /#(\d+)$/.exec(origin.decision)?.[1] : undefined;
  const login = origin ? /by @([A-Za-z0-9-]+(?:\[bot\])?)$/.exec(origin.reason)?.[1] : undefined;
  if (issue === undefined || login === undefined) return null;
  return { issue: Number(issue), login };
}

/** The goal and its proof from a store, or nulls when the goal is not (yet) there. */
export async function loadGoal(
  store: GoalStore | null,
  goalId: string,
): Promise<{ goal: GoalRecord | null; proof: Proof | null; origin: GoalOrigin | null }> {
  if (store === null || !(await store.has(goalId))) return { goal: null, proof: null, origin: null };
  const goal = await store.read(goalId);
  const proofPath = store.paths(goalId).proof;
  const proof = (await pathExists(proofPath)) ? await readVersioned(proofVersioned, proofPath) : null;
  return { goal, proof, origin: await readOrigin(store, goalId) };
}

export interface StatusTarget {
  gh: BotGitHub;
  repo: RepoRef;
  /** The thread to show it in when the goal's origin is unknown. */
  issue: number;
}

/** Renders the goal's status comment from its state and writes it (created once, then edited). */
export async function publishStatus(
  bot: Bot,
  target: StatusTarget,
  goalId: string,
  store: GoalStore | null,
  phase: Phase,
  notes: readonly string[] = [],
  startedBy: string | null = null,
): Promise<void> {
  const { goal, proof, origin } = await loadGoal(store, goalId);
  const body = renderStatusComment({
    goalId,
    phase,
    mode: bot.deps.config.mode,
    workflow: bot.deps.config.workflow,
    goal,
    proof,
    notes,
    startedBy: origin?.login ?? startedBy,
  });
  await bot.statuses.upsert(target.gh, target.repo, origin?.issue ?? target.issue, goalId, body);
}
