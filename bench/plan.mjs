#!/usr/bin/env node
// Planner benchmark: how well the heuristic planner's write sets match the files a goal is about.
//
//   node bench/plan.mjs [--check] [--json] [--smoke]
//
// Each case is a small repository fixture (TypeScript, Python, Go layouts), a goal, and the files
// that must be in some slice's write set (the file that defines the symbol the goal names). The
// bench builds the fixture as a temp git repository and runs the built CLI as a user would:
// `omk goal plan "<goal>" --no-llm-planner --json`. For each case it reports the files written, the
// recall (expected files covered by a write set), the precision (written files that were expected
// or are tests of them, or the test directory a lone change adds its tests in) and whether a slice got the whole repository ("."). The agent planner is
// off: these figures are the heuristic's, the fallback every goal can count on.
//
// --check exits 1 unless every case whose goal names a symbol defined in exactly one file gets
// that file. --smoke is --check on the six cases no other test plans (SMOKE_CASES, a few seconds):
// the others are planned in-process, with their exact write sets, by test/plan/code-search.test.ts.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  git,
  log,
  makeTempDir,
  parseJsonOutput,
  printJson,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  timeOmk,
} from './lib.mjs';

const TS = {
  'package.json': '{ "name": "cookie-kit", "scripts": { "test": "vitest run" } }\n',
  'src/index.ts':
    "export { serialize } from './serialize.js';\nexport function parseCookie(header: string) {\n  return header.split(';');\n}\n",
  'src/serialize.ts':
    'export class Cookie {\n  serialize(value: string): string {\n    return value;\n  }\n}\nexport function serialize(n: string, v: string) {\n  return n + "=" + v;\n}\n',
  'src/util/strings.ts': 'export const trimQuotes = (text: string) => text.replace(/^"|"$/g, "");\n',
  'data/parse-cookie-samples.json': '["a=1"]\n',
  'bench/parse-cookie.bench.ts': "import { parseCookie } from '../src/index.js';\nparseCookie('a=1');\n",
  'test/index.test.ts': "import { parseCookie } from '../src/index.js';\n",
  'test/serialize.test.ts': "import { serialize } from '../src/serialize.js';\n",
  'test/fixtures/cookie-header.txt': 'a=1; b=2\n',
};

const PY = {
  'pyproject.toml': '[project]\nname = "semverkit"\n',
  'semverkit/__init__.py': 'from .version import Version\n',
  'semverkit/version.py':
    'class Version:\n    def __init__(self, text):\n        self.parts = text.split(".")\n\n    def compare(self, other):\n        return 0\n',
  'semverkit/headers.py': 'def parse_header(line):\n    return line.split(":")[:-1]\n',
  'examples/compare_versions.py':
    'from semverkit import Version\nprint(Version("1.0").compare(Version("2.0")))\n',
  'tests/test_version.py': 'from semverkit import Version\n',
  'tests/test_headers.py': 'from semverkit.headers import parse_header\n',
  'tests/fixtures/headers.txt': 'Host: example.com\n',
};

const GO = {
  'go.mod': 'module example.com/semver\n\ngo 1.21\n',
  'version.go':
    'package semver\n\ntype Version struct{ parts []int }\n\nfunc (v Version) Compare(o Version) int {\n\treturn 0\n}\n',
  'version_test.go': 'package semver\n',
  'parse.go': 'package semver\n\nfunc Parse(s string) (Version, error) {\n\treturn Version{}, nil\n}\n',
  'cmd/semver/main.go': 'package main\n\nfunc main() {}\n',
};

// Functions a goal names as plain words ("fix clamp for negative numbers"); the README and a
// caller use the words without defining them.
const JS = {
  'package.json': '{ "name": "strkit", "scripts": { "test": "node --test" } }\n',
  'src/strings.js': 'export function trim(text) {\n  return text.replace(/^ +| +$/g, "");\n}\n',
  'src/math.js': 'export const clamp = (n, lo, hi) => Math.min(hi, Math.max(lo, n));\n',
  'src/format.js': "import { trim } from './strings.js';\nexport const format = (s) => trim(s);\n",
  'test/strings.test.js': "import { trim } from '../src/strings.js';\n",
  'README.md': '# strkit\n\nUse trim(text) to strip spaces; clamp(n, lo, hi) bounds a number.\n',
};

/** [name, fixture, goal, files that must be written, does the goal name a symbol defined in one file] */
const CASES = [
  ['ts function', TS, 'parseCookie drops values that contain an equals sign; fix it', ['src/index.ts'], true],
  ['ts method', TS, 'fix Cookie.serialize so it encodes spaces', ['src/serialize.ts'], true],
  ['ts arrow const', TS, 'trimQuotes leaves a trailing quote; fix it', ['src/util/strings.ts'], true],
  ['py method', PY, 'fix Version.compare so that 1.10 sorts after 1.9', ['semverkit/version.py'], true],
  ['py snake_case', PY, 'parse_header drops the last field; fix it', ['semverkit/headers.py'], true],
  ['go method', GO, 'Version.Compare returns 0 for different versions; fix it', ['version.go'], true],
  ['go function', GO, 'make Parse() reject empty strings', ['parse.go'], true],
  [
    'two parts',
    PY,
    'fix the crash in parse_header and add a regression test for Version in tests/test_version.py',
    ['semverkit/headers.py', 'tests/test_version.py'],
    true,
  ],
  [
    'constraint',
    TS,
    'refactor parseCookie to use a regular expression and add no new dependencies',
    ['src/index.ts'],
    true,
  ],
  ['js plain word', JS, 'fix trim so it strips tabs too', ['src/strings.js'], true],
  ['js plain word const', JS, 'fix clamp for negative numbers', ['src/math.js'], true],
  ['py plain word', PY, 'fix compare so that 1.10 sorts after 1.9', ['semverkit/version.py'], true],
  ['plain word nowhere', JS, 'fix wrap so that emoji stay intact', [], false],
  ['unknown symbol', TS, 'fix parseCookieJar so that empty headers return an empty object', [], false],
];

