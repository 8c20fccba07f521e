import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { NextStep } from '../next-steps.js';
import { buildProof } from './build.js';
import { budgetSpentGap, copyGap, gapText } from './gaps.js';
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
