import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { eventsOfType } from '../helpers/execution.js';
import { nodeProject } from '../helpers/node-fixture.js';

/**
 * A Node project with lint debt on its base: a real linter (biome, from npm as a devDependency,
 * installed by `npm ci --offline` from a lockfile cut from omk's own, as in node-vitest.test.ts)
 * that already complains about an old file, and a committed failing test (node --test). The debt
 * is the base's own: a correct fix is ready with it listed as pre-existing; a fix that adds a lint
 * error of its own is not, and the new error is named.
 */
const BIOME = (createRequire(import.meta.url)('@biomejs/biome/package.json') as { version: string }).version;
const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'lint-debt-fixture',
    private: true,
    type: 'module',
    scripts: { test: 'node --test', lint: 'biome lint .' },
    devDependencies: { '@biomejs/biome': BIOME },
  },
  null,
  2,
)}\n`;

const FILES: Readonly<Record<string, string>> = {
  'package.json': PACKAGE_JSON,
  '.gitignore': 'node_modules/\n',
  'README.md': '# lint debt fixture\n',
  // The debt: biome's recommended rules reject `==` (lint/suspicious/noDoubleEquals).
  'src/legacy.js': 'export function same(a, b) {\n  return a == b;\n}\n',
  'src/parser.js': 'export const parse = (text) => text;\n',
  'test/parser.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('keeps text', () => assert.equal(parse('a'), 'a'));",
    // The bug: committed, failing on the base.
    "test('trims the text', () => assert.equal(parse(' a '), 'a'));",
    '',
  ].join('\n'),
};

const runGoal = nodeProject('lint-debt-fixture', '@biomejs/biome', PACKAGE_JSON, FILES);

const DEBT = 'src/legacy.js';

describe('a Node project with lint debt on its base and a committed failing test', () => {
  it('a correct fix is ready, the lint debt listed as pre-existing', async () => {
    const { env, id, stderr, proof } = await runGoal(
      `write('src/parser.js', 'export const parse = (text) => text.trim();\\n');`,
    );
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const lint = proof.gates.find((gate) => gate.name === 'lint');
    expect(lint).toMatchObject({ kind: 'lint', outcome: 'pre_existing', required: true });
    expect(lint?.diagnostics).toMatchObject({ source: 'biome', new: 0, preExisting: 1, firstNew: [] });
    expect(proof.gates.find((gate) => gate.name === 'test')?.tests?.failToPass).toEqual([
      expect.stringContaining('trims the text'),
    ]);
    expect(proof.warnings).toContainEqual(expect.stringContaining("only with the base's 1 diagnostic(s)"));
    const markdown = await env.omk('goal', 'proof', id, '--format', 'md');
    expect(markdown.stdout).toMatch(/\*\*Diagnostics of `lint`:\*\* 0 new, 1 pre-existing/);
    // The slice line calls only the passing gate passed, and counts the debt.
    expect(stderr).toMatch(
      /gates 1\/2 passed \(1 pre-existing\); tests: 1 fail→pass; diagnostics: 1 pre-existing/,
    );
  }, 120_000);

  it('a fix that adds a lint error is not ready, and the new error is named', async () => {
    const { env, id, proof } = await runGoal(
      `write('src/parser.js', "export const parse = (text) => (text == null ? text : text.trim());\\nexport function odd(a, b) {\\n  return a == b;\\n}\\n");`,
    );
    expect(proof.status).not.toBe('ready');
    const pending = eventsOfType(await env.events(id), 'task_pending');
    // The verdict line names the new error alone; the base's debt is only in the output below it.
    const verdict = String(pending[0]?.data.failure)
      .split('\n')
      .find((line) => line.includes('not on base'));
    expect(verdict).toMatch(
      /1 diagnostic\(s\) not on base [0-9a-f]{12}: src\/parser\.js:3:\d+ lint\/suspicious\/noDoubleEquals/,
    );
    expect(verdict).not.toContain(DEBT);
  }, 120_000);
});
