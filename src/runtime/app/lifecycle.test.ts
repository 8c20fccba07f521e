import { describe, expect, it } from 'vitest';
import { RequestError } from '../errors.js';
import { lifecycleText } from './lifecycle.js';

describe('lifecycleText', () => {
  it('takes the summary of an accept and the reason of a reject or a cancel', () => {
    expect(lifecycleText('accept', { summary: 'tests green' })).toBe('tests green');
    expect(lifecycleText('reject', { reason: 'wrong API' })).toBe('wrong API');
    expect(lifecycleText('cancel', { reason: 'not needed' })).toBe('not needed');
    expect(lifecycleText('cancel', {})).toBe('');
    expect(lifecycleText('pause', { reason: 'ignored' })).toBe('');
  });

  it('refuses an accept without a summary and a reject without a reason, naming the field', () => {
    for (const [action, field] of [
      ['accept', 'summary'],
      ['reject', 'reason'],
    ] as const) {
      try {
        lifecycleText(action, {});
        expect.unreachable(`${action} without ${field} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(RequestError);
        expect((error as RequestError).issues).toEqual([expect.objectContaining({ code: 'empty', field })]);
      }
    }
  });
});
