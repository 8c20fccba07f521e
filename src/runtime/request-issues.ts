import type { z } from 'zod';

/**
 * What is wrong with a request, as data. The runtime never spells how a user typed a field (a
 * flag, an Action input, a comment option): it names the request's own property and each front
 * door words the issue for its host (src/cli/wording.ts, src/action/wording.ts, src/bot/wording.ts).
 */

/** The fields of the requests, by their property names; a new goal's budget amounts flattened. */
export const REQUEST_FIELDS = [
  // create goal (run, plan)
  'goal',
  'policy',
  'mergePolicy',
  'sliceExecution',
  'maxAgents',
  'plannerTokenBudget',
  'budgetTime',
  'budgetTokens',
  'budgetUsd',
  // budget-add
  'time',
  'tokens',
  'usd',
  // accept, reject
  'summary',
  'reason',
  // what a run or an open-pr may name besides: the agent, the PRs' base branch
  'agent',
  'baseBranch',
  // how a merge is made; the sandbox a run asks for
  'mergeMethod',
  'sandbox',
  // arguments appended to the agent's command (the Action's agent-args)
  'agentArgs',
  // a new goal that means to change what its gates run
  'allowGateEdits',
  // a new goal that means to change its CI workflows
  'allowWorkflowEdits',
] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];

/** The free-text fields whose issues are about the text as a whole (empty, too long). */
export type TextField = Extract<RequestField, 'goal' | 'summary' | 'reason'>;

export type RequestIssue =
  | { code: 'not_one_of'; field: RequestField; value: string; allowed: readonly string[]; example: string }
  | {
      code: 'bad_duration';
      field: RequestField;
      value: string;
      problem: 'format' | 'not_positive' | 'too_long';
      /** The longest duration accepted, as typed (365d). */
      max: string;
      example: string;
    }
  | {
      code: 'bad_tokens';
      field: RequestField;
      value: string;
      problem: 'format' | 'not_whole';
      examples: readonly string[];
    }
  | { code: 'bad_usd'; field: RequestField; value: string; examples: readonly string[] }
  | { code: 'bad_count'; field: RequestField; value: string; min: number; max: number; example: string }
  | { code: 'empty'; field: TextField; example: string }
  | { code: 'too_long'; field: TextField; length: number; max: number }
  /** None of `fields` was given, and the request needs at least one (budget-add). */
  | { code: 'none_given'; field: RequestField; fields: readonly RequestField[]; example: string }
  /** Arguments for an agent that runs no command (the built-in demo agent). */
  | { code: 'takes_no_args'; field: 'agentArgs'; agent: string; example: string }
  /** A check of the schema itself (zod's own message), not about a value a user typed. */
  | { code: 'invalid'; message: string };

export type RequestIssueCode = RequestIssue['code'];

const ISSUE_CODES: readonly string[] = [
  'not_one_of',
  'bad_duration',
  'bad_tokens',
  'bad_usd',
  'bad_count',
  'empty',
  'too_long',
  'none_given',
  'takes_no_args',
  'invalid',
] satisfies readonly RequestIssueCode[];

/** Where a zod issue raised by the request schemas keeps its data. */
const PARAM = 'requestIssue';

/** The zod issue that carries `issue`; `message` is its neutral wording. */
export function zodIssue(issue: RequestIssue, message: string) {
  return { code: 'custom', message, params: { [PARAM]: issue } } as const;
}

function isRequestIssue(value: unknown): value is RequestIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    typeof value.code === 'string' &&
    ISSUE_CODES.includes(value.code)
  );
}

/** The request issue a zod issue carries, or null for zod's own checks. */
export function requestIssueOf(issue: z.core.$ZodIssue): RequestIssue | null {
  if (issue.code !== 'custom') return null;
  const data: unknown = issue.params?.[PARAM];
  return isRequestIssue(data) ? data : null;
}

/** Every issue of a failed parse; zod's own checks keep their message. */
export function requestIssuesOf(error: z.ZodError): RequestIssue[] {
  return error.issues.map((issue) => requestIssueOf(issue) ?? { code: 'invalid', message: issue.message });
}
