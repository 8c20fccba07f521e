import {
  isTestPath,
  type RepoIndex,
  type ScoredPath,
  scoreRelevantFiles,
  TEST_DIR_NAMES,
} from './discover.js';

// Read and write sets for heuristic slices. Narrow sets let slices run in parallel; when nothing
// narrows a slice it owns the whole repository and the planner orders everything around it.

export const WHOLE_REPO = '.';

/** Same rule as the graph validator: "." covers everything, a directory covers what is below it. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === WHOLE_REPO || b === WHOLE_REPO || a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

export function anyOverlap(as: readonly string[], bs: readonly string[]): boolean {
  return as.some((a) => bs.some((b) => pathsOverlap(a, b)));
}

/** Drops paths covered by another path of the set, keeping the order of the rest. */
export function minimalPaths(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((path) => !unique.some((other) => other !== path && covers(other, path)));
}

function covers(outer: string, inner: string): boolean {
  return outer === WHOLE_REPO || inner.startsWith(`${outer}/`);
}

export interface Relevance {
  sources: string[];
  tests: string[];
}

/**
 * Files a text points at strongly: within half the best score. A goal that names src/parser.ts
 * should not also claim src/lexer.ts just because both sit under src/.
 */
export function strongMatches(
  text: string,
  repo: RepoIndex,
  writable: (path: string) => boolean = () => true,
): Relevance {
  // A file no slice may write (a CI workflow) is never a word match's guess: `tests.yaml` shares
  // "test" with every goal about a failing test, and a slice writing it is rejected whole.
  const scored = scoreRelevantFiles(text, repo, 20).filter((entry) => writable(entry.path));
  const best = (entries: ScoredPath[]): string[] => {
    const top = entries[0]?.score ?? 0;
    return entries.filter((entry) => entry.score >= top / 2).map((entry) => entry.path);
  };
  return {
    sources: best(scored.filter((entry) => !isTestPath(entry.path))),
    tests: best(scored.filter((entry) => isTestPath(entry.path))),
  };
}

function stemOf(path: string): string {
  const base = path.split('/').at(-1) ?? path;
  return (base.split('.')[0] ?? base).replace(/^test_|_test$/, '').toLowerCase();
}

/**
 * Existing tests that exercise these sources, by file stem: src/math.js ↔ test/math.test.js; and a
 * package's single test file (`test.js`, `test/index.js`... named test or tests) for every source
 * in its directory or below: index.js ↔ test.js.
 */
export function testsFor(sources: readonly string[], repoFiles: readonly string[]): string[] {
  const stems = new Set(sources.map(stemOf));
  return repoFiles.filter(
    (path) =>
      isTestFile(path) && (stems.has(stemOf(path)) || sources.some((source) => packageTestOf(path, source))),
  );
}

function packageTestOf(test: string, source: string): boolean {
  if (!/^tests?$/.test(stemOf(test))) return false;
  const slash = test.lastIndexOf('/');
  return slash < 0 || source.startsWith(test.slice(0, slash + 1));
}

const JS_SOURCE = /\.(?:[cm]?js|jsx)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const DECLARATION_DIRS = new Set(['types', 'typings', '@types']);

/**
 * The hand-written TypeScript declarations of JavaScript sources, by stem: beside the source or in
 * a types/ (typings/, @types/) directory beside it, as packages ship them (index.js ↔
 * types/index.d.ts). A fix that changes what a module exports changes its declarations too. A
 * TypeScript source has none: its declarations are built.
 */
export function declarationsFor(sources: readonly string[], repoFiles: readonly string[]): string[] {
  const wanted = new Set<string>();
  for (const source of sources.filter((path) => JS_SOURCE.test(path))) {
    const slash = source.lastIndexOf('/');
    const dir = slash >= 0 ? source.slice(0, slash + 1) : '';
    const stem = stemOf(source);
    for (const path of repoFiles) {
      if (!DECLARATION.test(path) || !path.startsWith(dir) || stemOf(path) !== stem) continue;
      const between = path.slice(dir.length).split('/').slice(0, -1);
      if (between.length === 0 || (between.length === 1 && DECLARATION_DIRS.has(between[0] ?? ''))) {
        wanted.add(path);
      }
    }
  }
  return [...wanted];
}

/** Where tests live: the test directory a test file sits in, or the file itself when colocated. */
export function testRoot(path: string): string {
  const segments = path.split('/');
  const index = segments.slice(0, -1).findIndex((segment) => TEST_DIR_NAMES.has(segment.toLowerCase()));
  return index >= 0 ? segments.slice(0, index + 1).join('/') : path;
}

function colocatedTestFor(source: string): string {
  const slash = source.lastIndexOf('/');
  const dir = slash >= 0 ? `${source.slice(0, slash)}/` : '';
  const base = source.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const [stemPart, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot + 1)] : [base, ''];
  if (ext === 'go') return `${dir}${stemPart}_test.go`;
  if (ext === 'py') return `${dir}test_${stemPart}.py`;
  return ext === '' ? 'test' : `${dir}${stemPart}.test.${ext}`;
}

/**
 * The tests a fix of these sources writes to show its own failing-then-passing test: their existing
 * tests (src/parser.js ↔ test/parser.test.js); else a new test file of the first source, named as
 * its language names one (`parser_test.go` beside it; `tests/test_parser.py` or `test/parser.test.js`
 * in the repository's test directory, else beside the source). A Rust module holds its own.
 */
export function ownTestsOf(sources: readonly string[], repoFiles: readonly string[]): string[] {
  const existing = testsFor(sources, repoFiles);
  if (existing.length > 0) return existing;
  const first = sources[0];
  if (first === undefined) return [];
  if (first.endsWith('.rs')) return [first];
  const beside = colocatedTestFor(first);
  if (first.endsWith('.go')) return [beside];
  const [where] = testLocations([], [first], repoFiles);
  const name = beside.split('/').at(-1) ?? beside;
  return [where === undefined || where === beside ? beside : `${where}/${name}`];
}

