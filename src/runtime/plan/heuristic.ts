import type { BudgetLimits, Oracle } from '../goal/schema.js';
import type { TaskDraft } from '../graph/schema.js';
import { type Clause, splitClauses } from './clauses.js';
import { indexRepoFiles, type RepoIndex } from './discover.js';
import type { PlanInput, Planner, PlanProposal } from './planner.js';
import {
  anyOverlap,
  commonDirectory,
  defaultDocs,
  isDocPath,
  minimalPaths,
  strongMatches,
  testLocations,
  testsFor,
  WHOLE_REPO,
} from './slice-paths.js';

const PLANNER = { name: 'heuristic', version: '1' } as const;
const MAX_SLICES = 8;
const DEFAULT_SLICE_MS = 30 * 60_000;
const MIN_SLICE_MS = 60_000;
/** More files than this and the slice writes their common directory instead of a list. */
const MAX_LISTED_WRITES = 3;

type OwnerRole = 'implementer' | 'test-author' | 'docs-writer';

interface Slice {
  clause: Clause;
  id: string;
  role: OwnerRole;
  writes: string[];
  reads: string[];
  dependsOn: string[];
  risk: TaskDraft['risk'];
  acceptance: string[];
}

/** `s<N>-<slug>`, at most 40 characters, always a valid git ref component. */
export function sliceId(index: number, text: string): string {
  const prefix = `s${index}`;
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') return prefix;
  const room = 40 - prefix.length - 1;
  const cut = slug.length <= room ? slug : slug.slice(0, room).replace(/-[^-]*$/, '') || slug.slice(0, room);
  return `${prefix}-${cut.replace(/-+$/, '')}`;
}

function quoteList(paths: readonly string[]): string {
  return paths.length === 0 ? 'none' : paths.join(', ');
}

interface PlanContext {
  input: PlanInput;
  repo: RepoIndex;
  notes: string[];
}

/**
 * What a test clause is about, without the words every test clause shares: "add a regression
 * test for the parser" is about the parser, and "test" alone would match every test file.
 */
function testSubject(text: string): string {
  return text.replace(/\b(?:tests?|testing|specs?|coverage|regression|unit|integration|e2e|cases?)\b/gi, ' ');
}

function sliceFor(clause: Clause, index: number, { input, repo, notes }: PlanContext): Slice {
  const id = sliceId(index, clause.text);
  const own = strongMatches(clause.kind === 'test' ? testSubject(clause.text) : clause.text, repo);
  const base = { clause, id, dependsOn: [] as string[] };
  if (clause.kind === 'test') {
    const goal = strongMatches(testSubject(input.goalText), repo);
    const sources = own.sources.length > 0 ? own.sources : goal.sources;
    const tests = [...new Set([...own.tests, ...testsFor(sources, input.repoFiles)])];
    const writes = testLocations(tests, sources, input.repoFiles);
    return {
      ...base,
      role: 'test-author',
      writes,
      reads: [...new Set([...sources, ...tests])].sort(),
      risk: 'low',
      acceptance: testAcceptance(clause, writes, input.oracle),
    };
  }
  if (clause.kind === 'docs') {
    const docs = own.sources.filter(isDocPath);
    const writes = docs.length > 0 ? docs : defaultDocs(input.repoFiles);
    if (docs.length === 0)
      notes.push(`no document matched "${clause.text}"; slice ${id} writes ${writes.join(', ')}`);
    return {
      ...base,
      role: 'docs-writer',
      writes,
      reads: own.sources.filter((path) => !isDocPath(path)).sort(),
      risk: 'low',
      acceptance: [
        `Done when: ${clause.text}`,
        'Commands, flags and examples in the changed documentation match the code on the head commit',
      ],
    };
  }
  const sources = own.sources.filter((path) => !isDocPath(path) || own.sources.every(isDocPath));
  let writes: string[];
  if (sources.length === 0) {
    writes = [WHOLE_REPO];
    notes.push(`no source file matched "${clause.text}"; slice ${id} owns the whole repository (risk high)`);
  } else if (sources.length <= MAX_LISTED_WRITES) {
    writes = sources;
  } else {
    writes = [commonDirectory(sources)];
    notes.push(
      `${sources.length} files matched "${clause.text}"; slice ${id} writes their common directory ${writes[0]}`,
    );
  }
  const reads = [...new Set([...sources, ...own.tests, ...testsFor(sources, input.repoFiles)])].sort();
  return {
    ...base,
    role: 'implementer',
    writes,
    reads,
    risk: writes.includes(WHOLE_REPO) ? 'high' : 'medium',
    acceptance: [`Done when: ${clause.text}`, ...input.oracle.checks],
  };
}

