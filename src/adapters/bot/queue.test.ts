import { describe, expect, it } from 'vitest';
import { JobQueue, KeyedMutex, SeenKeys } from './queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs and drains', async () => {
    const errors: unknown[] = [];
    const queue = new JobQueue({ concurrency: 2, limit: 10, onError: (e) => errors.push(e) });
    let running = 0;
    let peak = 0;
    const job = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick();
      running -= 1;
    };
    for (let i = 0; i < 6; i += 1) expect(queue.push(`k${i}`, job)).toBe('queued');
    await queue.idle();
    expect(peak).toBe(2);
    expect(errors).toEqual([]);
  });

  it('refuses beyond its limit and reports job errors', async () => {
    const errors: string[] = [];
    const queue = new JobQueue({ concurrency: 1, limit: 1, onError: (_e, key) => errors.push(key) });
    let release = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    queue.push('first', () => blocked);
    await tick();
    expect(queue.push('second', async () => Promise.reject(new Error('boom')))).toBe('queued');
    expect(queue.push('third', async () => {})).toBe('full');
    release();
    await queue.idle();
    expect(errors).toEqual(['second']);
  });

  it('coalesces a waiting job with the same key', async () => {
    const queue = new JobQueue({ concurrency: 1, limit: 10, onError: () => {} });
    const ran: string[] = [];
    let release = () => {};
    queue.push('busy', () => new Promise<void>((resolve) => (release = resolve)));
    await tick();
    expect(queue.push('merge:g', async () => void ran.push('a'), { coalesce: true })).toBe('queued');
    expect(queue.push('merge:g', async () => void ran.push('b'), { coalesce: true })).toBe('coalesced');
    release();
    await queue.idle();
    expect(ran).toEqual(['a']);
  });

  it('does not run a job in the tick that queued it', () => {
    const queue = new JobQueue({ concurrency: 1, limit: 1, onError: () => {} });
    let ran = false;
    queue.push('k', async () => {
      ran = true;
    });
    expect(ran).toBe(false);
  });
});

describe('SeenKeys', () => {
  it('remembers the first value and forgets the oldest beyond capacity', () => {
    const seen = new SeenKeys(2);
    expect(seen.recordOnce('a', '1')).toBeNull();
    expect(seen.recordOnce('a', '2')).toBe('1');
    seen.recordOnce('b', '1');
    seen.recordOnce('c', '1');
    expect(seen.recordOnce('a', '3')).toBeNull();
  });
});

describe('KeyedMutex', () => {
  it('serializes one key and lets others through', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const section = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        order.push(`${name}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${name}-`);
      });
    await Promise.all([section('g', 'a', 20), section('g', 'b', 1), section('h', 'c', 1)]);
    expect(order.indexOf('a-')).toBeLessThan(order.indexOf('b+'));
    expect(order.indexOf('c-')).toBeLessThan(order.indexOf('a-'));
  });

  it('releases after a failure', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('g', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(mutex.run('g', async () => 1)).resolves.toBe(1);
  });
});