/**
 * Where a test slice writes: the test locations of the relevant tests; else the repository's
 * busiest test directory; else a colocated test file beside the first relevant source; else test/.
 */
export function testLocations(
  relevantTests: readonly string[],
  sources: readonly string[],
  repoFiles: readonly string[],
): string[] {
  if (relevantTests.length > 0) return minimalPaths(relevantTests.map(testRoot));
  const counts = new Map<string, number>();
  for (const path of repoFiles) {
    if (!isTestPath(path)) continue;
    const root = testRoot(path);
    if (root !== path) counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  const busiest = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  if (busiest !== undefined) return [busiest[0]];
  const first = sources[0];
  return [first === undefined ? 'test' : colocatedTestFor(first)];
}

/**
 * The integration-test directory of the crate a Rust source belongs to: `add_one/tests` for
 * `add_one/src/lib.rs` when `add_one/Cargo.toml` is tracked, `tests` for a crate at the root.
 * Null for a file outside a crate's `src/`.
 */
export function rustCrateTests(source: string, repoFiles: readonly string[]): string | null {
  if (!source.endsWith('.rs')) return null;
  const segments = source.split('/');
  for (let index = segments.lastIndexOf('src'); index >= 0; index = segments.lastIndexOf('src', index - 1)) {
    const root = segments.slice(0, index).join('/');
    if (repoFiles.includes(root === '' ? 'Cargo.toml' : `${root}/Cargo.toml`)) {
      return root === '' ? 'tests' : `${root}/tests`;
    }
    if (index === 0) break;
  }
  return null;
}

/** Longest directory shared by all paths, or "." when they only share the root. */
export function commonDirectory(paths: readonly string[]): string {
  const dirs = paths.map((path) => path.split('/').slice(0, -1));
  const first = dirs[0] ?? [];
  let length = 0;
  while (length < first.length && dirs.every((dir) => dir[length] === first[length])) length += 1;
  return length === 0 ? WHOLE_REPO : first.slice(0, length).join('/');
}

const DOC_FILE = /\.(?:md|mdx|markdown|rst|adoc|txt)$/i;

export function isDocPath(path: string): boolean {
  return DOC_FILE.test(path) || /^docs?\//i.test(path);
}

/** Where a docs slice writes when the clause names no document: docs/ if it exists, else README.md. */
export function defaultDocs(repoFiles: readonly string[]): string[] {
  const docsDir = repoFiles.find((path) => /^docs?\//i.test(path))?.split('/')[0];
  if (docsDir !== undefined) return [docsDir];
  return [repoFiles.find((path) => /^readme(?:\.[a-z]+)?$/i.test(path)) ?? 'README.md'];
}

const FIXTURE_DIR = /^(?:fixtures?|testdata|data|__snapshots__|snapshots|__fixtures__|assets|golden)$/i;
const CODE_FILE = /\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|swift|cs|php|c|cc|cpp|h|hpp|scala|ex|exs|dart)$/i;

/** A test file proper: not a fixture, snapshot or data file that merely sits under tests/. */
export function isTestFile(path: string): boolean {
  if (!isTestPath(path)) return false;
  const segments = path.split('/');
  const base = segments.at(-1) ?? '';
  if (
    /\.(?:test|spec)\.[^.]+(?:\.[^.]+)?$/i.test(base) ||
    /_test\.(?:go|py)$/.test(base) ||
    /^test_.+\.py$/.test(base)
  )
    return true;
  return CODE_FILE.test(base) && !segments.slice(0, -1).some((segment) => FIXTURE_DIR.test(segment));
}

/**
 * Test files a clause names as written ("add a case to tests/test_cookie.py"): tracked ones, or new
 * ones in a directory the repository already has. Case is kept: paths are case-sensitive.
 */
export function namedTestFiles(text: string, repoFiles: readonly string[]): string[] {
  const dirs = new Set(repoFiles.map((path) => path.split('/').slice(0, -1).join('/')));
  const found = text
    .split(/[\s,;:!?()[\]{}<>"'`]+/)
    .map((token) => token.replace(/^\.\//, '').replace(/[.]+$/, ''))
    .filter((token) => /^[\w./-]+\.[A-Za-z][\w]{0,7}$/.test(token) && !token.includes('..'))
    .filter((token) => isTestFile(token));
  const out: string[] = [];
  for (const token of found) {
    const exact = repoFiles.filter((path) => path === token || path.endsWith(`/${token}`));
    if (exact.length > 0) out.push(...exact);
    else if (token.includes('/') && dirs.has(token.split('/').slice(0, -1).join('/'))) out.push(token);
  }
  return [...new Set(out)];
}

/**
 * Source files a clause names that do not exist yet, in a directory the repository has ("add a
 * slugify function in src/slug.js"): the file the change creates, not the directory's other files.
 */
export function namedNewSources(text: string, repoFiles: readonly string[]): string[] {
  const files = new Set(repoFiles);
  const dirs = new Set(repoFiles.map((path) => path.split('/').slice(0, -1).join('/')));
  const found = text
    .split(/[\s,;:!?()[\]{}<>"'`]+/)
    .map((token) => token.replace(/^\.\//, '').replace(/[.]+$/, ''))
    .filter((token) => token.includes('/') && !token.includes('..') && CODE_FILE.test(token))
    .filter((token) => !files.has(token) && !isTestFile(token))
    .filter((token) => dirs.has(token.split('/').slice(0, -1).join('/')));
  return [...new Set(found)];
}
