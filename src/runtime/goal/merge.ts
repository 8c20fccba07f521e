import { StateError } from '../errors.js';
import { type JsonlRecord, parseJsonlRecords, rebaseJsonl, renderJsonl } from '../state/jsonl-merge.js';
import { parseVersioned } from '../state/versioned.js';
import { ALLOWED_FROM, type LifecycleAction } from './lifecycle.js';
import { type BudgetLimits, type GoalRecord, type GoalStatus, goalRecordVersioned } from './schema.js';

/**
 * Two copies of one goal's state (this machine's and the shared remote's) merged into one, so a
 * save never replaces what another writer recorded meanwhile. Pure: texts in, texts out.
 *
 * - events.jsonl, decisions.jsonl, budget.jsonl: append-only, merged by rebaseJsonl (the remote's
 *   history in place, this machine's own appends after it).
 * - budget.jsonl is a running total, so this machine's own checkpoints are re-added on top of the
 *   remote's last one (each by how much it changed limits and spend on its own side).
 * - goal.json: this machine's record (it knows how its run went), with every lifecycle decision
 *   only the remote has applied in the remote's order when the lifecycle table allows it from the
 *   status reached (a pause, cancel, accept, reject, resume, merge written elsewhere wins over a
 *   stale copy), and the budget limits of the merged ledger.
 * - failure.json: the remote's when its cancel was adopted or this machine has none.
 * proof.json is derived from all of these and is rebuilt by the caller, never merged.
 */
export interface GoalTexts {
  goal: string | null;
  events: string | null;
  decisions: string | null;
  budget: string | null;
  failure: string | null;
}

export type AdoptedDecision = LifecycleAction | 'merge' | 'budget-add';

export interface MergedGoal {
  /** Files to write, by their GoalTexts key; absent keys are unchanged. */
  writes: Partial<Record<keyof GoalTexts, string>>;
  /** The merged goal record (revision as ours: the store bumps it when written). */
  goal: GoalRecord;
  /** Decisions of the remote this merge brought in, in order. */
  adopted: AdoptedDecision[];
  /** The events changed (the proof must be rebuilt). */
  eventsChanged: boolean;
}

const ACTION_OF: Record<string, LifecycleAction | 'merge'> = {
  goal_paused: 'pause',
  goal_resumed: 'resume',
  goal_cancelled: 'cancel',
  goal_accepted: 'accept',
  goal_rejected: 'reject',
  goal_merged: 'merge',
};

const MERGED_FROM: readonly GoalStatus[] = ['ready', 'not_ready', 'accepted'];

export function mergeGoalTexts(ours: GoalTexts, theirs: GoalTexts, source: string): MergedGoal {
  if (ours.goal === null)
    throw new StateError(`${source}: this machine has no goal.json to merge the remote's copy into.`);
  const oursGoal = parseVersioned(
    goalRecordVersioned,
    parseJson(ours.goal, source),
    `${source}: local goal.json`,
  );
  const writes: MergedGoal['writes'] = {};
  const events = rebaseJsonl(parseJsonlRecords(ours.events ?? ''), parseJsonlRecords(theirs.events ?? ''));
  if (events.changed) writes.events = renderJsonl(events.records);
  const decisions = rebaseJsonl(
    parseJsonlRecords(ours.decisions ?? ''),
    parseJsonlRecords(theirs.decisions ?? ''),
  );
  if (decisions.changed) writes.decisions = renderJsonl(decisions.records);
  const budget = mergeBudget(parseJsonlRecords(ours.budget ?? ''), parseJsonlRecords(theirs.budget ?? ''));
  if (budget.changed) writes.budget = renderJsonl(budget.records);

  let goal: GoalRecord = structuredClone(oursGoal);
  const adopted: AdoptedDecision[] = [];
  for (const record of events.theirsOnly) {
    const action = ACTION_OF[String(record.value.type)];
    if (action === undefined) continue;
    const data = (record.value.data ?? {}) as Record<string, unknown>;
    const next = applyDecision(goal, action, data);
    if (next === null) continue;
    goal = next;
    adopted.push(action);
  }
  const limits = budget.records.length > 0 ? limitsOf(budget.records.at(-1)?.value) : null;
  if (limits !== null && !sameLimits(limits, goal.budget) && budget.theirsOnly.some(isAdd)) {
    goal = { ...goal, budget: limits };
    adopted.push('budget-add');
  }
  if (JSON.stringify(goal) !== JSON.stringify(oursGoal)) writes.goal = JSON.stringify(goal);
  if (theirs.failure !== null && (adopted.includes('cancel') || ours.failure === null)) {
    if (theirs.failure !== ours.failure) writes.failure = theirs.failure;
  }
  return { writes, goal, adopted, eventsChanged: events.changed };
}

