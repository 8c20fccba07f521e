import { describe, expect, it } from 'vitest';
import { FixBatches } from './fix-batches.js';

const ask = (id: string) => ({ id, text: `change ${id}` });

describe('FixBatches', () => {
  it('gathers the requests on one PR until its fix takes them; a later request opens a new batch', () => {
    const batches = new FixBatches();
    const first = batches.open('acme/app#3', [ask('a')]);
    expect(first).not.toBeNull();
    expect(batches.open('acme/app#3', [ask('b'), ask('c')])).toBeNull();
    expect(batches.open('acme/app#4', [ask('x')])).not.toBeNull();
    expect(first?.take().map((request) => request.id)).toEqual(['a', 'b', 'c']);
    const next = batches.open('acme/app#3', [ask('d')]);
    expect(next?.take().map((request) => request.id)).toEqual(['d']);
    // Taking again returns the same batch and closes no newer one.
    const newer = batches.open('acme/app#3', [ask('e')]);
    expect(first?.take().map((request) => request.id)).toEqual(['a', 'b', 'c']);
    expect(batches.open('acme/app#3', [ask('f')])).toBeNull();
    expect(newer?.take().map((request) => request.id)).toEqual(['e', 'f']);
  });

  it('queues one fix per batch, closes it when the fix ends, fails or finds the lane full', async () => {
    const batches = new FixBatches();
    const jobs: Array<[string, () => Promise<void>]> = [];
    const push = (key: string, job: () => Promise<void>) => {
      jobs.push([key, job]);
      return 'queued' as const;
    };
    const taken: string[][] = [];
    const failures: unknown[] = [];
    const run = async (take: () => ReturnType<typeof ask>[]) => {
      taken.push(take().map((request) => request.id));
    };
    const failed = async (error: unknown) => void failures.push(error);
    expect(batches.queue('acme/app#3', [ask('a')], push, run, failed)).toBe('queued');
    expect(batches.queue('acme/app#3', [ask('b')], push, run, failed)).toBe('joined');
    expect(jobs.map(([key]) => key)).toEqual(['fix:acme/app#3:a']);
    await jobs[0]?.[1]();
    expect(taken).toEqual([['a', 'b']]);
    // The batch closed with its fix: the next request queues a fix of its own.
    expect(batches.queue('acme/app#3', [ask('c')], push, run, failed)).toBe('queued');
    const boom = new Error('agent crashed');
    expect(batches.queue('acme/app#4', [ask('x')], push, async () => Promise.reject(boom), failed)).toBe(
      'queued',
    );
    await jobs[2]?.[1]();
    expect(failures).toEqual([boom]);
    expect(batches.queue('acme/app#4', [ask('y')], push, run, failed)).toBe('queued');
    // A full lane closes the batch at once: a redelivery may ask again.
    const full = () => 'full' as const;
    expect(batches.queue('acme/app#5', [ask('z')], full, run, failed)).toBe('full');
    expect(batches.queue('acme/app#5', [ask('z')], push, run, failed)).toBe('queued');
  });
});
