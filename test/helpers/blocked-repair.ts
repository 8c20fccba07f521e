import { spawnSync } from 'node:child_process';
import { git } from './git-repo.js';

/**
 * A goal whose integration needs a repair, and a repair agent that slips in a change the security
 * review blocks: each of the two slices adds a TODO (the project allows one), so their merge fails
 * `test/todo.test.js` while each slice alone passes; the integration-fix agent turns the README's
 * TODO into prose (the merged tree then passes every gate) and, besides, adds a workflow file, writes
 * a model key in an `.env` file or plants a post-commit hook in the shared `.git` (an integrity
 * finding). Its goal is `BLOCKED_REPAIR_GOAL`, its agent `script:./agent.mjs`.
 */
export const BLOCKED_REPAIR_GOAL = 'update README.md and fix the bug in src/math.js';

/** What the repair slips in (`hook`: a post-commit hook in the shared `.git`, an integrity finding). */
export type Slipped = 'workflow' | 'key' | 'hook';

/** The workflow the repair adds, and a line only it holds. */
export const WORKFLOW_PATH = '.github/workflows/x.yml';
export const WORKFLOW_MARK = 'omk-slipped-workflow';

/** The key the repair writes (assembled by the agent, so no file of the fixture holds it whole). */
export const SLIPPED_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7dEf0hIj3kLm6n';
const KEY_PARTS = SLIPPED_KEY.split('-');

const TODO_TEST = [
  "import assert from 'node:assert/strict';",
  "import { readFileSync } from 'node:fs';",
  "import { test } from 'node:test';",
  "const todos = ['README.md', 'src/math.js']",
  "  .map((file) => readFileSync(file, 'utf8').split('TODO').length - 1)",
  '  .reduce((a, b) => a + b, 0);',
  "test('at most one TODO in the project', () => assert.ok(todos <= 1, todos + ' TODOs in the project'));",
  '',
].join('\n');

const SLIPS: Record<Slipped, string[]> = {
  workflow: [
    "  mkdirSync('.github/workflows', { recursive: true });",
    `  writeFileSync('${WORKFLOW_PATH}', 'on: push\\njobs:\\n  x:\\n    runs-on: ubuntu-latest\\n    steps:\\n      - run: echo ' + ${JSON.stringify(WORKFLOW_MARK.split('-'))}.join('-') + '\\n');`,
  ],
  key: [`  writeFileSync('src/.env', 'OPENAI_API_KEY=' + ${JSON.stringify(KEY_PARTS)}.join('-') + '\\n');`],
  hook: [
    "  const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { encoding: 'utf8' }).trim();",
    "  writeFileSync(common + '/hooks/post-commit', '#!/bin/sh\\nexit 0\\n', { mode: 0o755 });",
  ],
};

function agent(slipped: Slipped): string {
  const slip = SLIPS[slipped];
  return [
    '#!/usr/bin/env node',
    "import { execFileSync } from 'node:child_process';",
    "import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
    'const task = process.env.OMK_TASK_ID;',
    "if (task === 'integration') {",
    "  writeFileSync('README.md', readFileSync('README.md', 'utf8').replace('TODO: document add\\n', 'add sums its arguments.\\n'));",
    ...slip,
    "} else if (task.startsWith('s1-')) {",
    "  appendFileSync('README.md', 'TODO: document add\\n');",
    "} else if (task.startsWith('s2-')) {",
    "  const source = readFileSync('src/math.js', 'utf8');",
    "  writeFileSync('src/math.js', source.replace('return a - b;', 'return a + b;') + '// TODO: make it faster\\n');",
    '}',
    '',
  ].join('\n');
}

/** The fixture's extra files: the shared test, and the agent (to be made executable). */
export function blockedRepairFiles(slipped: Slipped): {
  files: Record<string, string>;
  agent: Record<string, string>;
} {
  return { files: { 'test/todo.test.js': TODO_TEST }, agent: { 'agent.mjs': agent(slipped) } };
}

/** Every ref of a bare repository. */
export function allRefs(bare: string): string[] {
  return git(bare, 'for-each-ref', '--format=%(refname)').split('\n').filter(Boolean);
}

/** The refs of `bare` whose tree holds `text` in a file (git grep across them all). */
export function refsHolding(bare: string, text: string): string[] {
  const found = spawnSync('git', ['grep', '-I', '-l', '-F', '-e', text, ...allRefs(bare), '--'], {
    cwd: bare,
    encoding: 'utf8',
  });
  // git grep exits 1 when nothing matches.
  if (found.status === 1) return [];
  if (found.status !== 0) throw new Error(`git grep failed: ${found.stderr}`);
  return found.stdout.split('\n').filter(Boolean);
}

/** The refs of `bare` whose tree has a file at `path`. */
export function refsWithPath(bare: string, path: string): string[] {
  return allRefs(bare).filter((ref) => git(bare, 'ls-tree', '-r', '--name-only', ref, '--', path) !== '');
}
