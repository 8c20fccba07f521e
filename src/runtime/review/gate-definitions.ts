// The gate-definition check: a change must not rewrite what a gate runs. Gates are detected at the
// goal's base (`npm run test`, `make test`, `python3 -m pytest`, `cargo test`), but the tool reads
// its definition from the worktree when it runs: a script body in package.json, a Makefile, pytest's
// `addopts`, a cargo runner. A change that edits it makes the gate run what the change wrote
// (`"test": "exit 0"`, `addopts = "--co"`): the gate then passes without testing anything. This
// compares each definition as committed before and after the change, parsed where a diff could
// hide it (JSON's `\u` escapes and repeated keys), and blocks on any difference: a person reviews
// the new command. Runner configuration that is code counts too, wherever the change put it: a
// vitest, vite or jest config (or package.json's "jest") can exclude the failing test or swap its
// reporter, and it, nyc's, c8's or coverage.py's config can lower the coverage threshold a run
// fails on (gates/beyond-tests.ts calls a threshold the base misses too its debt); a pnpm
// workspace package's own script, which the root's `pnpm -r test` runs, can do the first, and
// pnpm-workspace.yaml's `packages:` list, narrowed, drops a package's tests from it; a conftest.py hook can rewrite an outcome (`pytest_runtest_makereport` forcing
// "passed"), which no per-test result can tell from a pass; a Cargo.toml `harness = false` target
// prints whatever results it likes, and a workspace's `exclude` drops a member's tests. A conftest.py change that only adds fixtures is not one.
//
// A goal created with the intent to change what its gates run (goal.json options.allowGateEdits,
// declared by a person before any agent ran) gets the same findings as warnings: the slice is not
// failed for them, but the proof is blocked_on_human until a person reviews each edited definition
// (proof/build.ts), accepts the goal and merges it (delivery/merge-decision.ts).

import { pnpmRecursiveRun, workspaceGlobs } from '../gates/pnpm-recursive.js';
import { quoteUntrusted } from '../graph/paths.js';
import type { Finding } from '../proof/schema.js';
import { finding } from './input.js';

/** The code of every finding this check makes: the proof treats them on their own. */
export const GATE_DEFINITION_EDITED = 'gate_definition_edited';

/** What a gate needs from a GateSpec: its name and argv. */
export interface GateCommand {
  name: string;
  argv: readonly string[];
}

/** One part of a file that decides what a gate runs. */
interface Definition {
  path: string;
  /** Shown in the finding: "package.json scripts.test", "Makefile". */
  label: string;
  /** The part of the file's text that matters (the whole file when absent); null when missing. */
  part?: (text: string) => string | null;
  /** The part of a missing file, when that is the same as one without it (no hooks): else null. */
  missing?: string;
  /**
   * A workspace package's package.json (pnpm): its script of the name the root's script runs in
   * every package (`pnpm -r test`) is the definition, read once the base's root script is known.
   */
  recursive?: true;
  /** A script the base did not have is none of its gate's definition (a package the change adds). */
  existing?: true;
  /** Counts only when the base's root script runs a script in every workspace package (`pnpm -r test`). */
  workspace?: true;
  /**
   * Whether the change from `old` to `now` (the whole files; null: none) can hide a test the base
   * ran, when not every difference does (a workspace package added is none): instead of `part`.
   */
  hides?: (old: string | null, now: string | null) => boolean;
}

