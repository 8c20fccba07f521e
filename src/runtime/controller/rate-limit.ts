import { setTimeout as sleepFor } from 'node:timers/promises';
import type { RateLimitStop } from '../agents/environment.js';
import type { Agent, AgentRunResult } from '../agents/port.js';
import type { BudgetSpent } from '../budget/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import type { Reporter } from '../ports.js';
import { formatDuration } from '../text/duration.js';
import type { ExecutionJournal } from './journal.js';
import { addSpend, exhaustedLimit } from './scheduler.js';

/** Waits `ms`, or less when `signal` aborts first (pause, cancel, SIGINT); never throws. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How a rate-limited agent is waited out (`agents.rateLimitWait` bounds the whole wait). */
export interface RateLimitPolicy {
  /** The most a slice, fix or repair attempt waits in all before the run stops. Default 30m. */
  maxWaitMs: number;
  /** The first wait when the agent named none; doubled at each wait after. Default 30s. */
  firstWaitMs: number;
  /** No single wait is longer, whatever the agent asked. Default 5m. */
  maxSingleWaitMs: number;
}

export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  maxWaitMs: 30 * 60_000,
  firstWaitMs: 30_000,
  maxSingleWaitMs: 5 * 60_000,
};

/** The host's sleep: a timer that an abort ends early. */
export const realSleep: Sleep = async (ms, signal) => {
  await sleepFor(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
};

export interface RateLimitWaiting {
  policy?: Partial<RateLimitPolicy>;
  /** Tests pass one that returns at once. */
  sleep?: Sleep;
}

/** The wait before the next run: what the agent asked, else a doubling backoff; capped either way. */
export function nextWait(policy: RateLimitPolicy, waits: number, retryAfterMs: number | undefined): number {
  const asked = retryAfterMs ?? policy.firstWaitMs * 2 ** waits;
  return Math.max(0, Math.min(asked, policy.maxSingleWaitMs));
}

/**
 * The agent, with a rate limit waited out instead of stopping the run: a run the agent's own output
 * shows rate-limited (`environment.cause === 'rate_limit'`) is not an attempt; the controller
 * records `agent_rate_limited`, waits (the agent's retry-after, else a backoff) and runs it again
 * for the same attempt, until it is not rate-limited, or the next wait would pass the policy's
 * total: then its result stops the run, its `environment.waited` saying how often and how long.
 *
 * Each rate-limited run is charged to the goal's budget like any agent run (its time, the tokens
 * and cost it reported), and so is each wait after it, written before the wait: a budget bounds
 * the waiting too. When the budget is spent, or the next wait would pass the time left, the run
 * stops the same way with `waited.budget` naming the limit (the slice then waits for budget-add).
 * A pause or a cancel during a wait ends it as an interrupted run (resumable, no attempt spent).
 */
export function waitingOutRateLimits(
  agent: Agent,
  journal: Pick<ExecutionJournal, 'save' | 'spent'>,
  reporter: Reporter,
  waiting: RateLimitWaiting = {},
  /** The goal's budget limits as they are now (budget-add may raise them during a wait). */
  limits?: () => Promise<BudgetLimits>,
): Agent {
  const policy: RateLimitPolicy = { ...DEFAULT_RATE_LIMIT_POLICY, ...waiting.policy };
  const sleep = waiting.sleep ?? realSleep;
  return {
    name: agent.name,
    label: agent.label,
    async run(input) {
      // A function, so each read sees the signal as it is now (a wait may have aborted it).
      const aborted = () => input.signal?.aborted === true;
      let waited = 0;
      for (let waits = 0; ; waits += 1) {
        const result = await agent.run(input);
        const limit = result.environment;
        if (limit?.cause !== 'rate_limit' || result.outcome === 'cancelled' || aborted()) return result;
        const run: BudgetSpent = {
          timeMs: result.durationMs,
          tokens: result.usage.tokens ?? 0,
          usd: result.usage.usd ?? 0,
        };
        const note = `${input.taskId} attempt ${input.attempt}: rate-limited run`;
        const waitMs = nextWait(policy, waits, limit.retryAfterMs);
        const stop = (budget: RateLimitStop['budget']): AgentRunResult => ({
          ...result,
          environment: {
            ...limit,
            waited: { runs: waits + 1, waitedMs: waited, maxWaitMs: policy.maxWaitMs, budget },
          },
        });
        const budget = limits === undefined ? null : spentBy(await limits(), journal.spent, run, waitMs);
        if (budget !== null || waited + waitMs > policy.maxWaitMs) {
          await journal.save([], { spend: run, spendNote: note });
          if (budget !== null)
            reporter.warn(
              `[${input.taskId}] the agent is still rate-limited (${limit.words}) and the ${budget} budget is spent: not waiting again`,
            );
          return stop(budget);
        }
        await journal.save(
          [
            {
              type: 'agent_rate_limited',
              data: {
                taskId: input.taskId,
                attempt: input.attempt,
                waitMs,
                waitedMs: waited,
                retryAfterMs: limit.retryAfterMs ?? null,
                words: limit.words,
              },
            },
          ],
          // The wait is charged with the run, before it: a crash during it keeps the charge.
          {
            spend: { ...run, timeMs: run.timeMs + waitMs },
            spendNote: `${note}, then a ${formatDuration(waitMs)} wait`,
          },
        );
        reporter.info(
          `[${input.taskId}] the agent is rate-limited (${limit.words}); waiting ${formatDuration(waitMs)} before running it again (attempt ${input.attempt} is not spent)`,
        );
        await sleep(waitMs, input.signal);
        waited += waitMs;
        if (aborted()) return interrupted(result);
      }
    },
  };
}

/**
 * The budget limit that stops the waiting: one the run spent, or the time limit the wait after it
 * would pass (waiting into a spent budget only to stop then is no use).
 */
function spentBy(
  limits: BudgetLimits,
  spent: BudgetSpent,
  run: BudgetSpent,
  waitMs: number,
): RateLimitStop['budget'] {
  const after = addSpend(spent, run);
  const which = exhaustedLimit(limits, after);
  if (which !== null) return which;
  return limits.timeMs !== null && after.timeMs + waitMs > limits.timeMs ? 'time' : null;
}

/** A wait a pause or cancel ended: the run reads as cancelled, so its attempt is not spent. */
function interrupted(result: AgentRunResult): AgentRunResult {
  const { environment: _, ...rest } = result;
  return { ...rest, outcome: 'cancelled', summary: 'stopped while waiting out a rate limit' };
}
