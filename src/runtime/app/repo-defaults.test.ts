import { describe, expect, it } from 'vitest';
import { createGoalRequestSchema, parseRequest } from '../requests.js';
import { withRepoDefaults } from './repo-defaults.js';

const request = parseRequest(createGoalRequestSchema, {
  goal: 'fix the parser',
  rawGoal: 'fix the parser',
  repo: '.',
  budget: { time: '30m' },
});

describe('withRepoDefaults', () => {
  it("fills what the command did not give from the repository's settings", () => {
    const settings = {
      policy: 'draft-pr',
      mergePolicy: 'gated',
      maxAgents: 2,
      budget: { tokens: 5000 },
    } as const;
    const outcome = withRepoDefaults(request, [], settings);
    expect(outcome).toMatchObject({
      ok: true,
      request: {
        policy: 'draft-pr',
        mergePolicy: 'gated',
        maxAgents: 2,
        budget: { time: 1_800_000, tokens: 5000 },
      },
    });
  });

  it('keeps what the command gave', () => {
    const given = { ...request, policy: 'auto-pr' as const, budget: { time: 60_000, tokens: 100 } };
    const settings = { policy: 'draft-pr', budget: { time: 3_600_000, tokens: 5000 } } as const;
    const outcome = withRepoDefaults(given, ['policy', 'budgetTime', 'budgetTokens'], settings);
    expect(outcome).toMatchObject({
      ok: true,
      request: { policy: 'auto-pr', budget: { time: 60_000, tokens: 100 } },
    });
  });

  it('refuses each part of the budget asked beyond the cap, naming the field and both amounts', () => {
    const asked = { ...request, budget: { time: 7_200_000, tokens: 100, usd: 9 } };
    const settings = { budget: { time: 3_600_000, tokens: 1000, usd: 5 } };
    expect(withRepoDefaults(asked, ['budgetTime', 'budgetUsd'], settings)).toEqual({
      ok: false,
      over: [
        { key: 'time', field: 'budgetTime', asked: 7_200_000, cap: 3_600_000 },
        { key: 'usd', field: 'budgetUsd', asked: 9, cap: 5 },
      ],
    });
  });
});
