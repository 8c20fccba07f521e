import { describe, expect, it } from 'vitest';
import { createSerializer } from './serialize.js';

describe('createSerializer', () => {
  it('runs tasks of one key one after another and other keys freely', async () => {
    const serialize = createSerializer();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await new Promise((done) => setTimeout(done, ms));
      log.push(`${name}-`);
    };
    await Promise.all([
      serialize('r', task('a', 20)),
      serialize('r', task('b', 1)),
      serialize('s', task('c', 1)),
    ]);
    expect(log.indexOf('b+')).toBeGreaterThan(log.indexOf('a-'));
    expect(log.indexOf('c-')).toBeLessThan(log.indexOf('a-'));
  });
});