const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
const CARGO_CONFIGS = ['.cargo/config.toml', '.cargo/config'];
/** pytest reads the first of these that configures it; an added one takes over. */
const PYTEST_FILES = ['pytest.toml', '.pytest.toml', 'pytest.ini', '.pytest.ini'];
const PYTEST_SECTIONS: ReadonlyArray<readonly [path: string, section: string]> = [
  ['pyproject.toml', 'tool.pytest'],
  ['tox.ini', 'pytest'],
  ['setup.cfg', 'tool:pytest'],
  // coverage.py's settings, which pytest-cov reads: `fail_under`, and what counts (`omit`).
  ['pyproject.toml', 'tool.coverage'],
  ['setup.cfg', 'coverage:run'],
  ['setup.cfg', 'coverage:report'],
  ['tox.ini', 'coverage:run'],
  ['tox.ini', 'coverage:report'],
];
/** coverage.py's own config file, read by pytest-cov. */
const COVERAGE_RC = '.coveragerc';
/** npm's built-in aliases of `npm test`; other commands name the script after `run`. */
const NPM_TEST = new Set(['test', 't', 'tst']);
const NODE_MANAGERS = new Set(['npm', 'pnpm', 'yarn']);
const MANAGER_CONFIG: Readonly<Record<string, readonly string[]>> = {
  npm: ['.npmrc'],
  pnpm: ['.npmrc', '.pnpmfile.cjs'],
  yarn: ['.yarnrc', '.yarnrc.yml'],
};

/**
 * A vitest, vite or jest config file, any extension (vitest.config.ts, jest.config.mjs, ...), or
 * nyc's or c8's (.nycrc.json, nyc.config.cjs, .c8rc): they hold coverage thresholds a run fails on.
 */
const NODE_RUNNER_CONFIG =
  /^(?:(?:vitest|vite|jest)\.(?:config|workspace|projects)(?:\.[\w-]+)*|\.nycrc(?:\.(?:json|ya?ml))?|nyc\.config\.[cm]?js|\.c8rc(?:\.json)?)$/;
/** package.json keys that configure a runner or its coverage thresholds. */
const PACKAGE_RUNNER_KEYS = ['jest', 'nyc', 'c8'];
/** Cargo.toml keys that decide whether libtest runs a target's tests and reports them. */
const CARGO_TEST_KEYS = new Set(['harness', 'test', 'autotests', 'doctest']);
const WORKSPACE_MEMBER_KEYS = ['workspace.members', 'workspace.exclude', 'workspace.default-members'];

/**
 * Every file whose change may alter what one of `gates` runs: the fixed ones, and those of
 * `changed` (the change's paths) that configure a runner wherever they are.
 */
export function gateDefinitionPaths(
  gates: readonly GateCommand[],
  changed: readonly string[] = [],
): string[] {
  return [...new Set(gates.flatMap((gate) => definitionsOf(gate, changed).map((d) => d.path)))].sort();
}

/**
 * Findings for each gate whose definition differs between `before` and `after` (the files'
 * committed texts; null: not committed). A file missing from both maps is unchanged. Blocking,
 * unless `intended` (the goal was created meaning to change them): then warnings a person reviews.
 */
export function gateDefinitionReview(
  gates: readonly GateCommand[],
  before: ReadonlyMap<string, string | null>,
  after: ReadonlyMap<string, string | null>,
  intended = false,
): Finding[] {
  const changed = new Map<string, { definition: Definition; gates: string[] }>();
  const read = [...new Set([...before.keys(), ...after.keys()])];
  for (const gate of gates) {
    for (const definition of resolved(definitionsOf(gate, read), before)) {
      if (!before.has(definition.path) && !after.has(definition.path)) continue;
      if (!edits(definition, before.get(definition.path) ?? null, after.get(definition.path) ?? null))
        continue;
      const entry = changed.get(definition.label) ?? { definition, gates: [] };
      entry.gates.push(gate.name);
      changed.set(definition.label, entry);
    }
  }
  return [...changed.values()].map(({ definition, gates: names }) => {
    const what =
      `The change edits ${quoteUntrusted(definition.label)}, which decides what the ` +
      `${names.map((name) => quoteUntrusted(name)).join(', ')} gate${names.length === 1 ? '' : 's'} ` +
      'ran: the gate ran what the change wrote, not the command detected at the base, so its result shows nothing';
    const found = intended
      ? finding(
          'controller',
          'warning',
          `${what} until a person reads the new definition, checks that it still runs every test ` +
            'and reports failures, and runs it (the goal was created to change it).',
          [definition.path],
        )
      : finding(
          'controller',
          'blocking',
          `${what}; revert it, or have a person review the new command and run it.`,
          [definition.path],
        );
    return { ...found, code: GATE_DEFINITION_EDITED };
  });
}

