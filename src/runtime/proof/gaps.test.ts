import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { NextStep } from '../next-steps.js';
import { buildProof } from './build.js';
import { budgetHonesty, budgetSpentGap, copyGap, gapText } from './gaps.js';
import { proofJsonSchema } from './json-schema.js';
import { renderProofMarkdown } from './render-markdown.js';
import { renderProofText } from './render-text.js';
import { evidence } from './test-evidence.js';

describe('gaps with next steps', () => {
  it('keep the budget gap neutral: the steps are data', () => {
    const gap = budgetSpentGap('tokens', 'g-1');
    expect(gap).toEqual({
      code: 'budget_exhausted',
      message: 'The tokens budget is spent; finished slices are kept.',
      hint: [
        'Extend it with ',
        { step: 'budget_add', goalId: 'g-1' },
        ', then ',
        { step: 'resume', goalId: 'g-1' },
        '.',
      ],
    });
    expect(JSON.stringify(gap)).not.toMatch(/--|omk goal/);
  });

  it('are shown with their steps spelled by the renderer', () => {
    const gap = budgetSpentGap('time', 'g-1');
    expect(gapText(gap, (step) => `<${step.step}>`)).toBe(
      'The time budget is spent; finished slices are kept. Extend it with <budget_add>, then <resume>.',
    );
    expect(gapText({ code: 'x', message: 'y' })).toBe('y');
  });

  it('reach proof.json from execution evidence, valid against the committed JSON Schema', () => {
    const plain = { code: 'integration_conflict', message: 'Slices s1 and s2 conflict' };
    const proof = buildProof(evidence({ extraGaps: [budgetSpentGap('usd', 'g-1'), plain] }));
    expect(proof.knownGaps).toContainEqual(budgetSpentGap('usd', 'g-1'));
    // A gap without a hint has no `hint` key: proofs written before hints hash the same.
    expect(proof.knownGaps.find((gap) => gap.code === 'integration_conflict')).not.toHaveProperty('hint');
    expect(copyGap(plain)).toEqual(plain);
    const validate = new Ajv2020({ strict: false }).compile(proofJsonSchema());
    expect(validate(proof), JSON.stringify(validate.errors)).toBe(true);
  });

  it('are rendered in omk’s own words unless a front door spells them', () => {
    const proof = buildProof(evidence({ extraGaps: [budgetSpentGap('time', 'g-1')] }));
    expect(renderProofText(proof)).toContain("Extend it with 'goal budget-add g-1', then 'goal resume g-1'.");
    const spell = (step: NextStep) => (step.step === 'resume' ? 'RESUME' : 'ADD');
    expect(renderProofMarkdown(proof, spell)).toContain('Extend it with ADD, then RESUME.');
  });
});

describe('budget honesty', () => {
  const run = (agent: string, tokens: number | null, usd: number | null) => ({ agent, tokens, usd });
  const unlimited = { timeMs: null, tokens: null, usd: null };
  const spent = { timeMs: 60_000, tokens: 900, usd: 0.5 };

  it('warns, per agent, when a token or USD budget is set and its usage could not be read', () => {
    const runs = [run('kimi', null, null), run('kimi', 300, null), run('claude', 600, 0.5)];
    const { gaps, warnings } = budgetHonesty({ timeMs: null, tokens: 1_000, usd: 5 }, spent, runs);
    expect(gaps).toEqual([]);
    expect(warnings).toEqual([
      'usage unknown: the token budget cannot be enforced for agent kimi (1 of 2 run(s) reported no token count; they are not in the spend).',
      'usage unknown: the USD budget cannot be enforced for agent kimi (2 of 2 run(s) reported no cost; they are not in the spend).',
    ]);
  });

  it('says nothing of unread usage when no token or USD budget is set', () => {
    expect(budgetHonesty({ ...unlimited, timeMs: 600_000 }, spent, [run('kimi', null, null)])).toEqual({
      gaps: [],
      warnings: [],
    });
  });

  it('makes spend beyond a limit a gap, and spend up to it none', () => {
    const over = { timeMs: 125_000, tokens: 1_200, usd: 5.5 };
    const { gaps } = budgetHonesty({ timeMs: 120_000, tokens: 1_000, usd: 5 }, over, []);
    expect(gaps).toEqual([
      { code: 'budget_overspent', message: 'The time budget is overspent: 2m5s used of 2m.' },
      {
        code: 'budget_overspent',
        message: 'The token budget is overspent: 1200 tokens used of 1000 tokens.',
      },
      { code: 'budget_overspent', message: 'The USD budget is overspent: $5.50 used of $5.00.' },
    ]);
    const exact = budgetHonesty({ timeMs: 125_000, tokens: 1_200, usd: 5.5 }, over, []);
    expect(exact.gaps).toEqual([]);
  });

  it('reaches the proof: overspend keeps it from ready, unread usage is a warning that does not', () => {
    const kimi = {
      taskId: 's1',
      attempt: 1,
      agent: 'kimi',
      exitCode: 0,
      outcome: 'succeeded' as const,
      durationMs: 42_000,
      tokens: null,
      usd: 0.12,
      transcript: null,
    };
    const unread = buildProof(evidence({ agentRuns: [kimi] }));
    expect(unread.status).toBe('ready');
    expect(unread.warnings).toContainEqual(
      expect.stringMatching(/^usage unknown: the token budget cannot be enforced for agent kimi /),
    );
    const overspent = buildProof(
      evidence({
        budget: {
          limits: { timeMs: null, tokens: 1_000, usd: null },
          spent: { timeMs: 1, tokens: 1_500, usd: 0 },
        },
      }),
    );
    expect(overspent.status).toBe('not_ready');
    expect(overspent.knownGaps.map((gap) => gap.code)).toEqual(['budget_overspent']);
  });
});
