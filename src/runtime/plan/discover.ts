import { contentStems, segmentStems, splitWords } from './words.js';

/** Directory names that hold tests wherever they appear in a path. */
export const TEST_DIR_NAMES: ReadonlySet<string> = new Set(['test', 'tests', '__tests__', 'spec']);

/** Test files by the conventions of the ecosystems omk meets most: JS/TS, Go and Python. */
export function isTestPath(path: string): boolean {
  const segments = path.split('/');
  const base = segments.at(-1) ?? '';
  if (segments.slice(0, -1).some((segment) => TEST_DIR_NAMES.has(segment.toLowerCase()))) return true;
  return (
    /\.(?:test|spec)\.[^.]+(?:\.[^.]+)?$/i.test(base) ||
    JS_PACKAGE_TEST.test(base) ||
    /_test\.(?:go|py)$/.test(base) ||
    /^test_.+\.py$/.test(base)
  );
}

/**
 * A JS package's own test files by name alone: ava's default `test.js` (a package's single test
 * file, as in most small npm packages) and tsd's type tests `index.test-d.ts`.
 */
export const JS_PACKAGE_TEST = /^tests?\.[cm]?[jt]sx?$|\.test-d\.[cm]?tsx?$/i;

interface IndexedFile {
  path: string;
  lower: string;
  base: string;
  /** Basename up to its first dot, separators removed: "parse-date.test.ts" → "parsedate". */
  compact: string;
  baseStems: ReadonlySet<string>;
  dirStems: ReadonlySet<string>;
}

function indexFile(path: string): IndexedFile {
  const segments = path.split('/');
  const base = segments.at(-1) ?? path;
  return {
    path,
    lower: path.toLowerCase(),
    base: base.toLowerCase(),
    compact: splitWords(base.split('.')[0] ?? base).join(''),
    baseStems: new Set(segmentStems(base)),
    dirStems: new Set(segments.slice(0, -1).flatMap(segmentStems)),
  };
}

/** Repository files prepared for matching once, so a planner can query many clauses cheaply. */
export interface RepoIndex {
  readonly files: readonly IndexedFile[];
}

export function indexRepoFiles(repoFiles: readonly string[]): RepoIndex {
  return { files: repoFiles.map(indexFile) };
}

/** Path-like tokens as written: "src/parser.ts", "./lib/", "README.md". */
function pathTokens(goalText: string): string[] {
  const found = goalText
    .split(/[\s,;:!?()[\]{}<>"'`]+/)
    .map((token) => token.replace(/^\.\//, '').replace(/[.]+$/, '').replace(/\/+$/, '').toLowerCase())
    .filter((token) => token !== '' && (token.includes('/') || /^[\w.-]+\.[a-z][a-z0-9]{0,7}$/.test(token)))
    .filter((token) => !/^(?:e\.g|i\.e|etc)$/.test(token) && !token.startsWith('http'));
  return [...new Set(found)];
}

function pathScore(file: IndexedFile, token: string): number {
  if (file.lower === token) return 100;
  if (file.lower.endsWith(`/${token}`)) return 80;
  if (file.lower.startsWith(`${token}/`) || file.lower.includes(`/${token}/`)) return 50;
  const tokenBase = token.split('/').at(-1) ?? token;
  return file.base === tokenBase ? 40 : 0;
}

/** Near-stems ("pars" in "parser") match weaker than exact stems. */
function nearly(a: string, b: string): boolean {
  if (a.length < 4 || b.length < 4) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return long.startsWith(short) && long.length - short.length <= 3;
}

function wordScore(file: IndexedFile, term: string): number {
  if (file.compact === term) return 12;
  if (file.baseStems.has(term)) return 10;
  if (file.dirStems.has(term)) return 4;
  for (const s of file.baseStems) if (nearly(s, term)) return 5;
  for (const s of file.dirStems) if (nearly(s, term)) return 2;
  return 0;
}

/**
 * Files the text names by path or file name ("src/parser.ts", "parser.ts", "lib/"): the strongest
 * evidence a goal can give, kept apart from word matches so a weak match never hides it.
 */
export function namedFiles(text: string, repo: RepoIndex): string[] {
  const named = new Set<string>();
  for (const token of pathTokens(text)) {
    // Only the best match of each token: "pkg00/mod000.js" is not "pkg01/mod000.js".
    const scores = repo.files.map((file) => pathScore(file, token));
    const best = Math.max(0, ...scores);
    if (best < 40) continue;
    repo.files.forEach((file, i) => {
      if (scores[i] === best) named.add(file.path);
    });
  }
  return repo.files.filter((file) => named.has(file.path)).map((file) => file.path);
}

export interface ScoredPath {
  path: string;
  score: number;
}

/**
 * Repository files relevant to the goal text, best first (ties by path), at most `limit`. Path
 * tokens dominate, then file-name words, then directory words; a word that matches many files
 * counts for less, so "src" or "test" cannot crowd out the file the goal names.
 */
export function discoverRelevantFiles(goalText: string, repoFiles: readonly string[], limit = 20): string[] {
  return scoreRelevantFiles(goalText, repoFiles, limit).map((entry) => entry.path);
}

/** discoverRelevantFiles with the scores, so a caller can keep only the strong matches. */
export function scoreRelevantFiles(
  goalText: string,
  repo: readonly string[] | RepoIndex,
  limit = 20,
): ScoredPath[] {
  const files = 'files' in repo ? repo.files : repo.map(indexFile);
  if (limit <= 0 || files.length === 0) return [];
  const tokens = pathTokens(goalText);
  // Whole identifiers ("parseDate") match compact basenames as well as their parts.
  const identifiers = goalText
    .split(/[^\p{L}\p{N}_-]+/u)
    .filter((token) => /[a-z][A-Z]|[a-z0-9][_-][a-z0-9]/i.test(token))
    .map((token) => splitWords(token).join(''));
  const terms = [...new Set([...contentStems(goalText), ...identifiers])];
  if (tokens.length === 0 && terms.length === 0) return [];

  const total = new Float64Array(files.length);
  const count = files.length;
  for (const token of tokens) {
    files.forEach((file, i) => {
      total[i] = (total[i] ?? 0) + pathScore(file, token);
    });
  }
  for (const term of terms) {
    const scores = files.map((file) => wordScore(file, term));
    const matched = scores.filter((score) => score > 0).length;
    if (matched === 0) continue;
    // Inverse document frequency: 1 when one file matches, shrinking toward 0 as all files match.
    const weight = Math.log(1 + count / matched) / Math.log(1 + count);
    scores.forEach((score, i) => {
      total[i] = (total[i] ?? 0) + score * weight;
    });
  }
  return files
    .map((file, i) => ({ path: file.path, score: total[i] ?? 0 }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, limit);
}
