import { describe, expect, it } from 'vitest';
import { overBudgetCap } from './ops.js';

describe('overBudgetCap', () => {
  const limits = { timeMs: 3_600_000, tokens: 250_000, usd: 12 };

  it('names each raised part whose new limit passes its cap, with the limit and the cap', () => {
    expect(overBudgetCap(limits, { tokens: 100_000, usd: 2 }, { tokens: 200_000, usd: 10 })).toEqual([
      { part: 'tokens', added: 100_000, limit: 250_000, cap: 200_000 },
      { part: 'usd', added: 2, limit: 12, cap: 10 },
    ]);
  });

  it('allows a limit equal to the cap, a part without a cap, and a part that is not raised', () => {
    expect(overBudgetCap(limits, { tokens: 50_000 }, { tokens: 250_000 })).toEqual([]);
    expect(overBudgetCap(limits, { timeMs: 60_000 }, { tokens: 1 })).toEqual([]);
    expect(overBudgetCap(limits, { timeMs: 60_000 }, { usd: 1 })).toEqual([]);
  });
});
