import { describe, expect, it } from 'vitest';
import { OmkError } from '../errors.js';
import { accessConflict, cycleThrough, dependencyWaves, stableTopologicalOrder } from './order.js';
import type { Task } from './schema.js';

function task(id: string, dependsOn: string[] = [], writes: string[] = [], reads: string[] = []): Task {
  return {
    id,
    title: id,
    description: id,
    ownerRole: 'implementer',
    dependsOn,
    reads,
    writes,
    risk: 'low',
    acceptance: [],
    budget: { timeMs: 1000, tokens: null, usd: null },
    maxRetries: 0,
    status: 'pending',
    attempts: 0,
  };
}

function waveIds(tasks: readonly Task[]): string[][] {
  return dependencyWaves(tasks).map((wave) => wave.map((t) => t.id));
}

describe('dependencyWaves', () => {
  it('puts each task in the first wave after all of its dependencies, in input order', () => {
    const tasks = [
      task('d', ['b', 'c']),
      task('b', ['a']),
      task('a'),
      task('e'),
      task('c', ['a']),
      task('f', ['a', 'd']),
    ];
    expect(waveIds(tasks)).toEqual([['a', 'e'], ['b', 'c'], ['d'], ['f']]);
  });

  it('returns the same task objects and no waves for no tasks', () => {
    const only = task('a');
    expect(dependencyWaves([only])[0]?.[0]).toBe(only);
    expect(dependencyWaves([])).toEqual([]);
  });

  it('a long-path dependency decides the wave, not the shortest one', () => {
    expect(waveIds([task('a'), task('b', ['a']), task('c', ['b']), task('z', ['a', 'c'])])).toEqual([
      ['a'],
      ['b'],
      ['c'],
      ['z'],
    ]);
  });

  it('throws on an invalid graph instead of dropping tasks', () => {
    expect(() => dependencyWaves([task('a', ['b']), task('b', ['a'])])).toThrow(/cycle among: a, b/);
    expect(() => dependencyWaves([task('a', ['ghost'])])).toThrow(/depends on "ghost"/);
    expect(() => dependencyWaves([task('a'), task('a')])).toThrow(OmkError);
  });
});

describe('cycleThrough', () => {
  const edges = new Map([
    ['a', ['b']],
    ['b', ['c', 'a']],
    ['c', ['a']],
    ['d', ['a', 'missing']],
    ['s', ['s']],
  ]);

  it('finds the shortest cycle through a task, starting and ending there', () => {
    expect(cycleThrough('a', edges)).toEqual(['a', 'b', 'a']);
    expect(cycleThrough('c', edges)).toEqual(['c', 'a', 'b', 'c']);
    expect(cycleThrough('s', edges)).toEqual(['s', 's']);
  });

  it('returns null for a task that only leads into a cycle', () => {
    expect(cycleThrough('d', edges)).toBeNull();
  });
});

describe('stableTopologicalOrder', () => {
  it('is input order when dependencies come first, and otherwise takes the lowest ready node', () => {
    expect(stableTopologicalOrder([0, 1, 2], (n) => (n === 2 ? [0] : []))).toEqual([0, 1, 2]);
    expect(stableTopologicalOrder([0, 1, 2], (n) => (n === 0 ? [2] : []))).toEqual([1, 2, 0]);
  });

  it('treats dependencies outside the nodes as satisfied and leaves cycles out', () => {
    expect(stableTopologicalOrder([1, 2], (n) => (n === 1 ? [7] : []))).toEqual([1, 2]);
    expect(stableTopologicalOrder([0, 1, 2], (n) => (n === 0 ? [1] : n === 1 ? [0] : []))).toEqual([2]);
  });
});

describe('accessConflict', () => {
  it('names both paths and the other task, and ignores read against read', () => {
    expect(accessConflict(task('x', [], ['src/a']), task('y', [], ['src']))).toBe(
      'writes "src/a" while task "y" writes "src", and neither depends on the other; ' +
        'add a dependency between them or make their paths disjoint',
    );
    expect(accessConflict(task('x', [], [], ['.']), task('y', [], [], ['src']))).toBeNull();
    expect(accessConflict(task('x', [], ['lib']), task('y', [], ['src'], ['docs']))).toBeNull();
  });
});
