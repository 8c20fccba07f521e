import type { AgentEnvironmentFailure, RateLimitStop } from '../agents/environment.js';
import { AgentUnavailableError, BudgetSpentError } from '../errors.js';
import type { Hint } from '../next-steps.js';
import { formatDuration } from '../text/duration.js';

/** What the rate-limited agent was running, and what its stop leaves undone. */
export interface RateLimitedWork {
  /** e.g. `slice s1`, `the fix of PR #4`, `the integration repair`. */
  what: string;
  /** e.g. `its attempt 1 is not spent`, `PR #4 is not fixed yet`. */
  left: string;
}

/**
 * The stop of an agent that ran but stayed rate-limited: its own words, unlike an agent that
 * cannot run here at all. It says how often and how long omk waited, why it stopped waiting, and
 * what to do (wait and resume, raise `agents.rateLimitWait`, or extend a spent budget). Every
 * front door prints it as it is, its steps spelled in the front door's words. A stop by the goal's
 * budget is a `BudgetSpentError` (the CLI's budget exit code, as a slice's budget stop), any other
 * an `AgentUnavailableError`.
 */
export function rateLimitStopError(
  agentLabel: string,
  work: RateLimitedWork,
  failure: AgentEnvironmentFailure,
  waited: RateLimitStop,
  goalId: string,
  transcript: string,
): AgentUnavailableError | BudgetSpentError {
  const times = waited.runs === 1 ? 'once' : `${waited.runs} times`;
  const over = waited.waitedMs > 0 ? ` over ${formatDuration(waited.waitedMs)} of waiting` : '';
  const message = `The agent ${agentLabel} ran ${work.what} but was rate-limited ${times}${over} (${stopReason(failure, waited)}), so ${work.left}: ${failure.words}`;
  const hint = nextSteps(waited, goalId, transcript);
  return waited.budget !== null
    ? new BudgetSpentError(message, { hint })
    : new AgentUnavailableError(message, { hint });
}

function stopReason(failure: AgentEnvironmentFailure, waited: RateLimitStop): string {
  if (waited.budget === 'time' && waited.runs > 0)
    return 'the time budget is spent, or too little of it is left for the next wait';
  if (waited.budget !== null) return `the ${waited.budget} budget is spent`;
  const bound = `agents.rateLimitWait, ${formatDuration(waited.maxWaitMs)}`;
  if (waited.runs === 1 && failure.retryAfterMs !== undefined)
    return `the wait it asks for, ${formatDuration(failure.retryAfterMs)}, is longer than ${bound}`;
  return `waiting again would pass ${bound}`;
}

function nextSteps(waited: RateLimitStop, goalId: string, transcript: string): Hint {
  const output = `. Its output is in ${transcript}.`;
  if (waited.budget !== null)
    return [
      'Extend the budget with ',
      { step: 'budget_add', goalId, limit: waited.budget },
      ', then ',
      { step: 'resume', goalId },
      output,
    ];
  return [
    'Wait until its rate limit resets, then ',
    { step: 'resume', goalId },
    `; or raise agents.rateLimitWait in .omk/config.yml (it is ${formatDuration(waited.maxWaitMs)})${output}`,
  ];
}
