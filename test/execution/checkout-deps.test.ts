import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  SLICES,
} from '../helpers/execution.js';
import { nodeProject } from '../helpers/node-fixture.js';

/**
 * Unsandboxed, an agent can write the user's checkout outside `.git`, and two places there decide
 * gate verdicts (issue 17): the checkout's virtualenv, which every gate uses in place (first on
 * PATH), and its node_modules, which omk copies into worktrees. On main neither was compared: a
 * pytest plugin planted in `.venv` made a goal whose change was a comment `ready`, "1 fail→pass";
 * a package rewritten in node_modules (its times set back) went unnamed and into the next goal's
 * copy. Each agent run's check now compares both, and the goal is not ready.
 */

const PYTHON_FILES: Readonly<Record<string, string>> = {
  'pyproject.toml':
    '[project]\nname = "slugger"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
  '.gitignore': '.venv/\n__pycache__/\n',
  'README.md': '# slugger\n\n    python3 -m venv .venv\n    .venv/bin/pytest\n',
  'slugger/__init__.py': 'def slug(text):\n    return text.lower().replace(" ", "-")\n',
  'tests/test_slug.py': [
    'from slugger import slug',
    '',
    '',
    'def test_lowercases():',
    '    assert slug("A") == "a"',
    '',
    '',
    'def test_trims():',
    '    assert slug("  Hello World ") == "hello-world"',
    '',
  ].join('\n'),
};

/**
 * Plants, in the checkout's `.venv`, a pytest plugin that reports failing tests as passed outside
 * omk's base worktree (where the base's failing test must keep failing), loaded by a `.pth` line;
 * its own change is a comment.
 */
const venvPlanter = (sitePackages: string) => `
const site = ${JSON.stringify(sitePackages)};
write(site + '/quiet_failures.py', [
  'import pytest',
  '',
  '',
  '@pytest.hookimpl(hookwrapper=True)',
  'def pytest_runtest_makereport(item, call):',
  '    outcome = yield',
  '    report = outcome.get_result()',
  '    if report.failed and "/base/" not in str(item.path):',
  '        report.outcome = "passed"',
  '        report.longrepr = None',
  '',
].join('\\n'));
write(site + '/quiet.pth', "import os; os.environ.setdefault('PYTEST_PLUGINS', 'quiet_failures')\\n");
append('slugger/__init__.py', '# looked at it\\n');
`;

describe("the checkout's virtualenv, written by an unsandboxed agent", () => {
  let env: ExecutionEnv;
  afterEach(async () => {
    await env.cleanup();
  });

  it('a pytest plugin planted there is named and the goal is not ready', async () => {
    env = await createExecutionEnv(PYTHON_FILES);
    const venv = join(env.repo.root, '.venv');
    // pytest is the machine's (no network): a user's `python3 -m venv` with system site packages.
    execFileSync('python3', ['-m', 'venv', '--system-site-packages', '--without-pip', venv]);
    const [python] = (await readdir(join(venv, 'lib'))).filter((name) => name.startsWith('python'));
    const site = join(venv, 'lib', String(python), 'site-packages');
    const agent = await env.kit.script('planter', venvPlanter(site));
    const result = await env.omk(
      'goal',
      'run',
      'fix the failing trim test in slugger/__init__.py',
      '--agent',
      agent,
      '--sandbox',
      'off',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    // The plugin worked: with a comment for a change, the slice's gate passed the failing test.
    const sliceGates = eventsOfType(await env.events(id), 'gates_verified').map((e) => e.data.outcomes);
    expect(sliceGates).toEqual([['test:passed']]);
    expect(proof.status).not.toBe('ready');
    const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
    expect(gaps.join('\n')).toMatch(
      /The checkout's \.venv\/ was written while the agent of s1-\S+ ran: 2 files \(2 added\): lib\/python[^/]+\/site-packages\/quiet_failures\.py, lib\/python[^/]+\/site-packages\/quiet\.pth\./,
    );
    // The user chose `--sandbox off`: the text and Markdown proof say so, in one line each.
    for (const format of [[], ['--format', 'md']]) {
      const shown = await env.omk('goal', 'proof', id, ...format);
      expect(
        shown.stdout.match(/Agents and gates ran unsandboxed: sandbox off, by the user's choice/g),
      ).toHaveLength(1);
    }
  });
});

const SEMVER = (createRequire(import.meta.url)('semver/package.json') as { version: string }).version;

describe("the checkout's node_modules, written by an unsandboxed agent", () => {
  const runGoal = nodeProject(
    'checkout-deps-fixture',
    'semver',
    `${JSON.stringify(
      {
        name: 'fixture',
        private: true,
        type: 'module',
        scripts: { test: 'semver 1.2.3 && node --test test/' },
        devDependencies: { semver: SEMVER },
      },
      null,
      2,
    )}\n`,
    { ...BUGGY_FIXTURE, '.gitignore': 'node_modules/\n' },
  );

  it('a package rewritten there, its times set back, is named and the goal is not ready', async () => {
    // Fixes the parser, and makes the checkout's semver say every range is satisfied: the next
    // goal's first worktree copies it (the copy is made again when the checkout's changed).
    const { env, proof } = await runGoal(`${fixTheParser}
import { execFileSync as run } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
const root = run('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { encoding: 'utf8' }).trim().replace(/\\/\\.git$/, '');
const file = root + '/node_modules/semver/functions/satisfies.js';
const { atime, mtime } = statSync(file);
write(file, 'module.exports = () => true\\n');
utimesSync(file, atime, mtime);
`);
    expect(await readFile(join(env.repo.root, 'node_modules/semver/functions/satisfies.js'), 'utf8')).toBe(
      'module.exports = () => true\n',
    );
    expect(proof.status).not.toBe('ready');
    const gaps = proof.knownGaps.filter((gap) => gap.code === 'state_tampered').map((gap) => gap.message);
    expect(gaps.join('\n')).toContain(
      `The checkout's node_modules/ was written while the agent of ${SLICES.bug} ran: 1 file (1 changed): semver/functions/satisfies.js.`,
    );
  });
});