/** A package.json below the root, outside node_modules: a workspace package's. */
function isPackageManifest(path: string): boolean {
  return /^.+\/package\.json$/.test(path) && !path.split('/').includes('node_modules');
}

/**
 * The definitions with each workspace package's (`recursive`) made its script's, when the base's
 * root script runs that script in every package (`pnpm -r test` → `scripts.test`); dropped when it
 * runs none.
 */
function resolved(
  definitions: readonly Definition[],
  before: ReadonlyMap<string, string | null>,
): Definition[] {
  const roots = definitions.filter((d) => d.path === 'package.json' && d.part !== undefined);
  const root = before.get('package.json') ?? null;
  const scripts = new Set<string>();
  for (const definition of roots) {
    const body = root === null ? null : (definition.part?.(root) ?? null);
    const run = body === null ? null : pnpmRecursiveRun(body);
    if (run !== null) scripts.add(run.script);
  }
  return definitions.flatMap((definition) =>
    definition.workspace && scripts.size === 0
      ? []
      : definition.recursive
        ? [...scripts].map((script) => ({
            path: definition.path,
            label: `${definition.path} scripts.${script}`,
            part: (text: string) => scriptBody(text, script),
            existing: true as const,
          }))
        : [definition],
  );
}

/** Whether the change from `before` to `after` (the file's texts) edits the definition. */
function edits(definition: Definition, before: string | null, after: string | null): boolean {
  if (definition.hides !== undefined) return definition.hides(before, after);
  const old = partOf(definition, before);
  const now = partOf(definition, after);
  return old !== now && !(definition.existing && old === null);
}

function partOf(definition: Definition, text: string | null): string | null {
  if (text === null) return definition.missing ?? null;
  return definition.part === undefined ? text : definition.part(text);
}

const baseName = (path: string) => path.split('/').at(-1) ?? path;

function definitionsOf(gate: GateCommand, paths: readonly string[]): Definition[] {
  const [tool, ...args] = gate.argv;
  if (tool === undefined) return [];
  const program = tool.split('/').at(-1) ?? tool;
  if (NODE_MANAGERS.has(program)) {
    const configs = paths.filter((path) => NODE_RUNNER_CONFIG.test(baseName(path)));
    // A workspace package's own package.json: read, its script counts when the root's runs it (pnpm -r).
    const packages = program === 'pnpm' ? paths.filter(isPackageManifest) : [];
    return [
      ...nodeDefinitions(program, args),
      ...configs.map((path) => ({ path, label: path })),
      ...packages.map((path) => ({ path, label: path, recursive: true })),
      ...(program === 'pnpm' ? [WORKSPACE_PACKAGES] : []),
    ];
  }
  if (program === 'make') return MAKEFILES.map((path) => ({ path, label: path }));
  if (program === 'cargo') {
    // Whether libtest runs a target's tests matters to `cargo test` alone.
    const manifests = args.includes('test') ? paths.filter((path) => baseName(path) === 'Cargo.toml') : [];
    return [
      ...CARGO_CONFIGS.map((path) => ({ path, label: path })),
      // Which packages a workspace holds decides which packages' tests and lints run.
      {
        path: 'Cargo.toml',
        label: 'Cargo.toml [workspace] members and exclude',
        part: workspaceMembers,
        missing: '',
      },
      ...manifests.map((path) => ({
        path,
        label: `${path} test targets (harness, test)`,
        part: cargoTestKeys,
        missing: '',
      })),
    ];
  }
  if (gate.argv.includes('pytest') || program === 'pytest') {
    const conftests = paths.filter((path) => baseName(path) === 'conftest.py');
    return [
      ...[...PYTEST_FILES, COVERAGE_RC].map((path) => ({ path, label: path })),
      ...PYTEST_SECTIONS.map(([path, section]) => ({
        path,
        label: `${path} [${section}]`,
        part: (text: string) => sectionLines(text, section),
      })),
      ...conftests.map((path) => ({ path, label: `${path} pytest hooks`, part: pytestHooks, missing: '' })),
    ];
  }
  return [];
}

