import { z } from 'zod';
import { parseDuration, parsePositiveInt, parseTokens, parseUsd } from './budget/parse.js';
import { UsageError } from './errors.js';
import { normalizeGoalText } from './goal/intake.js';
import { DELIVERY_POLICIES, MERGE_POLICIES, SLICE_EXECUTIONS } from './goal/schema.js';

/**
 * The requests every front door builds (CLI flags, Action inputs, bot comments), validated here once.
 * Raw values are strings as users type them; each field's parser gives an error with an example.
 */

const MAX_GOAL_CHARS = 8_000;

function choice<T extends readonly string[]>(flag: string, values: T, example: string) {
  return z.string().transform((raw, ctx): T[number] => {
    const value = raw.trim();
    if ((values as readonly string[]).includes(value)) return value as T[number];
    ctx.addIssue({
      code: 'custom',
      message: `${flag}: '${raw}' is not one of ${values.join(', ')}. Example: ${example}`,
    });
    return z.NEVER;
  });
}

/** Wraps a throwing parser (from budget/parse) as a zod transform that keeps its message. */
function parsed<T>(parse: (raw: string) => T) {
  return z.string().transform((raw, ctx): T => {
    try {
      return parse(raw);
    } catch (error) {
      const message =
        error instanceof UsageError ? `${error.message} ${error.hint ?? ''}`.trim() : String(error);
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
  });
}

export const goalTextSchema = z.string().transform((raw, ctx) => {
  const text = normalizeGoalText(raw);
  if (!text) {
    ctx.addIssue({
      code: 'custom',
      message: 'The goal is empty. Example: omk goal run "fix the failing tests"',
    });
    return z.NEVER;
  }
  if (text.length > MAX_GOAL_CHARS) {
    ctx.addIssue({
      code: 'custom',
      message: `The goal is ${text.length} characters; the limit is ${MAX_GOAL_CHARS}.`,
    });
    return z.NEVER;
  }
  return text;
});

/** Budget amounts; `flags` names the inputs in messages (--budget-time on run, --time on budget-add). */
export function budgetInputSchema(
  flags = { time: '--budget-time', tokens: '--budget-tokens', usd: '--budget-usd' },
) {
  return z.object({
    time: parsed((raw) => parseDuration(raw, flags.time)).optional(),
    tokens: parsed((raw) => parseTokens(raw, flags.tokens)).optional(),
    usd: parsed((raw) => parseUsd(raw, flags.usd)).optional(),
  });
}

export const createGoalRequestSchema = z.object({
  goal: goalTextSchema,
  /** Raw text as typed, kept in goal.json beside the normalized form. */
  rawGoal: z.string(),
  repo: z.string().min(1),
  policy: choice('--policy', DELIVERY_POLICIES, '--policy draft-pr').default('local'),
  mergePolicy: choice('--merge-policy', MERGE_POLICIES, '--merge-policy gated').default('disabled'),
  sliceExecution: choice('--slice-execution', SLICE_EXECUTIONS, '--slice-execution worktree').default(
    'worktree',
  ),
  untilReady: z.boolean().default(false),
  maxAgents: parsed((raw) => parsePositiveInt(raw, '--max-agents', '--max-agents 4')).default(4),
  budget: budgetInputSchema().default({}),
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

export const budgetAddRequestSchema = budgetInputSchema({
  time: '--time',
  tokens: '--tokens',
  usd: '--usd',
}).refine((value) => value.time !== undefined || value.tokens !== undefined || value.usd !== undefined, {
  message: 'budget-add needs at least one of --time, --tokens, --usd. Example: omk goal budget-add --time 2h',
});
export type BudgetAddRequest = z.output<typeof budgetAddRequestSchema>;

export const summaryTextSchema = (flag: string, example: string) =>
  z
    .string()
    .transform((raw) => normalizeGoalText(raw))
    .refine((text) => text.length > 0, {
      message: `${flag} is required and must not be empty. Example: ${example}`,
    })
    .refine((text) => text.length <= MAX_GOAL_CHARS, {
      message: `${flag} is longer than ${MAX_GOAL_CHARS} characters.`,
    });

/** Validates `input` with `schema`, turning zod issues into one UsageError that lists them all. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => issue.message);
  throw new UsageError(messages.join('\n'), { cause: result.error });
}