function testAcceptance(clause: Clause, writes: readonly string[], oracle: Oracle): string[] {
  const lines = [`Tests under ${writes.join(', ')} cover: ${clause.text}`];
  if (oracle.shape === 'fail_to_pass') {
    lines.push('The regression test fails on the base commit and passes with the fix applied');
  } else if (oracle.shape === 'adversarial') {
    lines.push(
      'The tests feed hostile input (malformed, oversized, injection or traversal) and expect a safe rejection',
    );
  } else {
    lines.push('The new tests pass on the head commit');
  }
  lines.push('Every test that passes on the base commit still passes on the head commit');
  return lines;
}

function reaches(slices: readonly Slice[], from: Slice, to: string): boolean {
  const byId = new Map(slices.map((slice) => [slice.id, slice]));
  const seen = new Set<string>();
  const stack = [...from.dependsOn];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}

/**
 * Orders every pair of slices whose sets collide (later waits for earlier), so no two concurrent
 * slices write what the other reads or writes. Always later→earlier, hence never a cycle.
 */
function orderConflicts(slices: readonly Slice[], notes: string[]): void {
  for (const [j, later] of slices.entries()) {
    for (const earlier of slices.slice(0, j)) {
      if (reaches(slices, later, earlier.id)) continue;
      const collide =
        anyOverlap(earlier.writes, [...later.writes, ...later.reads]) ||
        anyOverlap(later.writes, earlier.reads);
      if (!collide) continue;
      later.dependsOn.push(earlier.id);
      notes.push(`${later.id} depends on ${earlier.id}: their read/write sets overlap`);
    }
  }
}

function splitBudget(budget: BudgetLimits, count: number, notes: string[]): TaskDraft['budget'] {
  let timeMs = DEFAULT_SLICE_MS;
  if (budget.timeMs !== null) {
    const share = Math.floor(budget.timeMs / count);
    // A slice never gets more than the whole goal: the validator rejects that as a budget error.
    timeMs = Math.min(budget.timeMs, Math.max(MIN_SLICE_MS, share));
    if (timeMs > share) {
      notes.push(`the goal time budget split ${count} ways is under 1 min; each slice gets ${timeMs} ms`);
    }
  }
  const tokens = budget.tokens === null ? null : Math.max(1, Math.floor(budget.tokens / count));
  const usd =
    budget.usd === null ? null : Math.floor((budget.usd / count) * 10_000) / 10_000 || budget.usd / count;
  return { timeMs, tokens, usd };
}

async function plan(input: PlanInput): Promise<PlanProposal> {
  if (!input.oracle.testable) {
    const why = input.oracle.reasons.join('; ') || 'the oracle is not testable';
    return {
      planner: { ...PLANNER },
      tasks: [],
      notes: [`not planned: the goal is not testable (${why}); a human must decide first`],
    };
  }
  const notes: string[] = [];
  const cap = Math.min(MAX_SLICES, Math.max(1, input.maxAgents * 2));
  const all = splitClauses(input.goalText);
  const clauses = splitClauses(input.goalText, cap);
  notes.push(
    `goal split into ${all.length} clause(s): ${all.map((clause) => `"${clause.text}"`).join(', ')}`,
  );
  if (all.length > clauses.length) {
    notes.push(
      `at most ${cap} slices for max-agents ${input.maxAgents}; clauses ${cap} to ${all.length} form one slice`,
    );
  }

  const repo = indexRepoFiles(input.repoFiles);
  const slices = clauses.map((clause, i) => sliceFor(clause, i + 1, { input, repo, notes }));
  for (const [i, slice] of slices.entries()) {
    // A test clause with no subject of its own verifies the changes planned before it.
    if (
      slice.role !== 'test-author' ||
      strongMatches(testSubject(slice.clause.text), repo).sources.length > 0
    )
      continue;
    for (const earlier of slices.slice(0, i)) {
      if (earlier.role !== 'implementer') continue;
      slice.dependsOn.push(earlier.id);
      notes.push(`${slice.id} depends on ${earlier.id}: its tests verify that change`);
    }
  }
  orderConflicts(slices, notes);

  const budget = splitBudget(input.budget, slices.length, notes);
  const tasks = slices.map((slice, i): TaskDraft => {
    const writes = minimalPaths(slice.writes);
    const whole = writes.includes(WHOLE_REPO);
    return {
      id: slice.id,
      title: slice.clause.text.charAt(0).toUpperCase() + slice.clause.text.slice(1),
      description:
        `${slice.clause.text} (part ${i + 1} of ${slices.length} of the goal "${input.goalText}"). ` +
        (whole
          ? 'No file matched, so the slice may change any unprotected file. '
          : `Writes ${quoteList(writes)}. `) +
        `Relevant files: ${quoteList(slice.reads)}.`,
      ownerRole: slice.role,
      dependsOn: slice.dependsOn,
      reads: slice.reads,
      writes,
      risk: slice.risk,
      acceptance: slice.acceptance,
      budget,
      maxRetries: slice.risk === 'high' ? 1 : 2,
    };
  });
  return { planner: { ...PLANNER }, tasks, notes };
}

/** Deterministic decomposition of a goal into slices: see clauses.ts for the splitting rules. */
export const heuristicPlanner: Planner = { name: PLANNER.name, plan };
