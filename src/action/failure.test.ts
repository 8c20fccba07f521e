import { describe, expect, it } from 'vitest';
import { NotFoundError, RequestError } from '../runtime/app/index.js';
import { SAMPLE_ISSUES } from '../runtime/test-wording-samples.js';
import { describeError } from './failure.js';

describe('describeError', () => {
  it('words request issues and hint steps as step inputs, never as CLI commands', () => {
    expect(describeError(new RequestError([SAMPLE_ISSUES.maxAgents]))).toBe(
      "max-agents: '0' must be a whole number from 1 to 64. Example: max-agents: 4.",
    );
    // An issue whose words do not open with its field is put under its input, one line each.
    expect(describeError(new RequestError([SAMPLE_ISSUES.goalEmpty, SAMPLE_ISSUES.maxAgents]))).toBe(
      "goal: The goal is empty. Example: goal: fix the failing tests\nmax-agents: '0' must be a whole number from 1 to 64. Example: max-agents: 4.",
    );
    const noPr = new NotFoundError('Goal g-1 has no integrator PR yet.', {
      hint: ['Open it first with ', { step: 'open_pr', goalId: 'g-1' }, '.'],
    });
    expect(describeError(noPr)).toBe(
      'Goal g-1 has no integrator PR yet.\nOpen it first with command: open-pr with goal-id: g-1.',
    );
  });
});