/**
 * The cases `--smoke` runs: those test/plan/code-search.test.ts does not plan (an arrow const, Go,
 * a Python plain word), and both that get the whole repository, so every row kind is still printed.
 */
const SMOKE_CASES = new Set([
  'ts arrow const',
  'go method',
  'go function',
  'py plain word',
  'plain word nowhere',
  'unknown symbol',
]);

function isTestOf(path, expected) {
  // A change no test slice follows writes the test directory its tests live in (a new test file).
  if (/(^|\/)(tests?|__tests__)$/.test(path)) return expected.length > 0;
  const stem = (p) => (p.split('/').at(-1) ?? p).split('.')[0].replace(/^test_|_test$/, '');
  return /(^|\/)(tests?|__tests__)\//.test(path) || /\.test\.|_test\.|^test_/.test(path.split('/').at(-1))
    ? expected.some((file) => stem(file) === stem(path)) || expected.includes(path)
    : false;
}

function runCase(bin, [name, fixture, goal, expected, uniqueSymbol]) {
  const repo = createTempGitRepo(`plan-${name.replace(/\W+/g, '-')}`);
  for (const [path, text] of Object.entries(fixture)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, ['add', '--all']);
  git(repo, ['commit', '-q', '-m', 'fixture']);
  const stateDir = makeTempDir('plan-state');
  const run = expectSuccess(
    name,
    timeOmk(bin, ['goal', 'plan', goal, '--no-llm-planner', '--json'], { cwd: repo, stateDir }),
  );
  const planned = parseJsonOutput(name, run.stdout);
  if (planned.graph.planner.name !== 'heuristic')
    throw new BenchError(`${name}: planned by ${planned.graph.planner.name}`);
  const writes = [...new Set(planned.graph.tasks.flatMap((task) => task.writes))];
  const whole = writes.includes('.');
  const covered = expected.filter((file) =>
    writes.some((w) => w === '.' || w === file || file.startsWith(`${w}/`)),
  );
  const useful = writes.filter((w) => w !== '.' && (expected.includes(w) || isTestOf(w, expected)));
  return {
    name,
    goal,
    expected,
    writes,
    whole,
    uniqueSymbol,
    recall: expected.length === 0 ? null : covered.length / expected.length,
    precision: whole || writes.length === 0 ? null : useful.length / writes.length,
    ms: Math.round(run.ms),
  };
}

const fmt = (value) => (value === null ? '-' : value.toFixed(2));

await runBench(async () => {
  const { values } = parseArgs({
    options: { check: { type: 'boolean' }, json: { type: 'boolean' }, smoke: { type: 'boolean' } },
  });
  const check = values.check || values.smoke;
  const bin = snapshotOmk();
  const cases = values.smoke ? CASES.filter(([name]) => SMOKE_CASES.has(name)) : CASES;
  const results = cases.map((testCase) => runCase(bin, testCase));
  const scored = results.filter((r) => r.recall !== null);
  const mean = (xs) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const summary = {
    cases: results.length,
    recall: mean(scored.map((r) => r.recall)),
    precision: mean(results.filter((r) => r.precision !== null).map((r) => r.precision)),
    wholeRepository: results.filter((r) => r.whole).length,
    uniqueSymbolHits: results.filter((r) => r.uniqueSymbol && r.recall === 1 && !r.whole).length,
    uniqueSymbolCases: results.filter((r) => r.uniqueSymbol).length,
  };
  if (values.json) printJson({ results, summary });
  else {
    if (values.smoke) process.stdout.write(SMOKE_NOTE);
    process.stdout.write(`omk heuristic planner benchmark: ${results.length} cases\n`);
    process.stdout.write(
      formatTable(
        ['case', 'recall', 'precision', 'whole repo', 'writes'],
        results.map((r) => [
          r.name,
          fmt(r.recall),
          fmt(r.precision),
          r.whole ? 'yes' : 'no',
          r.writes.join(' '),
        ]),
      ),
    );
    process.stdout.write(
      `summary: recall ${summary.recall.toFixed(2)}, precision ${summary.precision.toFixed(2)}, whole repository ${summary.wholeRepository} of ${summary.cases}, named symbol found ${summary.uniqueSymbolHits} of ${summary.uniqueSymbolCases}\n`,
    );
  }
  if (check && summary.uniqueSymbolHits !== summary.uniqueSymbolCases) {
    const missed = results.filter((r) => r.uniqueSymbol && (r.recall !== 1 || r.whole)).map((r) => r.name);
    throw new BenchError(`the write set misses the file defining the named symbol in: ${missed.join(', ')}`);
  }
  log('bench: done');
});
