import type { RepoSettings } from '../config/repo-settings.js';
import type { RequestField } from '../request-issues.js';
import type { CreateGoalRequest } from '../requests.js';

type BudgetKey = 'time' | 'tokens' | 'usd';

const BUDGET_FIELDS: Record<BudgetKey, RequestField> = {
  time: 'budgetTime',
  tokens: 'budgetTokens',
  usd: 'budgetUsd',
};

/** A part of the budget a start request asks for beyond the repository's cap (`budget.<key>`). */
export interface BudgetOverCap {
  key: BudgetKey;
  field: RequestField;
  asked: number;
  cap: number;
}

/** The start request with the repository's defaults, or the parts of its budget over the repository's cap. */
export type RepoDefaultsOutcome =
  | { ok: true; request: CreateGoalRequest }
  | { ok: false; over: BudgetOverCap[] };

/**
 * A thread's start request with the repository's settings (`.github/omk.yml`) for what the
 * command did not give (`given`: the request fields it named). The settings' `budget` is also a
 * cap: a request asking for more of any part is refused, and nothing starts.
 */
export function withRepoDefaults(
  request: CreateGoalRequest,
  given: readonly RequestField[],
  settings: RepoSettings,
): RepoDefaultsOutcome {
  const budget = settings.budget ?? {};
  const over: BudgetOverCap[] = [];
  for (const key of ['time', 'tokens', 'usd'] as const) {
    const cap = budget[key];
    const asked = request.budget[key];
    if (cap !== undefined && asked !== undefined && asked > cap)
      over.push({ key, field: BUDGET_FIELDS[key], asked, cap });
  }
  if (over.length > 0) return { ok: false, over };
  const unless = <T>(field: RequestField, value: T | undefined, current: T): T =>
    given.includes(field) || value === undefined ? current : value;
  const capped = (key: BudgetKey) => {
    const value = budget[key];
    return given.includes(BUDGET_FIELDS[key]) || value === undefined ? {} : { [key]: value };
  };
  return {
    ok: true,
    request: {
      ...request,
      policy: unless('policy', settings.policy, request.policy),
      mergePolicy: unless('mergePolicy', settings.mergePolicy, request.mergePolicy),
      maxAgents: unless('maxAgents', settings.maxAgents, request.maxAgents),
      budget: { ...request.budget, ...capped('time'), ...capped('tokens'), ...capped('usd') },
    },
  };
}
