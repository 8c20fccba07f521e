import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';

// A src-layout Python package installed as its README says: a virtualenv in the checkout and
// `pip install -e '.[test]'`. The editable install puts the checkout's src/ on every python's path,
// so without care a worktree's tests import the user's checkout, never the agent's change.

let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

const BUGGY =
  'import re\n\n\ndef slugify(text):\n    return re.sub(r"[^a-z0-9]", "-", text.lower())\n\n\n' +
  'def truncate(slug, limit):\n    return slug[:limit]\n';
const FIXED = BUGGY.replace(
  're.sub(r"[^a-z0-9]", "-", text.lower())',
  're.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")',
);
const FILES: Readonly<Record<string, string>> = {
  'pyproject.toml': [
    '[build-system]',
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    'name = "slugkit"',
    'version = "0.1.0"',
    '',
    '[tool.setuptools.packages.find]',
    'where = ["src"]',
    '',
    '[tool.pytest.ini_options]',
    'testpaths = ["tests"]',
    '',
  ].join('\n'),
  '.gitignore': '.venv/\n__pycache__/\n',
  'README.md': "# slugkit\n\n    python3 -m venv .venv\n    .venv/bin/pip install -e '.[test]'\n",
  'src/slugkit/__init__.py': 'from .slug import slugify, truncate\n',
  'src/slugkit/slug.py': BUGGY,
  'tests/test_slug.py': [
    'from slugkit import slugify, truncate',
    '',
    '',
    'def test_lowercases():',
    '    assert slugify("Hello") == "hello"',
    '',
    '',
    'def test_collapses_separators():',
    '    assert slugify("  Hello,   World!  ") == "hello-world"',
    '',
    '',
    'def test_truncate():',
    '    assert truncate("abcdef", 3) == "abc"',
    '',
  ].join('\n'),
};
const TARGET = 'tests/test_slug.py::test_collapses_separators';

/**
 * The virtualenv pip leaves: pytest visible (the machine's, through --system-site-packages; no
 * network) unless the project does without it, and the `__editable__.slugkit-0.1.0.pth` that `pip install -e .` writes for a src layout,
 * one line naming the checkout's src/.
 */
async function editableVenv(root: string, pytest = true): Promise<void> {
  const venv = join(root, '.venv');
  execFileSync('python3', [
    '-m',
    'venv',
    ...(pytest ? ['--system-site-packages'] : []),
    '--without-pip',
    venv,
  ]);
  const lib = join(venv, 'lib');
  const [python] = (await readdir(lib)).filter((name) => name.startsWith('python'));
  if (python === undefined) throw new Error(`no python directory in ${lib}`);
  await writeFile(
    join(lib, python, 'site-packages', '__editable__.slugkit-0.1.0.pth'),
    `${join(root, 'src')}\n`,
  );
}

async function runWith(source: string): Promise<string> {
  env = await createExecutionEnv(FILES);
  await editableVenv(env.repo.root);
  const agent = await env.kit.script('fixer', `write('src/slugkit/slug.py', ${JSON.stringify(source)});`);
  const result = await env.omk('goal', 'run', 'fix the failing test', '--agent', agent, '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

describe('a src-layout pytest project installed in editable mode in the checkout', () => {
  it("a correct fix is ready: the worktree's own src/ is tested, the failing test named fail→pass", async () => {
    const id = await runWith(FIXED);
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const test = proof.gates.find((gate) => gate.kind === 'test');
    expect(test?.tests).toMatchObject({ source: 'pytest', failToPass: [TARGET], regressions: [] });
    const prepared = eventsOfType(await env.events(id), 'workspace_prepared');
    expect(prepared.map((event) => event.data.workspace)).toEqual([
      'base',
      's1-fix-the-failing-test',
      'integration',
    ]);
    expect(String(prepared[0]?.data.done)).toContain("PYTHONPATH starts with this worktree's src/");
  });

  it('a wrong fix that breaks another test is not ready, the regression named', async () => {
    const id = await runWith(FIXED.replace('slug[:limit]', 'slug[: limit - 1]'));
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    const pending = eventsOfType(await env.events(id), 'task_pending');
    expect(String(pending[0]?.data.failure)).toContain('tests/test_slug.py::test_truncate');
  });
});

/** The same package tested as tomli is: unittest.TestCase classes, `python -m unittest` in tox.ini. */
const UNITTEST_FILES: Readonly<Record<string, string>> = {
  ...FILES,
  'pyproject.toml': (FILES['pyproject.toml'] ?? '').replace(
    '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    '',
  ),
  'tox.ini': '[testenv]\ncommands = python -m unittest\n',
  'tests/__init__.py': '',
  'tests/test_slug.py': [
    'import unittest',
    '',
    'from slugkit import slugify, truncate',
    '',
    '',
    'class TestSlug(unittest.TestCase):',
    '    def test_lowercases(self):',
    '        self.assertEqual(slugify("Hello"), "hello")',
    '',
    '    def test_truncate(self):',
    '        self.assertEqual(truncate("abcdef", 3), "abc")',
    '',
  ].join('\n'),
};

describe('a src-layout unittest project installed in editable mode, pytest nowhere', () => {
  it("a fix with its regression test is ready: unittest runs, the new test fails against the base's own src/", async () => {
    env = await createExecutionEnv(UNITTEST_FILES);
    await editableVenv(env.repo.root, false);
    const regression =
      '    def test_collapses_separators(self):\n        self.assertEqual(slugify("  Hello,   World!  "), "hello-world")\n';
    const agent = await env.kit.script(
      'fix-and-test',
      [
        "if (writes.some((w) => w.startsWith('src') || w === '.')) {",
        `  write('src/slugkit/slug.py', ${JSON.stringify(FIXED)});`,
        '}',
        "if (writes.some((w) => w.startsWith('tests') || w === '.')) {",
        `  append('tests/test_slug.py', ${JSON.stringify(regression)});`,
        '}',
      ].join('\n'),
    );
    const goal = 'fix: slugify leaves separators at the ends of a slug; add a regression test';
    const result = await env.omk('goal', 'run', goal, '--agent', agent, '--json');
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const test = proof.gates.find((gate) => gate.kind === 'test');
    expect(test?.tests).toMatchObject({ source: 'unittest', regressions: [] });
    expect(proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass shown',
      reason: expect.stringContaining('tests.test_slug.TestSlug.test_collapses_separators'),
    });
  });
});
