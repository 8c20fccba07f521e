import { describe, expect, it } from 'vitest';
import type { Agent, AgentRunInput, AgentRunResult } from '../agents/port.js';
import type { BudgetSpent } from '../budget/schema.js';
import type { EventInput } from '../events/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import { nextWait, type Sleep, waitingOutRateLimits } from './rate-limit.js';

const input = (signal = new AbortController().signal): AgentRunInput => ({
  goalId: 'g',
  taskId: 's1-fix',
  attempt: 2,
  task: {
    id: 's1-fix',
    title: 'fix',
    description: '',
    ownerRole: 'implementer',
    reads: [],
    writes: [],
    acceptance: [],
  },
  prompt: 'fix it',
  cwd: '/w',
  timeoutMs: 60_000,
  artifactsDir: '/a',
  signal,
});

function result(rateLimited: boolean, retryAfterMs?: number): AgentRunResult {
  return {
    outcome: rateLimited ? 'failed' : 'succeeded',
    exitCode: rateLimited ? 1 : 0,
    durationMs: 10,
    usage: { tokens: null, usd: null },
    transcript: '/a/transcript.log',
    followUps: [],
    summary: rateLimited ? 'agent exited with code 1' : 'done',
    ...(rateLimited
      ? {
          environment: {
            cause: 'rate_limit' as const,
            words: '429 Too Many Requests',
            fix: 'wait',
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          },
        }
      : {}),
  };
}

/** An agent that answers from a script of results, then succeeds. */
function scripted(results: AgentRunResult[]): Agent & { runs: number } {
  const agent = {
    name: 'script:x',
    label: 'script x',
    runs: 0,
    async run() {
      agent.runs += 1;
      return results.shift() ?? result(false);
    },
  };
  return agent;
}

function recorder() {
  const events: EventInput[] = [];
  const waits: number[] = [];
  const sleep: Sleep = async (ms) => {
    waits.push(ms);
  };
  const charges: { spend: Partial<BudgetSpent>; note: string }[] = [];
  const journal = {
    spent: { timeMs: 0, tokens: 0, usd: 0 } as BudgetSpent,
    async save(
      saved: readonly EventInput[],
      extra: { spend?: Partial<BudgetSpent>; spendNote?: string } = {},
    ) {
      events.push(...saved);
      if (extra.spend === undefined) return;
      charges.push({ spend: extra.spend, note: extra.spendNote ?? '' });
      journal.spent = {
        timeMs: journal.spent.timeMs + (extra.spend.timeMs ?? 0),
        tokens: journal.spent.tokens + (extra.spend.tokens ?? 0),
        usd: journal.spent.usd + (extra.spend.usd ?? 0),
      };
    },
  };
  const info: string[] = [];
  const warned: string[] = [];
  return {
    events,
    waits,
    sleep,
    journal,
    charges,
    reporter: { info: (m: string) => info.push(m), warn: (m: string) => warned.push(m) },
    info,
    warned,
  };
}

