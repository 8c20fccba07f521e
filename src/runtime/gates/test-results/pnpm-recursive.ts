import { plainLines, type TestResults, testResults } from './types.js';

/** pnpm's line as it starts a package's script: `game test$ pnpm vitest run src`. */
const STARTED = /^(\S+) (\S+)\$ /;
/** vitest's count of a run's tests: `      Tests  1 failed | 22 passed (23)`. */
const VITEST_TOTAL = /^\s*Tests\s+.*\((\d+)\)\s*$/;

/**
 * `pnpm -r <script>`'s output: each package's script output, every line after `<dir> <script>: `
 * (its directory in the workspace), after pnpm's `<dir> <script>$ <command>`. Each package's lines
 * are read by `parseOne` (the console parsers) and its tests named `<dir> > <name>`, as two
 * packages may hold a test of the same name. `packages` lists the packages whose script started:
 * pnpm stops at the first failing package (unless `--no-bail`), and the ones after it never ran.
 *
 * Undefined when the output is not pnpm's recursive run. Null when it is but some package's tests
 * cannot all be read by name: its output is no runner omk reads, the packages' runners differ, or
 * vitest's default reporter named its failing tests only (`pnpm -r test -- --reporter=verbose`
 * names them all); a run read in part would tell a base's failing test from a head's passing one
 * by name on one side and not the other. The exit code then judges.
 */
export function parsePnpmRecursive(
  output: string,
  parseOne: (text: string) => TestResults | null,
): TestResults | null | undefined {
  const lines = plainLines(output);
  const sections = new Map<string, { dir: string; prefix: string; lines: string[] }>();
  for (const line of lines) {
    const started = STARTED.exec(line);
    if (started !== null) {
      const prefix = `${started[1]} ${started[2]}:`;
      if (!sections.has(prefix)) sections.set(prefix, { dir: started[1] ?? '', prefix, lines: [] });
      continue;
    }
    const head = /^(\S+ \S+:)(?: |$)/.exec(line)?.[1];
    const section = head === undefined ? undefined : sections.get(head);
    if (section !== undefined) section.lines.push(line.slice(section.prefix.length + 1));
  }
  if (sections.size === 0) return undefined;
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  let source: TestResults['source'] | null = null;
  for (const { dir, lines: own } of sections.values()) {
    const results = parseOne(own.join('\n'));
    if (results === null || (source !== null && results.source !== source)) return null;
    source = results.source;
    if (source === 'vitest' && !allNamed(own, results)) return null;
    passed.push(...results.passed.map((name) => `${dir} > ${name}`));
    failed.push(...results.failed.map((name) => `${dir} > ${name}`));
    skipped += results.skipped;
  }
  if (source === null) return null;
  const read = testResults(source, passed, failed, skipped);
  return read === null ? null : { ...read, packages: [...sections.values()].map((s) => s.dir).sort() };
}

/** vitest named every test it counted (its verbose reporter); its default one names failing ones only. */
function allNamed(lines: readonly string[], results: TestResults): boolean {
  const total = lines.map((line) => VITEST_TOTAL.exec(line)?.[1]).find((count) => count !== undefined);
  return (
    total === undefined || results.passed.length + results.failed.length + results.skipped >= Number(total)
  );
}
