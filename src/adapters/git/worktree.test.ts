import { describe, expect, it } from 'vitest';
import { createMemo } from './worktree.js';

describe('createMemo', () => {
  it('computes a key once, even when asked again before the first answer lands', async () => {
    const memo = createMemo();
    let calls = 0;
    const compute = async () => {
      calls++;
      return `sha-${calls}`;
    };
    const [a, b] = await Promise.all([memo('k', compute), memo('k', compute)]);
    expect([a, b, await memo('k', compute)]).toEqual(['sha-1', 'sha-1', 'sha-1']);
    expect(await memo('other', compute)).toBe('sha-2');
  });

  it('forgets a failure, so the next call tries again', async () => {
    const memo = createMemo();
    await expect(memo('k', async () => Promise.reject(new Error('not fetched yet')))).rejects.toThrow(
      'not fetched yet',
    );
    expect(await memo('k', async () => 'found')).toBe('found');
  });

  it('holds at most its limit of keys', async () => {
    const memo = createMemo(2);
    let calls = 0;
    const compute = async () => ++calls;
    await memo('a', compute);
    await memo('b', compute);
    await memo('c', compute); // full: starts over
    expect(await memo('a', compute)).toBe(4);
  });
});
