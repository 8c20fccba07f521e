import { describe, expect, it } from 'vitest';
import type { AgentEnvironmentFailure } from '../agents/environment.js';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { rateLimitStopError } from './rate-limit-stop.js';

const failure: AgentEnvironmentFailure = {
  cause: 'rate_limit',
  words: '429 Too Many Requests',
  fix: 'wait',
  retryAfterMs: 3_600_000,
};
const slice = { what: 'slice s1', left: 'its attempt 2 is not spent' };

describe('rateLimitStopError', () => {
  it('says the agent ran, how often and how long it was waited out, and to wait and resume or raise the bound', () => {
    const error = rateLimitStopError(
      'claude',
      slice,
      { ...failure, retryAfterMs: 60_000 },
      { runs: 4, waitedMs: 180_000, maxWaitMs: 240_000, budget: null },
      'g-1',
      '/t.log',
    );
    expect(error.code).toBe('agent_unavailable');
    expect(error.message).toBe(
      'The agent claude ran slice s1 but was rate-limited 4 times over 3m of waiting (waiting again would pass agents.rateLimitWait, 4m), so its attempt 2 is not spent: 429 Too Many Requests',
    );
    expect(error.message).not.toContain('cannot run here');
    expect(error.hintIn(NEUTRAL_STEPS)).toBe(
      "Wait until its rate limit resets, then 'goal resume g-1'; or raise agents.rateLimitWait in .omk/config.yml (it is 4m). Its output is in /t.log.",
    );
  });

  it('a first wait longer than the bound says so; a spent budget points at budget-add', () => {
    const once = rateLimitStopError(
      'codex',
      { what: 'the fix of PR #4', left: 'PR #4 is not fixed yet' },
      failure,
      { runs: 1, waitedMs: 0, maxWaitMs: 1_800_000, budget: null },
      'g-1',
      '/t.log',
    );
    expect(once.message).toBe(
      'The agent codex ran the fix of PR #4 but was rate-limited once (the wait it asks for, 1h, is longer than agents.rateLimitWait, 30m), so PR #4 is not fixed yet: 429 Too Many Requests',
    );
    const spent = rateLimitStopError(
      'codex',
      slice,
      failure,
      { runs: 2, waitedMs: 30_000, maxWaitMs: 1_800_000, budget: 'tokens' },
      'g-1',
      '/t.log',
    );
    // A budget stop is the budget's error, not an agent that cannot run (exit 9, not 6).
    expect(spent.code).toBe('budget');
    expect(once.code).toBe('agent_unavailable');
    expect(spent.message).toContain(
      'rate-limited 2 times over 30.0 s of waiting (the tokens budget is spent)',
    );
    expect(spent.hintIn(NEUTRAL_STEPS)).toMatch(
      /^Extend the budget with .*g-1.*, then 'goal resume g-1'\. Its output/,
    );
  });
});