/** The record after one remote decision, or null when the lifecycle table refuses it from here. */
function applyDecision(
  goal: GoalRecord,
  action: LifecycleAction | 'merge',
  data: Record<string, unknown>,
): GoalRecord | null {
  const from = goal.status;
  switch (action) {
    case 'pause':
      // resume --auto records an orphaned run as interrupted with this event: not a person's pause.
      // A pause made while the goal ran also stops a copy that has since reached `ready` here:
      // its delivery and merge wait, and a resume brings it back to `ready`.
      if (data.to !== 'paused' || !(ALLOWED_FROM.pause.includes(from) || from === 'ready')) return null;
      return {
        ...goal,
        status: 'paused',
        resumeTo: from === 'interrupted' ? (goal.resumeTo ?? 'running') : from,
      };
    case 'resume': {
      if (!ALLOWED_FROM.resume.includes(from)) return null;
      const to = from === 'not_ready' ? from : (goal.resumeTo ?? 'planned');
      return { ...goal, status: to, resumeTo: null, controller: null };
    }
    case 'cancel':
      if (!ALLOWED_FROM.cancel.includes(from)) return null;
      return { ...goal, status: 'cancelled', controller: null };
    case 'accept':
      if (!ALLOWED_FROM.accept.includes(from)) return null;
      return { ...goal, status: 'accepted' };
    case 'reject':
      if (!ALLOWED_FROM.reject.includes(from)) return null;
      return { ...goal, status: 'rejected', controller: null };
    case 'merge':
      if (!MERGED_FROM.includes(from)) return null;
      return { ...goal, status: 'merged', controller: null };
  }
}

interface MergedBudget {
  records: JsonlRecord[];
  theirsOnly: JsonlRecord[];
  changed: boolean;
}

/**
 * budget.jsonl rebased, then this machine's own checkpoints made cumulative again on top of the
 * remote's last one: each adds what it added on its own side (spend, and limits for `add`).
 */
function mergeBudget(ours: readonly JsonlRecord[], theirs: readonly JsonlRecord[]): MergedBudget {
  const rebased = rebaseJsonl(ours, theirs);
  if (rebased.oursOnly.length === 0 || rebased.theirsOnly.length === 0) return rebased;
  const records = rebased.records.slice(0, rebased.theirsCount);
  for (const record of rebased.oursOnly) {
    const index = ours.findIndex((candidate) => candidate.identity === record.identity);
    const ownPrevious = index > 0 ? ours[index - 1]?.value : undefined;
    const mergedPrevious = records.at(-1)?.value;
    records.push({ ...record, value: reaccumulate(record.value, ownPrevious, mergedPrevious) });
  }
  return { records, theirsOnly: rebased.theirsOnly, changed: true };
}

const LIMIT_KEYS = ['timeMs', 'tokens', 'usd'] as const;

function reaccumulate(
  own: Record<string, unknown>,
  ownPrevious: Record<string, unknown> | undefined,
  mergedPrevious: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const spent = numbers(own.spent);
  const prevSpent = numbers(ownPrevious?.spent);
  const baseSpent = numbers(mergedPrevious?.spent);
  const limits = limitsOf(own);
  const prevLimits = limitsOf(ownPrevious);
  const baseLimits = limitsOf(mergedPrevious);
  if (spent === null || limits === null) return own;
  const newSpent: Record<string, number> = {};
  const newLimits: Record<string, number | null> = {};
  for (const key of LIMIT_KEYS) {
    const delta = spent[key] - (prevSpent?.[key] ?? 0);
    newSpent[key] = round(Math.max(0, (baseSpent?.[key] ?? 0) + delta), key);
    const mine = limits[key];
    const before = prevLimits?.[key] ?? null;
    const base = baseLimits?.[key] ?? null;
    // A checkpoint that did not change a limit on its own side keeps the merged one.
    newLimits[key] =
      mine === before
        ? base
        : mine === null || base === null || before === null
          ? mine
          : round(base + (mine - before), key);
  }
  return { ...own, limits: newLimits, spent: newSpent };
}

function round(value: number, key: string): number {
  return key === 'usd' ? Math.round(value * 1_000_000) / 1_000_000 : Math.round(value);
}

function numbers(value: unknown): Record<(typeof LIMIT_KEYS)[number], number> | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const out = { timeMs: 0, tokens: 0, usd: 0 };
  for (const key of LIMIT_KEYS) {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isFinite(n)) return null;
    out[key] = n;
  }
  return out;
}

function limitsOf(record: Record<string, unknown> | undefined): BudgetLimits | null {
  const value = record?.limits;
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const pick = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null);
  return { timeMs: pick(v.timeMs), tokens: pick(v.tokens), usd: pick(v.usd) };
}

function sameLimits(a: BudgetLimits, b: BudgetLimits): boolean {
  return a.timeMs === b.timeMs && a.tokens === b.tokens && a.usd === b.usd;
}

function isAdd(record: JsonlRecord): boolean {
  return record.value.kind === 'add';
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StateError(`${source}: local goal.json is not valid JSON.`, { cause: error });
  }
}
