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
});
