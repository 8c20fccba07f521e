import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initFromDirectory } from '../git/init.js';

/**
 * The offline demo's repository: a tiny Node project whose `add` is wrong, so its test fails.
 * The `omk-demo-*` comments are instructions for the built-in demo agent (it is not an AI): the fix
 * slice applies the fix marker, the test slice appends the regression test.
 */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify(
    {
      name: 'omk-demo-fixture',
      private: true,
      type: 'module',
      scripts: { test: 'node --test test/', lint: 'node scripts/lint.mjs' },
    },
    null,
    2,
  )}\n`,
  'README.md':
    '# omk demo fixture\n\nA calculator whose `add` subtracts. Its test fails until the bug is fixed.\n',
  'src/math.js': [
    '// omk-demo-fix: export function add(a, b) { return a + b; }',
    'export function add(a, b) { return a - b; }',
    '',
    'export function multiply(a, b) {',
    '  return a * b;',
    '}',
    '',
  ].join('\n'),
  'test/math.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { add, multiply } from '../src/math.js';",
    '',
    "test('add sums two numbers', () => {",
    '  assert.equal(add(2, 3), 5);',
    '});',
    '',
    "test('multiply multiplies', () => {",
    '  assert.equal(multiply(4, 5), 20);',
    '});',
    "// omk-demo-append: test('add handles negative numbers (regression)', () => assert.equal(add(-2, -3), -5));",
    '',
  ].join('\n'),
  'scripts/lint.mjs': [
    "import { readdirSync, readFileSync } from 'node:fs';",
    '',
    '// A tiny linter: no trailing whitespace and no debugger statements in src/.',
    'let problems = 0;',
    "for (const name of readdirSync('src')) {",
    "  readFileSync('src/' + name, 'utf8').split('\\n').forEach((line, i) => {",
    "    if (/\\s+$/.test(line) || line.includes('debugger')) {",
    "      console.error('src/' + name + ':' + (i + 1) + ': lint error');",
    '      problems += 1;',
    '    }',
    '  });',
    '}',
    'process.exit(problems > 0 ? 1 : 0);',
    '',
  ].join('\n'),
};

export const DEMO_GOAL = 'fix the failing test in src/math.js and add a regression test';

/**
 * The demo's own config: the demo agent plans the goal (a deterministic task graph from the
 * planning prompt), so the demo goes through the agent planner. Kept apart from DEMO_FILES, which
 * tests use as a repository whose goals the heuristic plans.
 */
export const DEMO_CONFIG: Readonly<Record<string, string>> = {
  '.omk/config.yml': [
    '# The built-in demo agent plans goals here (by fixed rules, not an AI) and runs their slices.',
    'planner:',
    '  agent: demo',
    '',
  ].join('\n'),
};

/** Creates the fixture as a fresh git repository in a temp directory; returns its path. */
export async function createDemoRepository(parent = tmpdir()): Promise<string> {
  const root = await mkdtemp(join(parent, 'omk-demo-'));
  for (const [path, content] of Object.entries({ ...DEMO_FILES, ...DEMO_CONFIG })) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  await initFromDirectory(root, {
    branch: 'main',
    message: 'demo fixture: add() is wrong',
    author: { name: 'omk demo', email: 'demo@omk.invalid' },
  });
  return root;
}
