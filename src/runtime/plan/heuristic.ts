import type { BudgetLimits, Oracle } from '../goal/schema.js';
import { protectedWriteViolation } from '../graph/protected.js';
import type { TaskDraft } from '../graph/schema.js';
import { type Clause, splitClauses } from './clauses.js';
import { indexRepoFiles, namedFiles, type RepoIndex } from './discover.js';
import type { PlanInput, Planner, PlanProposal } from './planner.js';
import {
  anyOverlap,
  commonDirectory,
  declarationsFor,
  defaultDocs,
  isDocPath,
  isTestFile,
  minimalPaths,
  namedNewSources,
  namedTestFiles,
  pathsOverlap,
  rustCrateTests,
  strongMatches,
  testLocations,
  testsFor,
  WHOLE_REPO,
} from './slice-paths.js';
import { askOnlyWritable } from './slice-tests.js';
import { definingFiles, goalIdentifiers, wordDefiningFiles } from './symbols.js';
import { splitWords } from './words.js';

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
  /** What an implementer changes (empty for other roles): whose tests show its fix. */
  sources: string[];
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

/** The files a clause points at, strongest evidence first, and why each is there. */
interface Pointed {
  sources: string[];
  tests: string[];
  /** path → why it is in the set (the symbol it defines, the name the goal wrote). */
  why: Map<string, string>;
  /** The clause names identifiers that no tracked file defines. */
  unresolved: string[];
  /** Some sources define a symbol the clause names. */
  bySymbol: boolean;
}

/**
 * Symbols beat names: files defining an identifier the clause names (plus files it names by
 * path) win over files whose names share a word. When the clause names identifiers that nothing
 * defines and no path, a word match is a guess, and a wrong guess is worse than the whole repository.
 */
