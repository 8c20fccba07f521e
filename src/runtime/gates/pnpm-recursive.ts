import { lastTestRunner } from './node-runner.js';

/** pnpm options that take a value as the next word (`--filter ui`, `-C dir`). */
const WITH_VALUE = new Set(['--filter', '-F', '--workspace-concurrency', '-C', '--dir', '--reporter']);

export interface PnpmRecursiveRun {
  /** The script pnpm runs in each workspace package: `test` for `pnpm -r test`. */
  script: string;
  /** False with `--no-bail`: pnpm then runs every package's script even after one fails. */
  bails: boolean;
  /**
   * `pnpm -r run test`, `pnpm run -r test`: `run` hands every word after the script to each
   * package's script as it is (`--` too); `pnpm -r test` reads them as its own options up to `--`.
   */
  viaRun: boolean;
}

/**
 * A script body that runs a script in every package of a pnpm workspace (`pnpm -r test`, `pnpm
 * --recursive run test`, `pnpm run -r test`): one command, no shell operators. Null otherwise.
 */
export function pnpmRecursiveRun(body: string): PnpmRecursiveRun | null {
  if (/[;&|<>`$\n]/.test(body)) return null;
  const words = body.trim().split(/\s+/);
  if (words[0] !== 'pnpm') return null;
  let recursive = false;
  let viaRun = false;
  let script: string | undefined;
  for (let i = 1; i < words.length && script === undefined; i++) {
    const word = words[i] ?? '';
    if (word === '-r' || word === '--recursive') recursive = true;
    else if (WITH_VALUE.has(word)) i++;
    else if (word.startsWith('-')) continue;
    else if (word === 'run') viaRun = true;
    else script = word;
  }
  if (!recursive || script === undefined) return null;
  return { script, bails: !words.includes('--no-bail'), viaRun };
}

/** At most this many package.json files are read to decide what `pnpm -r` runs. */
const MANIFESTS_LIMIT = 200;

/**
 * The package.json files below the root of a pnpm workspace (outside node_modules): every package
 * `pnpm -r` may run a script in, and maybe more (a test fixture's: inWorkspace leaves them out).
 * Empty without pnpm-workspace.yaml, null over MANIFESTS_LIMIT.
 */
export function workspaceManifests(files: Iterable<string>): string[] | null {
  const all = [...files];
  if (!all.includes('pnpm-workspace.yaml')) return [];
  const found = all.filter(
    (path) => /^.+\/package\.json$/.test(path) && !path.split('/').includes('node_modules'),
  );
  return found.length > MANIFESTS_LIMIT ? null : found.sort();
}

/**
 * The manifests of the packages pnpm-workspace.yaml names: its `packages:` list of globs (`*` one
 * directory, `**` any depth, `!` leaves out), as a YAML block list. All of them when the file
 * has no such list omk can read (a flow list, none): more packages than pnpm runs, never fewer.
 */
export function inWorkspace(manifests: readonly string[], yaml: string | null): string[] {
  const globs = workspaceGlobs(yaml);
  if (globs.length === 0) return [...manifests];
  const matcher = (glob: string) => {
    const source = glob
      .replace(/^\.\//, '')
      .replace(/\/+$/, '')
      .split('/')
      .map((part) =>
        part === '**' ? '(?:.*)' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*'),
      )
      .join('/')
      .replaceAll('(?:.*)/', '(?:.*/)?');
    return new RegExp(`^${source}$`);
  };
  const include = globs.filter((glob) => !glob.startsWith('!')).map(matcher);
  const exclude = globs.filter((glob) => glob.startsWith('!')).map((glob) => matcher(glob.slice(1)));
  return manifests.filter((manifest) => {
    const dir = manifest.replace(/\/package\.json$/, '');
    return include.some((re) => re.test(dir)) && !exclude.some((re) => re.test(dir));
  });
}

/**
 * pnpm-workspace.yaml's `packages:` globs as a YAML block list, quotes dropped (`!` kept on the ones
 * that leave out): empty when there is no such list omk can read (a flow list, none, no file).
 */
export function workspaceGlobs(yaml: string | null): string[] {
  const block = /^packages:[ \t]*\r?\n((?:[ \t]*(?:-.*|#.*)?\r?\n?)*)/m.exec(yaml ?? '')?.[1] ?? '';
  return [...block.matchAll(/^[ \t]*-[ \t]*(['"]?)([^'"#\r\n]+?)\1[ \t]*(?:#.*)?$/gm)].map((m) => m[2] ?? '');
}

/** What each package's script says; null: a manifest that cannot be read (not JSON, too large). */
export type ScriptsOf = (manifest: string) => Readonly<Record<string, string>> | null;

/**
 * vitest's verbose reporter for every package of a `pnpm -r <script>` run, when each package's
 * script (of the ones that have it) ends with vitest run once and picks no reporter of its own:
 * then `pnpm run <script> -- --reporter=verbose` hands it to each (pnpm 9.15.9 passes what follows
 * `--` on to every package's script, `pnpm -r test -- --reporter\=verbose`; behind `run`, `pnpm -r
 * run test --reporter=verbose`, as `run` would hand on `--` itself), and each names every test.
 * Undefined otherwise: a package running node --test, jest or mocha would fail on an option
 * it does not know (`node: bad option: --reporter=verbose`), so the run is judged as it is.
 */
export function recursiveReporter(
  body: string,
  manifests: readonly string[] | null,
  scriptsOf: ScriptsOf,
): string[] | undefined {
  const run = pnpmRecursiveRun(body);
  // Arguments already after `--` would put vitest's reporter among the package's own.
  if (run === null || manifests === null || /(?:^|\s)--(?:\s|$)/.test(body)) return undefined;
  let packages = 0;
  for (const manifest of manifests) {
    const scripts = scriptsOf(manifest);
    if (scripts === null) return undefined;
    const script = scripts[run.script]?.trim() ?? '';
    if (script === '') continue;
    const last = lastTestRunner(script);
    if (last?.runner !== 'vitest' || /--reporter\b/.test(last.command)) return undefined;
    packages++;
  }
  if (packages === 0) return undefined;
  return run.viaRun ? ['--reporter=verbose'] : ['--', '--reporter=verbose'];
}
