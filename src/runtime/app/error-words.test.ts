import { describe, expect, it } from 'vitest';
import { RequestError, UsageError } from '../errors.js';
import { SAMPLE_ISSUES } from '../test-wording-samples.js';
import { errorWords } from './error-words.js';
import { plainVocabulary } from './vocabulary.js';

const SHOUTING = {
  fields: { ...plainVocabulary.fields, name: (field: string) => field.toUpperCase() },
  steps: (step: { step: string }) => `<${step.step}>`,
};

describe('errorWords', () => {
  it("words a request's issues with the host's field names, one line each, and no hint", () => {
    const error = new RequestError([SAMPLE_ISSUES.policy, SAMPLE_ISSUES.maxAgents]);
    const { message, hint } = errorWords(error, SHOUTING);
    expect(message.split('\n')).toHaveLength(2);
    expect(message).toMatch(/^POLICY: 'yolo' is not one of/);
    expect(message.split('\n')[1]).toMatch(/^MAXAGENTS: '0'/);
    expect(hint).toBeUndefined();
  });

  it("keeps another error's message and words its hint's steps as the host's commands", () => {
    const error = new UsageError('no such thing.', { hint: ['Try ', { step: 'list' }, '.'] });
    expect(errorWords(error, SHOUTING)).toEqual({ message: 'no such thing.', hint: 'Try <list>.' });
  });
});
