import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from './errors.js';
import type { StepSpelling } from './next-steps.js';

const shout: StepSpelling = (step) => `<${step.step}${'goalId' in step ? ` ${step.goalId}` : ''}>`;

describe('OmkError hints', () => {
  it('keeps a hint given as words as it is, whoever words it', () => {
    const error = new UsageError('bad', { hint: 'use 10m' });
    expect(error.hint).toBe('use 10m');
    expect(error.hintIn(shout)).toBe('use 10m');
  });

  it('lets each front door spell the steps of a hint; the runtime spells none', () => {
    const error = new NotFoundError('No PR', {
      hint: ['Open it first with ', { step: 'open_pr', goalId: 'g-1' }, '.'],
    });
    expect(error.hintIn(shout)).toBe('Open it first with <open_pr g-1>.');
    expect(error.hint).toBe("Open it first with 'goal open-pr g-1'.");
    expect(error.hintParts).toEqual(['Open it first with ', { step: 'open_pr', goalId: 'g-1' }, '.']);
  });

  it('has no hint when none is given', () => {
    expect(new UsageError('bad').hint).toBeUndefined();
    expect(new UsageError('bad').hintIn(shout)).toBeUndefined();
  });
});
