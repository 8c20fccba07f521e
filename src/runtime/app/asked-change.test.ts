import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { askedChange, askedChangeText } from './asked-change.js';
import { MAX_CHANGE_CHARS } from './change-requests.js';

describe('askedChange: a change asked directly', () => {
  it('is a request of its own, by no reviewer, answering nothing', () => {
    expect(
      askedChange('rename x', { origin: 'cli', now: '2026-01-02T03:04:05.000Z', hex: 'a1b2c3' }),
    ).toEqual({
      id: 'cli:2026-01-02T03:04:05.000Z:a1b2c3',
      text: 'rename x',
      author: null,
      replyTo: null,
    });
  });

  it('gives the same words asked again another id', () => {
    const first = askedChange('rename x', { origin: 'cli', now: '2026-01-02T03:04:05.000Z', hex: 'a1b2c3' });
    const again = askedChange('rename x', { origin: 'cli', now: '2026-01-02T03:04:05.000Z', hex: 'd4e5f6' });
    expect(again.id).not.toBe(first.id);
  });
});

describe('askedChangeText: the words of a change asked directly', () => {
  const EMPTY = 'Say what to change. Example: fix "rename x"';

  it('joins the words as the host received them, trimmed', () => {
    expect(askedChangeText(['  rename', 'x', 'to y '], EMPTY)).toBe('rename x to y');
    expect(askedChangeText(['x'.repeat(MAX_CHANGE_CHARS)], EMPTY)).toHaveLength(MAX_CHANGE_CHARS);
  });

  it("refuses no words with the host's message, and too many with the limit", () => {
    for (const words of [[], ['  ', '\n']]) {
      expect(() => askedChangeText(words, EMPTY)).toThrow(new UsageError(EMPTY));
    }
    const long = () => askedChangeText(['x'.repeat(MAX_CHANGE_CHARS), 'y'], EMPTY);
    expect(long).toThrow(UsageError);
    expect(long).toThrow(
      `The change asked for is ${MAX_CHANGE_CHARS + 2} characters; at most ${MAX_CHANGE_CHARS}.`,
    );
  });
});
