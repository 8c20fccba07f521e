import { describe, expect, it } from 'vitest';
import { askedChange } from './asked-change.js';

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