/**
 * pnpm-workspace.yaml's `packages:` list decides which packages `pnpm -r test` runs: a glob the
 * change drops or narrows, or a `!` glob it adds, drops those packages' tests from the run unseen.
 */
const WORKSPACE_PACKAGES: Definition = {
  path: 'pnpm-workspace.yaml',
  label: 'pnpm-workspace.yaml packages',
  workspace: true,
  hides: workspaceNarrowed,
};

/**
 * Whether `now` may leave out a package `old` had pnpm run: one of its globs gone or changed
 * (`packages/*` to `packages/a`; any glob rewritten counts, even a wider one), a `!` glob added,
 * or the file added or removed. Globs only added (a new package) hide none of the base's tests.
 * A list omk cannot read (a flow list) counts as changed when its text does.
 */
export function workspaceNarrowed(old: string | null, now: string | null): boolean {
  if (old === now) return false;
  if (old === null || now === null) return true;
  const normal = (glob: string) =>
    glob
      .trim()
      .replace(/^(!?)\.\//, '$1')
      .replace(/\/+$/, '');
  const before = workspaceGlobs(old).map(normal);
  const after = new Set(workspaceGlobs(now).map(normal));
  if (before.length === 0 || after.size === 0) return true;
  const kept = before.filter((glob) => !glob.startsWith('!')).every((glob) => after.has(glob));
  const excludes = [...after].filter((glob) => glob.startsWith('!') && !before.includes(glob));
  return !kept || excludes.length > 0;
}

function nodeDefinitions(manager: string, args: readonly string[]): Definition[] {
  const [first, second] = args;
  const script =
    first === 'run' || first === 'run-script'
      ? second
      : manager === 'npm' && first !== undefined && !NPM_TEST.has(first)
        ? undefined
        : first === undefined || NPM_TEST.has(first)
          ? 'test'
          : first;
  const files = (MANAGER_CONFIG[manager] ?? []).map((path) => ({ path, label: path }));
  if (script === undefined) return files;
  // npm and yarn 1 run `pre<script>` and `post<script>` around it; pnpm does when configured to.
  return [
    ...[`pre${script}`, script, `post${script}`].map((name) => ({
      path: 'package.json',
      label: `package.json scripts.${name}`,
      part: (text: string) => scriptBody(text, name),
    })),
    ...PACKAGE_RUNNER_KEYS.map((key) => ({
      path: 'package.json',
      label: `package.json ${key}`,
      part: (text: string) => topLevel(text, key),
    })),
    ...files,
  ];
}

/** A top-level key's value as JSON.parse reads it (see scriptBody); null when absent. */
function topLevel(text: string, key: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `\u0000unparsable\u0000${text}`;
  }
  const value: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, key) : undefined;
  return value === undefined ? null : JSON.stringify(value);
}

/** Python names through which a conftest.py reaches pytest's reporting: hooks and the plugin manager. */
const PYTEST_REACH = /pytest_|pluginmanager|hookimpl|hookwrapper|_pytest|TestReport|CallInfo/;

/**
 * The parts of a conftest.py that act on pytest itself: every `def pytest_*` hook with its
 * decorators and body (at any depth: a class registered as a plugin holds them as methods), and
 * any other line naming pytest's hooks, plugins or report objects. Fixtures and helpers are left
 * out: adding one changes nothing here.
 */
export function pytestHooks(text: string): string {
  const kept: string[] = [];
  const lines = text.split(/\r?\n/);
  let hookIndent: number | null = null;
  lines.forEach((line, index) => {
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (hookIndent !== null && indent > hookIndent) {
      kept.push(line);
      return;
    }
    hookIndent = null;
    if (/^(?:async\s+)?def\s+pytest_/.test(trimmed)) {
      hookIndent = indent;
      // Its decorators (`@pytest.hookimpl(hookwrapper=True)`) sit right above it.
      for (let i = index - 1; i >= 0 && (lines[i] ?? '').trim().startsWith('@'); i--)
        kept.push(lines[i] ?? '');
      kept.push(line);
      return;
    }
    if (PYTEST_REACH.test(line)) kept.push(line);
  });
  return kept.join('\n');
}

