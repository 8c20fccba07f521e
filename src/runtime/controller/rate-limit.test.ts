import { describe, expect, it } from 'vitest';
import type { Agent, AgentRunInput, AgentRunResult } from '../agents/port.js';
import type { EventInput } from '../events/schema.js';
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
  const journal = {
    async save(saved: readonly EventInput[]) {
      events.push(...saved);
    },
  };
  const info: string[] = [];
  return {
    events,
    waits,
    sleep,
    journal,
    reporter: { info: (m: string) => info.push(m), warn: () => {} },
    info,
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
    expect(out.environment?.words).toBe(
      '429 Too Many Requests (still rate-limited after 5 wait(s), 12m 30s in all; agents.rateLimitWait is 16m)',
    );
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
    expect(out.environment?.words).toContain(
      'the wait it asks for is longer than agents.rateLimitWait, 30.0 s',
    );
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

  it('never waits longer than the single-wait cap, whatever the agent asked', () => {
    const policy = { maxWaitMs: 3_600_000, firstWaitMs: 30_000, maxSingleWaitMs: 300_000 };
    expect(nextWait(policy, 0, 900_000)).toBe(300_000);
    expect(nextWait(policy, 1, undefined)).toBe(60_000);
  });
});
