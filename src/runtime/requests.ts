import { z } from 'zod';
import { type Parsed, parseDuration, parsePositiveInt, parseTokens, parseUsd } from './budget/parse.js';
import { RequestError } from './errors.js';
import { MERGE_METHODS } from './forge/port.js';
import { normalizeGoalText } from './goal/intake.js';
import {
  DEFAULT_PLANNER_TOKEN_BUDGET,
  DELIVERY_POLICIES,
  MERGE_POLICIES,
  SLICE_EXECUTIONS,
} from './goal/schema.js';
import { describeIssue, NEUTRAL_SPELLING } from './request-issue-text.js';
import {
  type RequestField,
  type RequestIssue,
  requestIssuesOf,
  type TextField,
  zodIssue,
} from './request-issues.js';
import { SANDBOX_MODES } from './sandbox/port.js';

/**
 * The requests every front door builds (CLI flags, Action inputs, bot comments), validated here once.
 * Raw values are strings as users type them; a refused value is reported as a RequestIssue (data)
 * that each front door words for its host.
 */

const MAX_GOAL_CHARS = 8_000;
const MAX_PLANNER_TOKEN_BUDGET = 1_000_000;

/** Example texts shown when a free-text field is empty. */
const TEXT_EXAMPLES: Record<TextField, string> = {
  goal: 'fix the failing tests',
  summary: 'fixed the parser, tests green',
  reason: 'wrong approach: keep the old API',
};

function report(ctx: z.RefinementCtx, issue: RequestIssue): void {
  ctx.addIssue(zodIssue(issue, describeIssue(issue, NEUTRAL_SPELLING)));
}

function choice<T extends readonly string[]>(field: RequestField, values: T, example: T[number]) {
  return z.string().transform((raw, ctx): T[number] => {
    const value = raw.trim();
    if ((values as readonly string[]).includes(value)) return value as T[number];
    report(ctx, { code: 'not_one_of', field, value: raw, allowed: values, example });
    return z.NEVER;
  });
}

/** A parser from budget/parse as a zod transform that reports its issue. */
function parsed<T>(parse: (raw: string) => Parsed<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok) return result.value;
    report(ctx, result.issue);
    return z.NEVER;
  });
}

/** Free text (a goal, a summary, a reason): normalized, not empty, at most MAX_GOAL_CHARS. */
function freeText(field: TextField) {
  return z.string().transform((raw, ctx) => {
    const text = normalizeGoalText(raw);
    if (!text) {
      report(ctx, { code: 'empty', field, example: TEXT_EXAMPLES[field] });
      return z.NEVER;
    }
    if (text.length > MAX_GOAL_CHARS) {
      report(ctx, { code: 'too_long', field, length: text.length, max: MAX_GOAL_CHARS });
      return z.NEVER;
    }
    return text;
  });
}

export const goalTextSchema = freeText('goal');

/** How a goal is delivered: kept local, draft PRs, or PRs ready for review. */
export const deliveryPolicySchema = choice('policy', DELIVERY_POLICIES, 'draft-pr');

/** How the integrator PR is merged. */
export const mergeMethodSchema = choice('mergeMethod', MERGE_METHODS, 'squash');

/** This run's sandbox, over the config's `sandbox`. */
export const sandboxModeSchema = choice('sandbox', SANDBOX_MODES, 'required');

type BudgetFields = { time: RequestField; tokens: RequestField; usd: RequestField };

/** Budget amounts; `fields` names them in issues (budgetTime on a new goal, time on budget-add). */
export function budgetInputSchema(
  fields: BudgetFields = { time: 'budgetTime', tokens: 'budgetTokens', usd: 'budgetUsd' },
) {
  return z.object({
    time: parsed((raw) => parseDuration(raw, fields.time)).optional(),
    tokens: parsed((raw) => parseTokens(raw, fields.tokens)).optional(),
    usd: parsed((raw) => parseUsd(raw, fields.usd)).optional(),
  });
}

export const createGoalRequestSchema = z.object({
  goal: goalTextSchema,
  /** Raw text as typed, kept in goal.json beside the normalized form. */
  rawGoal: z.string(),
  repo: z.string().min(1),
  policy: deliveryPolicySchema.default('local'),
  mergePolicy: choice('mergePolicy', MERGE_POLICIES, 'gated').default('disabled'),
  sliceExecution: choice('sliceExecution', SLICE_EXECUTIONS, 'worktree').default('worktree'),
  untilReady: z.boolean().default(false),
  /** The goal means to change what its gates run (goal.json options.allowGateEdits). */
  allowGateEdits: z.boolean().default(false),
  /** The goal means to change its CI workflows (goal.json options.allowWorkflowEdits). */
  allowWorkflowEdits: z.boolean().default(false),
  maxAgents: parsed((raw) => parsePositiveInt(raw, 'maxAgents', '4')).default(4),
  budget: budgetInputSchema().default({}),
  /** Let an agent plan the goal (on by default when the goal has an agent); off: the heuristic. */
  llmPlanner: z.boolean().default(true),
  /** The most tokens the planning prompt may take. */
  plannerTokenBudget: parsed((raw) =>
    parsePositiveInt(raw, 'plannerTokenBudget', '8000', MAX_PLANNER_TOKEN_BUDGET),
  ).default(DEFAULT_PLANNER_TOKEN_BUDGET),
  /** A preset (claude, codex, …), `script:<path>`, a custom name from .omk/config.yml, or `demo`. */
  agent: z.string().trim().min(1).optional(),
  /** A front door that derives ids (the bot, from a comment) passes the suffix; else it is random. */
  idSuffix: z
    .string()
    .regex(/^[a-f0-9]{6,}$/)
    .optional(),
});
export type CreateGoalRequest = z.output<typeof createGoalRequestSchema>;
export type CreateGoalInput = z.input<typeof createGoalRequestSchema>;

const BUDGET_ADD_FIELDS = { time: 'time', tokens: 'tokens', usd: 'usd' } as const;

export const budgetAddRequestSchema = budgetInputSchema(BUDGET_ADD_FIELDS).superRefine((value, ctx) => {
  if (value.time !== undefined || value.tokens !== undefined || value.usd !== undefined) return;
  const fields = Object.values(BUDGET_ADD_FIELDS);
  report(ctx, { code: 'none_given', field: 'time', fields, example: '2h' });
});
export type BudgetAddRequest = z.output<typeof budgetAddRequestSchema>;

/** The text of an accept (its summary) or a reject (its reason). */
export const summaryTextSchema = (field: 'summary' | 'reason') => freeText(field);

/** Validates `input` with `schema`; every issue goes into one RequestError for the front door to word. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new RequestError(requestIssuesOf(result.error), { cause: result.error });
}
