import type { RepoPort } from '../ports.js';
import { isTestPath } from './discover.js';
import { isTestFile, testRoot } from './slice-paths.js';

// A compact map of a repository for a planning agent: tracked files with sizes and languages, the
// test layout, the symbols each file exports (a cheap grep index) and the detected gates, cut to
// fit a token budget. The agent plans from this map alone; it never needs the checkout.

const LANGUAGES: Record<string, string> = {
  ts: 'TypeScript',
  tsx: 'TypeScript',
  mts: 'TypeScript',
  cts: 'TypeScript',
  js: 'JavaScript',
  jsx: 'JavaScript',
  mjs: 'JavaScript',
  cjs: 'JavaScript',
  py: 'Python',
  go: 'Go',
  rs: 'Rust',
  rb: 'Ruby',
  java: 'Java',
  kt: 'Kotlin',
  swift: 'Swift',
  c: 'C',
  h: 'C',
  cc: 'C++',
  cpp: 'C++',
  hpp: 'C++',
  cs: 'C#',
  php: 'PHP',
  md: 'Markdown',
  json: 'JSON',
  yml: 'YAML',
  yaml: 'YAML',
  toml: 'TOML',
  sh: 'Shell',
};

export function languageOf(path: string): string | null {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? null : (LANGUAGES[path.slice(dot + 1).toLowerCase()] ?? null);
}

/** Lines that may define an exported or top-level symbol, as git grep -E (POSIX) patterns. */
const DEFINITION_LINES = [
  '^(export[[:space:]]+)(default[[:space:]]+)?(declare[[:space:]]+)?(abstract[[:space:]]+)?(async[[:space:]]+)?(function|class|interface|type|enum|const|let)[[:space:]*]',
  '^(async[[:space:]]+)?(def|class)[[:space:]]',
  '^(func|type)[[:space:]]',
  '^[[:space:]]*pub([(][a-z]+[)])?[[:space:]]+(async[[:space:]]+)?(fn|struct|enum|trait|mod|const|type)[[:space:]]',
];

const NAME_AFTER_KEYWORD =
  /\b(?:function\*?|class|interface|type|enum|const|let|def|fn|struct|trait|mod|func(?:\s*\([^)]*\))?)\s*\*?\s*([A-Za-z_$][\w$]*)/;

/** Symbols a file exports (JS/TS `export`, top-level Python, capitalized Go, Rust `pub`). */
export function exportedName(path: string, text: string): string | null {
  const name = NAME_AFTER_KEYWORD.exec(text)?.[1];
  if (name === undefined) return null;
  if (path.endsWith('.py') && name.startsWith('_')) return null;
  if (path.endsWith('.go') && !/^[A-Z]/.test(name)) return null;
  return name;
}

const MAX_SYMBOL_LINES = 20_000;
const SYMBOLS_PER_FILE = 12;

/** Exported symbols per file, from one `git grep` over the files committed at `at` (else the tracked files). */
export async function indexExports(
  repo: Pick<RepoPort, 'grepLines'>,
  root: string,
  at?: string,
): Promise<Map<string, string[]>> {
  const hits = await repo.grepLines(root, { patterns: DEFINITION_LINES, maxHits: MAX_SYMBOL_LINES, at });
  const byFile = new Map<string, string[]>();
  for (const hit of hits) {
    const name = exportedName(hit.path, hit.text);
    if (name === null) continue;
    const names = byFile.get(hit.path) ?? [];
    if (!names.includes(name)) names.push(name);
    byFile.set(hit.path, names);
  }
  return byFile;
}

export interface RepoFacts {
  files: readonly string[];
  sizes: ReadonlyMap<string, number>;
  exports: ReadonlyMap<string, readonly string[]>;
  /** Gates omk will run, as "name: command". */
  gates: readonly string[];
}

/** Token estimate used for every budget here: a token is about four characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function testLayout(files: readonly string[]): string {
  const roots = new Map<string, number>();
  let colocated = 0;
  for (const path of files) {
    if (!isTestFile(path)) continue;
    const root = testRoot(path);
    if (root === path) colocated += 1;
    else roots.set(root, (roots.get(root) ?? 0) + 1);
  }
  const parts = [...roots]
    .sort((a, b) => b[1] - a[1])
    .map(([root, count]) => `${root}/ (${count} test files)`);
  if (colocated > 0) parts.push(`${colocated} test files beside their sources`);
  return parts.length === 0 ? 'no test files found' : parts.join('; ');
}

function fileLine(path: string, facts: RepoFacts): string {
  const size = facts.sizes.get(path);
  const language = languageOf(path);
  const names = facts.exports.get(path) ?? [];
  const shown = names.slice(0, SYMBOLS_PER_FILE).join(', ') + (names.length > SYMBOLS_PER_FILE ? ', …' : '');
  return [
    path,
    size === undefined ? '' : ` ${size}B`,
    language === null ? '' : ` ${language}`,
    shown === '' ? '' : ` — ${shown}`,
  ].join('');
}

/** Files defining what the goal names, sources with symbols, other sources, tests, the rest. */
function priority(path: string, facts: RepoFacts, focus: ReadonlySet<string>): number {
  if (focus.has(path)) return -1;
  if (isTestPath(path)) return 2;
  if (facts.exports.has(path)) return 0;
  return languageOf(path) === null ? 3 : 1;
}

export interface RepoMap {
  text: string;
  shownFiles: number;
  omittedFiles: number;
}

/**
 * The map as text of at most `maxTokens`: the header always, then as many file lines as fit, the
 * most useful first (`focus`: the files defining the symbols the goal names), listed in path order;
 * what did not fit is counted, not silently dropped.
 */
export function renderRepoMap(
  facts: RepoFacts,
  maxTokens: number,
  focus: ReadonlySet<string> = new Set(),
): RepoMap {
  const languages = new Map<string, number>();
  for (const path of facts.files) {
    const language = languageOf(path);
    if (language !== null) languages.set(language, (languages.get(language) ?? 0) + 1);
  }
  const header = [
    `Tracked files: ${facts.files.length}`,
    `Languages: ${[...languages].map(([name, count]) => `${name} ${count}`).join(', ') || 'unknown'}`,
    `Test layout: ${testLayout(facts.files)}`,
    `Gates: ${facts.gates.length === 0 ? 'none detected' : facts.gates.join('; ')}`,
    'Files (path, size, language — exported symbols):',
  ].join('\n');
  let room = maxTokens * 4 - header.length - 80;
  const ranked = [...facts.files].sort(
    (a, b) => priority(a, facts, focus) - priority(b, facts, focus) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const kept: string[] = [];
  for (const path of ranked) {
    const line = fileLine(path, facts);
    if (line.length + 1 > room) continue;
    room -= line.length + 1;
    kept.push(line);
  }
  kept.sort();
  const omitted = facts.files.length - kept.length;
  const tail = omitted > 0 ? `\n(${omitted} more files not shown: the budget is full)` : '';
  return { text: `${header}\n${kept.join('\n')}${tail}`, shownFiles: kept.length, omittedFiles: omitted };
}
