import { type TestDemand, testDemandOf } from '../goal/intake-checks.js';
import type { TaskDraft } from '../graph/schema.js';
import { isTestPath } from './discover.js';
import { anyOverlap, minimalPaths, ownTestsOf, pathsOverlap, testRoot, WHOLE_REPO } from './slice-paths.js';

// A slice is never asked to prove what only another slice may write. The goal's class asks for new
// tests (a fix's failing-then-passing test, a greenfield change's acceptance tests, a hardening's
// hostile-input tests); omk checks them once, on the integrated head against the goal's base, so
// each change's tests are asked of whoever may write them. One rule for every planner: the
// heuristic applies it while planning, the agent planner to the plan an agent returned.

/** What the rule needs of a slice; it rewrites `acceptance` and widens `writes` in place. */
export interface DemandingSlice {
  id: string;
  role: string;
  writes: string[];
  acceptance: string[];
  /** What the slice changes: whose tests show its change. */
  sources: readonly string[];
}

const WORDS: Record<TestDemand, { tests: string; verb: string; own: string }> = {
  'fail-to-pass': {
    tests: "The test that fails on the goal's base commit and passes with this fix",
    verb: 'is',
    own: 'no test slice follows this fix, so it shows its own failing-then-passing test there',
  },
  acceptance: {
    tests: "The acceptance tests that fail or are absent on the goal's base commit and pass with this change",
    verb: 'are',
    own: 'no test slice follows this change, so it adds its own acceptance tests there',
  },
  'hostile-input': {
    tests:
      "The hostile-input tests that expose the weakness on the goal's base commit and are handled safely with this change",
    verb: 'are',
    own: 'no test slice follows this change, so it adds its own hostile-input tests there',
  },
};

/**
 * For each implementer asked for new tests: when test slices built on it verify it (`verifiers`:
 * implementer id → those test slices), the pair shows them, so its demand becomes one line naming
 * who writes them and telling it to change only its own files; otherwise it shows them itself, so
 * it may write the tests of what it changes (ownTestsOf: the existing ones, else a new file named as
 * its language names one), and the notes say so.
 */
export function askOnlyWritable(
  slices: readonly DemandingSlice[],
  verifiers: ReadonlyMap<string, readonly string[]>,
  repoFiles: readonly string[],
  notes: string[],
): void {
  for (const slice of slices) {
    if (slice.role !== 'implementer') continue;
    const demands = slice.acceptance.map(testDemandOf);
    const demand = demands.find((d): d is TestDemand => d !== null);
    if (demand === undefined) continue;
    const words = WORDS[demand];
    const testers = verifiers.get(slice.id) ?? [];
    if (testers.length > 0) {
      const by = `${testers.join(', ')}, which ${testers.length === 1 ? 'is' : 'are'} built on this slice`;
      const writes = minimalPaths(slice.writes);
      const scope = writes.includes(WHOLE_REPO) ? '' : `: change only ${writes.join(', ')}`;
      const pair = `${words.tests} ${words.verb} written by ${by}${scope}`;
      let placed = false;
      slice.acceptance = slice.acceptance.flatMap((line, i) => {
        if (demands[i] === null) return [line];
        if (placed) return [];
        placed = true;
        return [pair];
      });
      continue;
    }
    const missing = ownTestPaths(slice, slices, repoFiles).filter(
      (test) =>
        !slice.writes.some((write) => write === WHOLE_REPO || write === test || test.startsWith(`${write}/`)),
    );
    if (missing.length === 0) continue;
    slice.writes.splice(0, slice.writes.length, ...minimalPaths([...slice.writes, ...missing]));
    notes.push(`${slice.id} writes ${missing.join(', ')}: ${words.own}`);
  }
}

/**
 * Where a change no test slice follows writes its own tests: the test directory its tests live in,
 * so a new test may be a file of its own (test/instanceof.test.js beside test/index.test.js), as a
 * test slice may add one; the test files themselves when another slice of the plan writes or tests
 * in that directory, so the two still run in parallel.
 */
function ownTestPaths(
  slice: DemandingSlice,
  slices: readonly DemandingSlice[],
  repoFiles: readonly string[],
): string[] {
  const claims = slices
    .filter((other) => other !== slice)
    .flatMap((other) => [
      ...other.writes,
      ...(other.role === 'implementer' ? ownTestsOf(other.sources, repoFiles).map(testRoot) : []),
    ]);
  return minimalPaths(
    ownTestsOf(slice.sources, repoFiles).map((test) => {
      const root = testRoot(test);
      return anyOverlap(claims, [root]) ? test : root;
    }),
  );
}

/** A path that names a file (its last segment has an extension), not a directory. */
function looksLikeFile(path: string): boolean {
  return /\.[A-Za-z0-9]+$/.test(path.split('/').at(-1) ?? '');
}

/**
 * The same rule for a plan an agent returned, whose slices do not say what they change: a slice's
 * non-test files are its sources, and the test slices that depend on an implementer verify it. An
 * agent's slice that lists a new test file among its tests but may not write it (nor does a slice
 * it depends on) writes it too. The drafts are changed in place; the notes say what changed.
 */
export function askAgentSlicesOnlyWritable(
  tasks: readonly TaskDraft[],
  testsOf: ReadonlyMap<string, readonly string[]>,
  repoFiles: readonly string[],
): string[] {
  const notes: string[] = [];
  const tracked = new Set(repoFiles);
  for (const task of tasks) {
    const written = tasks
      .filter((other) => other === task || task.dependsOn.includes(other.id))
      .flatMap((other) => other.writes);
    const fresh = (testsOf.get(task.id) ?? []).filter(
      (test) => !tracked.has(test) && !written.some((write) => pathsOverlap(write, test)),
    );
    if (fresh.length === 0) continue;
    task.writes = [...task.writes, ...fresh];
    notes.push(
      `omk: ${task.id} writes ${fresh.join(', ')} too: its tests name these new files and no slice it builds on writes them`,
    );
  }
  const verifiers = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.ownerRole !== 'test-author') continue;
    for (const dep of task.dependsOn) verifiers.set(dep, [...(verifiers.get(dep) ?? []), task.id]);
  }
  const slices = tasks.map(
    (task): DemandingSlice => ({
      id: task.id,
      role: task.ownerRole,
      writes: [...task.writes],
      acceptance: [...task.acceptance],
      sources: task.writes.filter((path) => looksLikeFile(path) && !isTestPath(path)),
    }),
  );
  const widened: string[] = [];
  askOnlyWritable(slices, verifiers, repoFiles, widened);
  for (const [i, slice] of slices.entries()) {
    const task = tasks[i];
    if (task === undefined) continue;
    task.writes = slice.writes;
    task.acceptance = slice.acceptance;
  }
  notes.push(...widened.map((note) => `omk: ${note}`));
  return notes;
}
