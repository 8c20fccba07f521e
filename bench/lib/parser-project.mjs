// The small Node project the one-goal-run benches (file-opens, goal-run) plan and run a goal on:
// a parser with a passing test and an omk config, so the run's gate passes and the run is a normal
// one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempGitRepo, git } from '../lib.mjs';

export const PARSER_GOAL = 'fix the bug in src/parser.js';

const PROJECT_FILES = {
  'package.json': `${JSON.stringify(
    {
      name: 'parser',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test test/' },
    },
    null,
    2,
  )}\n`,
  'src/parser.js': [
    '/** Splits a line of comma-separated values, trimming each one. */',
    'export function parse(line) {',
    "  return line.split(',').map((value) => value.trim());",
    '}',
    '',
  ].join('\n'),
  'test/parser.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    '',
    "test('parse splits and trims', () => {",
    "  assert.deepEqual(parse('a, b,c'), ['a', 'b', 'c']);",
    '});',
    '',
  ].join('\n'),
  '.omk/config.yml': 'version: 1\n',
};

/** A fresh git repository holding the project, committed. */
export function createParserProject(prefix) {
  const repo = createTempGitRepo(prefix);
  for (const [path, content] of Object.entries(PROJECT_FILES)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', 'a small parser with a test, and omk config']);
  return repo;
}