function pointedAt(text: string, { input, repo }: PlanContext): Pointed {
  const why = new Map<string, string>();
  const named = namedFiles(text, repo);
  for (const path of named) why.set(path, 'named in the goal');
  const definitions = input.definitions ?? [];
  let symbols = definingFiles(text, definitions);
  // A clause naming no identifier and no path may name a function as a plain word ("fix clamp
  // for negative numbers"): a word defined in one or two files wins them as a symbol would.
  if (symbols.length === 0 && named.length === 0 && goalIdentifiers(text).length === 0)
    symbols = wordDefiningFiles(text, definitions);
  const allowed = input.allowedProtectedPaths ?? [];
  const words = strongMatches(text, repo, (path) => protectedWriteViolation(path, allowed) === null);
  const tests = words.tests.filter(isTestFile);
  if (symbols.length > 0) {
    let chosen = symbols;
    if (symbols.length > MAX_LISTED_WRITES) {
      // Many definitions (a common name): the ones the goal's other words also point at.
      const narrowed = symbols.filter((m) => named.includes(m.path) || words.sources.includes(m.path));
      if (narrowed.length > 0) chosen = narrowed;
    }
    for (const match of chosen) if (!why.has(match.path)) why.set(match.path, match.because);
    const sources = [...new Set([...named, ...chosen.map((m) => m.path)])];
    return { sources, tests, why, unresolved: [], bySymbol: true };
  }
  // A new file the clause names is what it creates: its directory's other files are not the change.
  const created = named.length === 0 ? namedNewSources(text, input.repoFiles) : [];
  if (created.length > 0) {
    for (const path of created) why.set(path, 'a new file the goal names');
    return { sources: created, tests, why, unresolved: [], bySymbol: false };
  }
  const identifiers = goalIdentifiers(text).map((id) => id.written);
  if (identifiers.length > 0 && named.length === 0) {
    // Only a file named after the identifier itself ("parseConfig" → parse-config.ts) still counts.
    const compact = new Set(identifiers.map((id) => splitWords(id.split(/[.:#]/).at(-1) ?? id).join('')));
    const sources = words.sources.filter((path) => compact.has(splitWords(baseStem(path)).join('')));
    for (const path of sources) why.set(path, 'its name is the identifier the goal names');
    return { sources, tests, why, unresolved: sources.length > 0 ? [] : identifiers, bySymbol: false };
  }
  for (const path of words.sources) if (!why.has(path)) why.set(path, 'its name shares words with the goal');
  return { sources: [...new Set([...named, ...words.sources])], tests, why, unresolved: [], bySymbol: false };
}

function baseStem(path: string): string {
  const base = path.split('/').at(-1) ?? path;
  return base.split('.')[0] ?? base;
}

function explain(id: string, paths: readonly string[], why: ReadonlyMap<string, string>): string {
  const parts = paths.map((path) => `${path} (${why.get(path) ?? 'related'})`);
  return `${id} writes ${parts.join(', ')}`;
}

function sliceFor(clause: Clause, index: number, context: PlanContext): Slice {
  const { input, notes } = context;
  const id = sliceId(index, clause.text);
  const base = { clause, id, dependsOn: [] as string[], sources: [] as string[] };
  if (clause.kind === 'test') {
    const own = pointedAt(testSubject(clause.text), context);
    const goal = pointedAt(testSubject(input.goalText), context);
    const sources = (own.sources.length > 0 ? own.sources : goal.sources).filter((p) => !isDocPath(p));
    const named = namedTestFiles(clause.text, input.repoFiles);
    const tests = [...new Set([...own.tests, ...testsFor(sources, input.repoFiles)])];
    let writes: string[];
    if (named.length > 0) {
      writes = named;
      notes.push(`${id} writes ${named.join(', ')}: the test file(s) the goal names`);
    } else {
      // No file named: where the subject's tests live, so the agent may add a new test file.
      writes = testLocations(tests, sources, input.repoFiles);
      notes.push(`${id} writes ${writes.join(', ')}: where the tests of ${quoteList(sources)} live`);
      // Rust's unit tests live in the module they test (`#[cfg(test)] mod tests`).
      const inline = sources.filter(
        (path) => path.endsWith('.rs') && !writes.some((w) => pathsOverlap(w, path)),
      );
      if (inline.length > 0) {
        writes = [...writes, ...inline];
        notes.push(`${id} writes ${inline.join(', ')} too: a Rust module holds its own unit tests`);
      }
    }
    return {
      ...base,
      role: 'test-author',
      writes,
      reads: [...new Set([...sources, ...tests])].filter((path) => !writes.includes(path)).sort(),
      risk: 'low',
      acceptance: [],
    };
  }
  if (clause.kind === 'docs') {
    const own = strongMatches(clause.text, context.repo);
    const docs = own.sources.filter(isDocPath);
    const writes = docs.length > 0 ? docs : defaultDocs(input.repoFiles);
    if (docs.length === 0)
      notes.push(`no document matched "${clause.text}"; slice ${id} writes ${writes.join(', ')}`);
    else notes.push(`${id} writes ${docs.join(', ')}: the document(s) whose name the goal mentions`);
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
  const own = pointedAt(clause.text, context);
  const sources = own.sources.filter((path) => !isDocPath(path) || own.sources.every(isDocPath));
  const { bySymbol } = own;
  const sourceTests = testsFor(sources, input.repoFiles);
  let writes: string[];
  if (sources.length === 0) {
    writes = [WHOLE_REPO];
    notes.push(
      own.unresolved.length > 0
        ? `no tracked file defines ${own.unresolved.join(', ')} named in "${clause.text}"; slice ${id} owns the whole repository (risk high) rather than a guess by file name`
        : `no source file matched "${clause.text}"; slice ${id} owns the whole repository (risk high)`,
    );
  } else if (sources.length <= MAX_LISTED_WRITES) {
    // The files defining the symbol come with their tests: a fix needs its regression test.
    const tests = bySymbol ? sourceTests.filter((path) => !sources.includes(path)) : [];
    // A Rust fix's regression test goes inline (the source itself) or in its crate's tests/.
    const crateTests = [
      ...new Set(sources.flatMap((source) => rustCrateTests(source, input.repoFiles) ?? [])),
    ].filter((dir) => ![...sources, ...tests].some((path) => pathsOverlap(dir, path)));
    const declarations = declarationsFor(sources, input.repoFiles).filter((path) => !sources.includes(path));
    writes = [...sources, ...declarations, ...tests, ...crateTests];
    const why = new Map(own.why);
    for (const path of declarations) {
      const declared = sources.filter((source) => declarationsFor([source], [path]).length > 0);
      why.set(path, `the TypeScript declarations of ${declared.join(', ')}`);
    }
    for (const test of tests) {
      const tested = sources.filter((source) => testsFor([source], [test]).length > 0);
      why.set(test, `the existing tests of ${tested.join(', ')}`);
    }
    for (const dir of crateTests) {
      const crate = dir === 'tests' ? 'the crate' : `crate ${dir.slice(0, -'/tests'.length)}`;
      why.set(dir, `the integration tests of ${crate}, where a regression test may go`);
    }
    notes.push(explain(id, writes, why));
  } else {
    writes = [commonDirectory(sources)];
    notes.push(
      `${sources.length} files matched "${clause.text}"; slice ${id} writes their common directory ${writes[0]}`,
    );
  }
  const reads = [...new Set([...sources, ...own.tests, ...sourceTests])].sort();
  return {
    ...base,
    sources,
    role: 'implementer',
    writes,
    reads,
    risk: writes.includes(WHOLE_REPO) ? 'high' : 'medium',
    acceptance: [`Done when: ${clause.text}`, ...input.oracle.checks],
  };
}

/**
 * A test slice's acceptance follows its role: it claims "fails on the base" only when it verifies
 * a change planned before it; a test of something no slice changes must simply pass.
 */
function testAcceptance(
  clause: Clause,
  writes: readonly string[],
  oracle: Oracle,
  verified: readonly string[],
): string[] {
  const lines = [`Tests in ${writes.join(', ')} cover: ${clause.text}`];
  const holds = `this slice's head, which holds the ${oracle.shape === 'fail_to_pass' ? 'fix' : 'change'} of ${verified.join(', ')}`;
  if (oracle.shape === 'fail_to_pass' && verified.length > 0) {
    lines.push(`The regression test fails on the goal's base commit and passes on ${holds}`);
  } else if (oracle.shape === 'spec_acceptance' && verified.length > 0) {
    lines.push(`The new acceptance tests fail or are absent on the goal's base commit and pass on ${holds}`);
  } else if (oracle.shape === 'adversarial') {
    lines.push(
      'The tests feed hostile input (malformed, oversized, injection or traversal) and expect a safe rejection',
    );
    if (verified.length > 0) {
      lines.push(`They expose the weakness on the goal's base commit and are handled safely on ${holds}`);
    }
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

/**
 * What is left of the goal's budget once planning spent `spent` (a planning agent's runs are
 * charged to the goal): the slices share that, so a slice given the whole of it still fits when
 * it is dispatched. A limit planning used up stays as it was: the goal is out of it either way.
 */
export function budgetLeft(
  budget: BudgetLimits,
  spent: { timeMs: number; tokens: number; usd: number } | undefined,
): BudgetLimits {
  if (spent === undefined) return budget;
  const left = (limit: number | null, used: number) =>
    limit === null || limit - used <= 0 ? limit : limit - used;
  return {
    timeMs: left(budget.timeMs, spent.timeMs),
    tokens: left(budget.tokens, spent.tokens),
    usd: left(budget.usd, spent.usd),
  };
}

export function splitBudget(budget: BudgetLimits, count: number, notes: string[]): TaskDraft['budget'] {
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
      `at most ${cap} slices for ${input.maxAgents} agent(s) at once; clauses ${cap} to ${all.length} form one slice`,
    );
  }

  const repo = indexRepoFiles(input.repoFiles);
  const context: PlanContext = { input, repo, notes };
  const work = clauses.filter((clause) => clause.kind !== 'constraint');
  const constraints = clauses.filter((clause) => clause.kind === 'constraint').map((clause) => clause.text);
  if (constraints.length > 0) {
    notes.push(
      `constraints on every slice, not slices: ${constraints.map((text) => `"${text}"`).join(', ')}`,
    );
  }
  const slices = work.map((clause, i) => sliceFor(clause, i + 1, context));
  /** test slice id → the implementer slices whose changes its tests verify. */
  const verifying = new Map<string, string[]>();
  for (const [i, slice] of slices.entries()) {
    if (slice.role !== 'test-author') continue;
    // A test clause with no subject of its own verifies the changes planned before it.
    const subject = testSubject(slice.clause.text);
    const ownSubject = pointedAt(subject, context).sources.length > 0;
    for (const earlier of slices.slice(0, i)) {
      if (earlier.role !== 'implementer') continue;
      // With a subject, it verifies only the changes to what it tests.
      if (ownSubject && !anyOverlap(earlier.writes, slice.reads)) continue;
      if (ownSubject && earlier.writes.includes(WHOLE_REPO)) continue;
      slice.dependsOn.push(earlier.id);
      verifying.set(slice.id, [...(verifying.get(slice.id) ?? []), earlier.id]);
      notes.push(`${slice.id} depends on ${earlier.id}: its tests verify that change`);
    }
  }
  // A change's new tests are asked of whoever may write them (slice-tests.ts): the test slices
  // built on it, else the change itself, which then writes the tests of what it changes.
  const verifiers = new Map<string, string[]>();
  for (const [tester, fixes] of verifying) {
    for (const fix of fixes) verifiers.set(fix, [...(verifiers.get(fix) ?? []), tester]);
  }
  askOnlyWritable(slices, verifiers, input.repoFiles, notes);
  orderConflicts(slices, notes);
  for (const slice of slices) {
    if (slice.role === 'test-author') {
      slice.acceptance = testAcceptance(
        slice.clause,
        slice.writes,
        input.oracle,
        verifying.get(slice.id) ?? [],
      );
    }
    slice.acceptance.push(...constraints.map((text) => `Constraint: ${text}`));
  }

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