describe('waitingOutRateLimits', () => {
  it('waits what the agent asked, runs it again for the same attempt, and returns its success', async () => {
    const agent = scripted([result(true, 1_500)]);
    const r = recorder();
    const out = await waitingOutRateLimits(agent, r.journal, r.reporter, { sleep: r.sleep }).run(input());
    expect(out.outcome).toBe('succeeded');
    expect(agent.runs).toBe(2);
    expect(r.waits).toEqual([1_500]);
    expect(r.events).toEqual([
      {
        type: 'agent_rate_limited',
        data: {
          taskId: 's1-fix',
          attempt: 2,
          waitMs: 1_500,
          waitedMs: 0,
          retryAfterMs: 1_500,
          words: '429 Too Many Requests',
        },
      },
    ]);
    expect(r.info[0]).toContain('waiting 1.5 s before running it again (attempt 2 is not spent)');
  });

  it('backs off 30s doubling when the agent names no wait, capped at 5m, and stops past the total', async () => {
    const agent = scripted(Array.from({ length: 10 }, () => result(true)));
    const r = recorder();
    const out = await waitingOutRateLimits(agent, r.journal, r.reporter, {
      sleep: r.sleep,
      policy: { maxWaitMs: 16 * 60_000 },
    }).run(input());
    // 30 + 60 + 120 + 240 + 300 (not 480) = 750s; the next 300s would pass 960s.
    expect(r.waits).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
    expect(agent.runs).toBe(6);
    expect(out.environment?.cause).toBe('rate_limit');
    expect(out.environment?.words).toBe('429 Too Many Requests');
    expect(out.environment?.waited).toEqual({ runs: 6, waitedMs: 750_000, maxWaitMs: 960_000, budget: null });
  });

  it('a wait asked for longer than the whole bound stops at once, saying so', async () => {
    const agent = scripted([result(true, 60_000)]);
    const r = recorder();
    const out = await waitingOutRateLimits(agent, r.journal, r.reporter, {
      sleep: r.sleep,
      policy: { maxWaitMs: 30_000 },
    }).run(input());
    expect(agent.runs).toBe(1);
    expect(r.waits).toEqual([]);
    expect(out.environment?.waited).toEqual({ runs: 1, waitedMs: 0, maxWaitMs: 30_000, budget: null });
  });

  it('a pause or cancel during the wait ends the run as cancelled (no attempt spent), without a new run', async () => {
    const agent = scripted([result(true, 5_000)]);
    const r = recorder();
    const controller = new AbortController();
    const sleep: Sleep = async () => {
      controller.abort();
    };
    const out = await waitingOutRateLimits(agent, r.journal, r.reporter, { sleep }).run(
      input(controller.signal),
    );
    expect(agent.runs).toBe(1);
    expect(out.outcome).toBe('cancelled');
    expect(out.environment).toBeUndefined();
  });

  it('other failures pass through untouched', async () => {
    const login: AgentRunResult = {
      ...result(false),
      outcome: 'failed',
      environment: { cause: 'login', words: 'Not logged in', fix: 'log in' },
    };
    const agent = scripted([login]);
    const r = recorder();
    expect(await waitingOutRateLimits(agent, r.journal, r.reporter, { sleep: r.sleep }).run(input())).toBe(
      login,
    );
    expect(r.waits).toEqual([]);
  });

  it('charges each rate-limited run and the wait after it to the budget, and the run that stopped too', async () => {
    const limited = (tokens: number): AgentRunResult => ({
      ...result(true, 1_000),
      usage: { tokens, usd: 0.01 },
    });
    const agent = scripted([limited(100), limited(50), limited(25)]);
    const r = recorder();
    const out = await waitingOutRateLimits(agent, r.journal, r.reporter, {
      sleep: r.sleep,
      policy: { maxWaitMs: 2_000 },
    }).run(input());
    expect(out.environment?.waited).toEqual({ runs: 3, waitedMs: 2_000, maxWaitMs: 2_000, budget: null });
    expect(r.charges).toEqual([
      {
        spend: { timeMs: 1_010, tokens: 100, usd: 0.01 },
        note: 's1-fix attempt 2: rate-limited run, then a 1.0 s wait',
      },
      {
        spend: { timeMs: 1_010, tokens: 50, usd: 0.01 },
        note: 's1-fix attempt 2: rate-limited run, then a 1.0 s wait',
      },
      { spend: { timeMs: 10, tokens: 25, usd: 0.01 }, note: 's1-fix attempt 2: rate-limited run' },
    ]);
  });

  it('stops waiting when the budget is spent, or the next wait would pass the time left, naming the limit', async () => {
    const limits: BudgetLimits = { timeMs: 2_500, tokens: null, usd: null };
    const agent = scripted(Array.from({ length: 5 }, () => result(true, 1_000)));
    const r = recorder();
    const out = await waitingOutRateLimits(
      agent,
      r.journal,
      r.reporter,
      { sleep: r.sleep },
      async () => limits,
    ).run(input());
    // 1 010 ms after the first run and its wait, 2 020 after the second: the third wait would pass 2.5 s.
    expect(r.waits).toEqual([1_000, 1_000]);
    expect(agent.runs).toBe(3);
    expect(out.environment?.waited).toEqual({
      runs: 3,
      waitedMs: 2_000,
      maxWaitMs: 1_800_000,
      budget: 'time',
    });
    expect(r.journal.spent.timeMs).toBe(2_030);
    expect(r.warned).toEqual([
      '[s1-fix] the agent is still rate-limited (429 Too Many Requests) and the time budget is spent: not waiting again',
    ]);
    const tokens = scripted([{ ...result(true, 1_000), usage: { tokens: 600, usd: null } }]);
    const t = recorder();
    const spent = await waitingOutRateLimits(tokens, t.journal, t.reporter, { sleep: t.sleep }, async () => ({
      timeMs: null,
      tokens: 500,
      usd: null,
    })).run(input());
    expect(tokens.runs).toBe(1);
    expect(t.waits).toEqual([]);
    expect(spent.environment?.waited?.budget).toBe('tokens');
    expect(t.journal.spent.tokens).toBe(600);
  });

  it('never waits longer than the single-wait cap, whatever the agent asked', () => {
    const policy = { maxWaitMs: 3_600_000, firstWaitMs: 30_000, maxSingleWaitMs: 300_000 };
    expect(nextWait(policy, 0, 900_000)).toBe(300_000);
    expect(nextWait(policy, 1, undefined)).toBe(60_000);
  });
});