/** The root Cargo.toml's `[workspace]` `members`, `exclude` and `default-members`, with the lines their arrays span. */
function workspaceMembers(text: string): string {
  return WORKSPACE_MEMBER_KEYS.map((key) => sectionLines(text, key))
    .filter((lines) => lines !== '')
    .join('\n');
}

/** Cargo.toml's `harness`, `test`, `autotests` and `doctest` keys, each under its table's header. */
function cargoTestKeys(text: string): string {
  const kept: string[] = [];
  let header = '';
  const seen = new Map<string, number>();
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (line === '') continue;
    if (isHeader(line)) {
      // Each `[[test]]` is a target of its own: numbered, so moving a key between them counts.
      header = normalizeKey(line);
      if (header.startsWith('[[')) {
        const nth = (seen.get(header) ?? 0) + 1;
        seen.set(header, nth);
        header = `${header}#${nth}`;
      }
      continue;
    }
    const key =
      normalizeKey(line.split('=')[0] ?? '')
        .split('.')
        .at(-1) ?? '';
    if (CARGO_TEST_KEYS.has(key)) kept.push(`${header} ${line.replace(/\s+/g, '')}`);
  }
  return kept.join('\n');
}

/** The script's body as npm reads it (JSON.parse: escapes decoded, the last repeated key wins). */
function scriptBody(text: string, name: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Unparsable: npm fails on it too, but it is not the same definition.
    return `\u0000unparsable\u0000${text}`;
  }
  const scripts = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'scripts') : undefined;
  if (typeof scripts !== 'object' || scripts === null) return null;
  const body: unknown = Reflect.get(scripts, name);
  return typeof body === 'string' ? body : body === undefined ? null : JSON.stringify(body);
}

/**
 * The lines of a TOML or INI file that configure `section`: under a header naming it or a table
 * below it, or a key whose full dotted name (the header's, then its own) does, with the lines its
 * value spans. Escapes a quoted key may use are decoded and quotes dropped first; comments and
 * blank lines are not kept, so only a change to what the tool reads counts.
 */
export function sectionLines(text: string, section: string): string {
  const wanted = normalizeKey(section);
  const within = (name: string) => name === wanted || name.startsWith(`${wanted}.`);
  const kept: string[] = [];
  let header = '';
  let depth = 0;
  let continuing = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (line === '') continue;
    if (depth === 0 && isHeader(line)) {
      header = normalizeKey(line.replace(/^\[+|\]+$/g, ''));
      if (within(header)) kept.push(line);
      continue;
    }
    let relevant: boolean = continuing;
    if (depth === 0) {
      const key = normalizeKey(line.split('=')[0] ?? '');
      relevant = within(header) || within(header === '' ? key : `${header}.${key}`);
    }
    depth = Math.max(0, depth + bracketBalance(line));
    continuing = relevant && depth > 0;
    if (relevant) kept.push(line);
  }
  return kept.join('\n');
}

/** A table or section header, `[name]` or `[[name]]`, and nothing after it but a comment. */
function isHeader(line: string): boolean {
  return /^\[\[?[^[\]=]+\]\]?$/.test(line);
}

/** Decodes TOML's `\uXXXX` and `\UXXXXXXXX`, drops quotes and spaces: `"py\u0074est"` is pytest. */
function normalizeKey(text: string): string {
  return text
    .replace(
      /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
      (_, short: string | undefined, long: string | undefined) =>
        String.fromCodePoint(Number.parseInt(short ?? long ?? '0', 16)),
    )
    .replace(/["'\s]/g, '')
    .toLowerCase();
}

/** The line without a `#` or `;` comment outside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== null) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' || (char === ';' && i === 0)) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Opening minus closing brackets and braces outside quotes: a value spanning lines is open. */
function bracketBalance(line: string): number {
  let balance = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== null) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '{') balance++;
    else if (char === ']' || char === '}') balance--;
  }
  return balance;
}
