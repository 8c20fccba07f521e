// Validation of planner output. The planner is untrusted: every draft is either accepted with
// normalized, safe fields or rejected with a code and a reason a human can act on. Nothing throws
// on a bad draft and nothing is dropped silently.

import { OmkError } from '../errors.js';
import { isFixTaskId, RESERVED_SLICE_IDS } from './branches.js';
import {
  accessConflict,
  cycleThrough,
  dependencyEdges,
  reachableFrom,
  stableTopologicalOrder,
} from './order.js';
import { normalizePathList, quoteUntrusted } from './paths.js';
import { protectedWriteViolation } from './protected.js';
import {
  type RejectionCode,
  SLICE_ID_PATTERN,
  type Task,
  type TaskDraft,
  type TaskRejection,
} from './schema.js';

export interface ValidateOptions {
  /** Protected paths the goal's plan explicitly names, so writes to them are allowed. */
  allowedProtectedPaths?: readonly string[];
  /** Per-task time limit; a task whose budget.timeMs exceeds it is rejected (code 'budget'). null = no limit. */
  maxTaskTimeMs?: number | null;
}

export interface ValidationResult {
  tasks: Task[];
  rejected: TaskRejection[];
}

interface Failure {
  code: RejectionCode;
  reason: string;
}

const ID_RULE = '1 to 63 lowercase letters, digits or "-", not starting with "-"';

/** Checks that need only the draft itself: paths, protected writes, budget. */
function checkDraft(draft: TaskDraft, dependsOn: string[], options: ValidateOptions): Task | Failure {
  const problems: string[] = [];
  const writes = normalizePathList('write', draft.writes, problems);
  const reads = normalizePathList('read', draft.reads, problems);
  if (problems.length > 0) return { code: 'unsafe_path', reason: problems.join('; ') };

  for (const path of writes) {
    const violation = protectedWriteViolation(path, options.allowedProtectedPaths ?? []);
    if (violation !== null) return { code: 'protected_path', reason: `write path ${violation}` };
  }

  const limit = options.maxTaskTimeMs ?? null;
  if (limit !== null && draft.budget.timeMs > limit) {
    const reason = `budget.timeMs ${draft.budget.timeMs} exceeds the per-task limit of ${limit} ms; lower it or split the task`;
    return { code: 'budget', reason };
  }

  // Field by field: unknown properties of an untrusted draft never reach the graph, and no array or
  // object is shared with the caller's draft.
  return {
    id: draft.id,
    title: draft.title,
    description: draft.description,
    ownerRole: draft.ownerRole,
    dependsOn,
    reads,
    writes,
    risk: draft.risk,
    acceptance: [...draft.acceptance],
    budget: { timeMs: draft.budget.timeMs, tokens: draft.budget.tokens, usd: draft.budget.usd },
    maxRetries: draft.maxRetries,
    status: 'pending',
    attempts: 0,
  };
}

function isFailure(value: Task | Failure): value is Failure {
  return 'code' in value;
}

function idFailure(id: string, takenBy: string | null): Failure | null {
  if (RESERVED_SLICE_IDS.includes(id) || isFixTaskId(id)) {
    return {
      code: 'invalid_id',
      reason: `task id "${id}" is reserved for omk's own branches and review fixes; rename the task`,
    };
  }
  if (!SLICE_ID_PATTERN.test(id)) {
    return {
      code: 'invalid_id',
      reason: `task id ${quoteUntrusted(id)} is not a valid slice id (${ID_RULE})`,
    };
  }
  if (takenBy === null) return null;
  return {
    code: 'duplicate_id',
    reason: `task id "${id}" is already used by ${takenBy}; give each task its own id`,
  };
}

function missingDependency(dependsOn: readonly string[], known: (id: string) => boolean): Failure | null {
  const missing = dependsOn.find((dep) => !known(dep));
  if (missing === undefined) return null;
  const reason = `depends on ${quoteUntrusted(missing)}, which is not a task in this graph; add that task or drop the dependency`;
  return { code: 'missing_dependency', reason };
}

function cycleFailure(cycle: readonly string[]): Failure {
  return {
    code: 'cycle',
    reason: `is part of a dependency cycle: ${cycle.join(' -> ')}; remove one of these dependencies`,
  };
}

/**
 * Validate planner drafts (untrusted). Accepted tasks get status 'pending', attempts 0, normalized +
 * deduplicated paths (sorted). Never throws on bad drafts: each rejection has a code and a reason a
 * human can act on. Deterministic: same input, same output.
 *
 * Per task, the first failing check wins: id, duplicate id (the later occurrence), missing
 * dependency, unsafe path, protected write, budget; then cycles, found over every task with a valid
 * unique id (a cycle is a fact about the plan that fixing one member's paths would not cure); then,
 * in dependency order, rejected dependencies and conflicts. Conflicts are decided in a stable
 * topological order, which is input order whenever dependencies are listed before their dependents:
 * the task decided later is rejected, and only against tasks still accepted, so no task is refused
 * because of one that was itself refused.
 */
