// Dependency order over an accepted task graph: execution waves, and whether two tasks are ordered
// (which is what lets them touch the same paths).

import { OmkError } from '../errors.js';
import { pathsOverlap, quoteUntrusted } from './paths.js';
import type { Task } from './schema.js';

/** Dependency edges by task id, in the order the task lists them. */
export type DependencyEdges = ReadonlyMap<string, readonly string[]>;

export function dependencyEdges(tasks: readonly Pick<Task, 'id' | 'dependsOn'>[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const task of tasks) {
    if (!edges.has(task.id)) edges.set(task.id, [...new Set(task.dependsOn)]);
  }
  return edges;
}

/** Every id reachable from `start` by following dependencies (excluding `start` unless on a cycle). */
export function reachableFrom(start: readonly string[], edges: DependencyEdges): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    for (const dep of edges.get(id) ?? []) {
      if (!seen.has(dep)) stack.push(dep);
    }
  }
  return seen;
}

/**
 * The shortest dependency cycle through `id`, as ids from `id` back to itself (`a -> a` for a
 * self-dependency), or null when `id` is on no cycle. Breadth-first in the order dependencies are
 * listed, so the answer is deterministic.
 */
export function cycleThrough(id: string, edges: DependencyEdges): string[] | null {
  const parent = new Map<string, string>();
  const queue: string[] = [id];
  for (let head = 0; head < queue.length; head += 1) {
    const current = queue[head] ?? id;
    for (const dep of edges.get(current) ?? []) {
      if (dep === id) {
        const path = [id];
        for (let at: string | undefined = current; at !== undefined && at !== id; at = parent.get(at)) {
          path.push(at);
        }
        // Built walking back from `current`; flip it so it reads in dependency direction.
        return [id, ...path.slice(1).reverse(), id];
      }
      if (!parent.has(dep) && edges.has(dep)) {
        parent.set(dep, current);
        queue.push(dep);
      }
    }
  }
  return null;
}

/**
 * `nodes` in dependency order, taking the lowest ready node first: input order whenever
 * dependencies come before their dependents. Dependencies outside `nodes` count as satisfied;
 * nodes on a cycle (or after one) are left out.
 */
export function stableTopologicalOrder(
  nodes: readonly number[],
  depsOf: (node: number) => readonly number[],
): number[] {
  const pending = new Set(nodes);
  const order: number[] = [];
  for (;;) {
    let next: number | undefined;
    for (const node of pending) {
      if (next !== undefined && node > next) continue;
      if (depsOf(node).every((dep) => !pending.has(dep))) next = node;
    }
    if (next === undefined) return order;
    pending.delete(next);
    order.push(next);
  }
}

/**
 * Dependency waves: wave 0 = tasks with no deps, etc. (input is a valid acyclic graph).
 * Deterministic order within a wave (by input order). A task sits in the first wave after all of
 * its dependencies. Throws when the input is not a valid graph, because silently dropping a task
 * would hide work.
 */
export function dependencyWaves(tasks: readonly Task[]): Task[][] {
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) throw new OmkError('internal', `Task graph lists task "${task.id}" twice.`);
    ids.add(task.id);
  }
  for (const task of tasks) {
    const missing = task.dependsOn.find((dep) => !ids.has(dep));
    if (missing !== undefined) {
      throw new OmkError('internal', `Task "${task.id}" depends on "${missing}", which is not in the graph.`);
    }
  }

  const waves: Task[][] = [];
  const placed = new Set<string>();
  let remaining = [...tasks];
  while (remaining.length > 0) {
    const wave = remaining.filter((task) => task.dependsOn.every((dep) => placed.has(dep)));
    if (wave.length === 0) {
      const stuck = remaining.map((task) => task.id).join(', ');
      throw new OmkError('internal', `Task graph has a dependency cycle among: ${stuck}.`);
    }
    for (const task of wave) placed.add(task.id);
    remaining = remaining.filter((task) => !placed.has(task.id));
    waves.push(wave);
  }
  return waves;
}

/**
 * Why `task` and `other` may not run unordered, or null: the first overlap (same path, or one
 * containing the other) where at least one side writes. Read against read is fine.
 */
export function accessConflict(
  task: Pick<Task, 'reads' | 'writes'>,
  other: Pick<Task, 'id' | 'reads' | 'writes'>,
): string | null {
  const pairs: [string, readonly string[], string, readonly string[]][] = [
    ['writes', task.writes, 'writes', other.writes],
    ['writes', task.writes, 'reads', other.reads],
    ['reads', task.reads, 'writes', other.writes],
  ];
  for (const [mine, myPaths, theirs, theirPaths] of pairs) {
    for (const path of myPaths) {
      const hit = theirPaths.find((candidate) => pathsOverlap(path, candidate));
      if (hit === undefined) continue;
      return (
        `${mine} ${quoteUntrusted(path)} while task "${other.id}" ${theirs} ${quoteUntrusted(hit)}, and neither ` +
        'depends on the other; add a dependency between them or make their paths disjoint'
      );
    }
  }
  return null;
}
