/** Which parser read a gate's per-test results. */
export const TEST_SOURCES = [
  'junit-xml',
  'tap',
  'go-test-json',
  'cargo-test',
  'pytest',
  'unittest',
  'vitest',
  'jest',
  'ava',
  'mocha',
] as const;
export type TestSource = (typeof TEST_SOURCES)[number];

/**
 * The tests one run of a gate reported, by name. A name is in at most one list: a test reported
 * both passing and failing (a pytest teardown error after a passing call) counts as failed.
 */
export interface TestResults {
  source: TestSource;
  passed: string[];
  failed: string[];
  skipped: number;
  /**
   * The skipped tests' names, where the runner prints them (cargo's `test x ... ignored`, an
   * `ignore`d doc test too): a test the base ran and the head skips is turned off, not removed.
   */
  skippedNames?: string[];
  /**
   * A recursive workspace run's packages whose script ran (`pnpm -r test`), each test named
   * `<package> > <name>`: a package missing here was not reached (pnpm stopped at the first failing
   * one), which says nothing of its tests. Undefined for a run of one package.
   */
  packages?: string[];
}

/** Results from sets, with the rule above applied and names sorted for stable proofs. */
export function testResults(
  source: TestSource,
  passed: Iterable<string>,
  failed: Iterable<string>,
  skipped: number,
  skippedNames?: Iterable<string>,
): TestResults | null {
  const failedSet = new Set(failed);
  const passedSet = new Set([...passed].filter((name) => !failedSet.has(name)));
  if (passedSet.size === 0 && failedSet.size === 0 && skipped === 0) return null;
  const results: TestResults = {
    source,
    passed: [...passedSet].sort(),
    failed: [...failedSet].sort(),
    skipped,
  };
  const ran = (name: string) => passedSet.has(name) || failedSet.has(name);
  const names = [...new Set(skippedNames)].filter((name) => !ran(name)).sort();
  return names.length === 0 ? results : { ...results, skippedNames: names };
}

/** Colour codes and carriage returns that runners print even when not on a terminal. */
export function plainLines(text: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this removes.
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/);
}