export function validateTaskGraph(
  drafts: readonly TaskDraft[],
  options: ValidateOptions = {},
): ValidationResult {
  const failures = new Map<number, Failure>();
  const checked = new Map<number, Task>();
  const indexById = new Map<string, number>();

  drafts.forEach((draft, index) => {
    const first = indexById.get(draft.id);
    const failure = idFailure(draft.id, first === undefined ? null : `task #${first + 1} in the plan`);
    if (failure !== null) failures.set(index, failure);
    if (first === undefined) indexById.set(draft.id, index);
  });

  drafts.forEach((draft, index) => {
    if (failures.has(index)) return;
    const dependsOn = [...new Set(draft.dependsOn)];
    const result =
      missingDependency(dependsOn, (dep) => indexById.has(dep)) ?? checkDraft(draft, dependsOn, options);
    if (isFailure(result)) failures.set(index, result);
    else checked.set(index, result);
  });

  const nodes = drafts.filter(
    (draft, index) => indexById.get(draft.id) === index && SLICE_ID_PATTERN.test(draft.id),
  );
  const edges = dependencyEdges(nodes);
  for (const [index, task] of checked) {
    const cycle = cycleThrough(task.id, edges);
    if (cycle === null) continue;
    failures.set(index, cycleFailure(cycle));
    checked.delete(index);
  }

  decideInDependencyOrder(checked, failures, indexById);

  const tasks: Task[] = [];
  const rejected: TaskRejection[] = [];
  drafts.forEach((draft, index) => {
    const failure = failures.get(index);
    const task = checked.get(index);
    if (failure !== undefined)
      rejected.push({ taskId: draft.id, code: failure.code, reason: failure.reason });
    else if (task !== undefined) tasks.push(task);
  });
  return { tasks, rejected };
}

/** Rejected dependencies and conflicts, deciding each task only after all of its dependencies. */
function decideInDependencyOrder(
  checked: Map<number, Task>,
  failures: Map<number, Failure>,
  indexById: ReadonlyMap<string, number>,
): void {
  const depIndexes = new Map<number, number[]>();
  for (const [index, task] of checked) {
    const deps = task.dependsOn.map((dep) => indexById.get(dep) ?? -1);
    depIndexes.set(index, deps);
  }
  const order = stableTopologicalOrder([...checked.keys()], (index) => depIndexes.get(index) ?? []);
  // Every task on a cycle was rejected before this point, so the order covers every task left.
  if (order.length !== checked.size) throw new OmkError('internal', 'Graph validation missed a cycle.');
  const ancestors = new Map<number, Set<number>>();
  const accepted: number[] = [];

  for (const index of order) {
    const task = checked.get(index);
    if (task === undefined) continue;
    const deps = depIndexes.get(index) ?? [];
    const above = new Set<number>(deps);
    for (const dep of deps) for (const ancestor of ancestors.get(dep) ?? []) above.add(ancestor);
    ancestors.set(index, above);
    const failure = rejectedDependency(task, deps, failures) ?? firstConflict(task, above, accepted, checked);
    if (failure === null) {
      accepted.push(index);
    } else {
      failures.set(index, failure);
      checked.delete(index);
    }
  }
}

function rejectedDependency(
  task: Task,
  deps: readonly number[],
  failures: ReadonlyMap<number, Failure>,
): Failure | null {
  const at = deps.findIndex((dep) => failures.has(dep));
  const code = failures.get(deps[at] ?? -1)?.code;
  if (code === undefined) return null;
  const reason = `depends on ${quoteUntrusted(task.dependsOn[at] ?? '')}, which was rejected (${code}); fix that task first`;
  return { code: 'rejected_dependency', reason };
}

/** A conflict with an accepted task that is not among the task's ancestors (so not ordered). */
function firstConflict(
  task: Task,
  above: ReadonlySet<number>,
  accepted: readonly number[],
  checked: ReadonlyMap<number, Task>,
): Failure | null {
  // Name the earliest conflicting task in input order, whatever order tasks were decided in.
  for (const other of accepted.filter((candidate) => !above.has(candidate)).sort((a, b) => a - b)) {
    const otherTask = checked.get(other);
    const reason = otherTask === undefined ? null : accessConflict(task, otherTask);
    if (reason !== null) return { code: 'conflict', reason };
  }
  return null;
}

/**
 * Validate ONE new task (e.g. an agent-proposed follow-up) against an existing accepted graph: same
 * rules (id, deps exist in graph, paths, protected, conflicts with tasks it could run concurrently
 * with, budget), checked in the same order as validateTaskGraph. Every existing task counts
 * whatever its status: an unordered task's branch is merged beside the new one even if it is done.
 */
export function validateAddition(
  existing: readonly Task[],
  draft: TaskDraft,
  options: ValidateOptions = {},
): { task: Task } | { rejection: TaskRejection } {
  const reject = (failure: Failure) => ({
    rejection: { taskId: draft.id, code: failure.code, reason: failure.reason },
  });
  const edges = dependencyEdges(existing);
  const dependsOn = [...new Set(draft.dependsOn)];
  const task =
    idFailure(draft.id, edges.has(draft.id) ? 'an existing task in the graph' : null) ??
    missingDependency(dependsOn, (dep) => dep === draft.id || edges.has(dep)) ??
    checkDraft(draft, dependsOn, options);
  if (isFailure(task)) return reject(task);
  // The existing graph never depends on a new id, so only a self-dependency can close a cycle.
  if (dependsOn.includes(draft.id)) return reject(cycleFailure([draft.id, draft.id]));
  const ordered = reachableFrom(dependsOn, edges);
  for (const other of existing) {
    const conflict = ordered.has(other.id) ? null : accessConflict(task, other);
    if (conflict !== null) return reject({ code: 'conflict', reason: conflict });
  }
  return { task };
}
