import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';
import { pathWithout } from '../helpers/path-without.js';

// A Python project tested with pytest, with one committed failing test, as a new user would bring
// it (no .omk/config.yml): omk detects pytest, reads each test's result on the base and the head,
// and the proof names them.

let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

const BUGGY = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n';
const PYTHON_FIXTURE: Readonly<Record<string, string>> = {
  'pyproject.toml': '[project]\nname = "calc"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\n',
  'README.md': '# calc\n',
  'calc.py': BUGGY,
  'tests/__init__.py': '',
  'tests/test_calc.py':
    'from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n' +
    'def test_mul():\n    assert mul(2, 3) == 6\n',
};
const GOAL = 'fix the bug in calc.py';

/**
 * Runs GOAL with a script agent; the goal's id. The kit's agents answer a planning prompt with
 * nothing, so the heuristic plans either way: asking the agent first only cost two agent starts.
 */
async function runWith(agentBody: string): Promise<string> {
  const agent = await env.kit.script('fixer', agentBody);
  const result = await env.omk('goal', 'run', GOAL, '--agent', agent, '--no-llm-planner', '--json');
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/**
 * A weak agent's goal "fix add … and add a regression test": in the slice that may write tests
 * (the fix's own may write calc.py only) it writes `tests` as `path`. The goal's id and the run's
 * stderr (the slices' lines).
 */
async function runWeakTestEdit(
  tests: string,
  path = 'tests/test_calc.py',
): Promise<{ id: string; stderr: string }> {
  const agent = await env.kit.script(
    'weak',
    `if (JSON.parse(process.env.OMK_WRITES).some((w) => w.startsWith('tests'))) write(${JSON.stringify(path)}, ${JSON.stringify(tests)});`,
  );
  const goal = 'fix add in calc.py and add a regression test';
  const run = await env.omk('goal', 'run', goal, '--agent', agent, '--no-llm-planner', '--json');
  return { id: (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id, stderr: run.stderr };
}

describe('per-test evidence on a pytest project', () => {
  it('a correct fix: the target test is named fail→pass on the integrated tree', async () => {
    env = await createExecutionEnv(PYTHON_FIXTURE);
    const id = await runWith(`write('calc.py', ${JSON.stringify(BUGGY.replace('a - b', 'a + b'))});`);
    const proof = await env.proof(id);
    const test = proof.gates.find((gate) => gate.kind === 'test');
    expect(test?.outcome).toBe('passed');
    expect(test?.tests).toMatchObject({
      source: 'pytest',
      baseSha: proof.git.baseSha,
      failToPass: ['tests/test_calc.py::test_add'],
      regressions: [],
    });
    const markdown = await env.omk('goal', 'proof', id, '--format', 'md');
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain('- fail→pass: `tests/test_calc.py::test_add`');
    // The slice's review and the integrated tree's (the same change) say the same: shown once.
    expect(markdown.stdout.match(/Change size: 1 file changed/g)).toHaveLength(1);
    const keys = proof.findings.map((finding) => JSON.stringify(finding));
    expect(keys).toEqual([...new Set(keys)]);
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
  });

  it('a no-op (a comment, the bug left in place) is never ready', async () => {
    env = await createExecutionEnv(PYTHON_FIXTURE);
    const id = await runWith(`write('calc.py', ${JSON.stringify(`# looked at it\n${BUGGY}`)});`);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    const test = proof.gates.find((gate) => gate.kind === 'test');
    expect(test?.tests).toMatchObject({ failToPass: [], stillFailing: ['tests/test_calc.py::test_add'] });
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('fix_no_fail_to_pass');
  });

  it("with the checkout's virtualenv lacking pytest, the goal stops before any agent runs, naming pytest", async () => {
    env = await createExecutionEnv({ ...PYTHON_FIXTURE, '.gitignore': '.venv/\n' });
    // As a user has it: a virtualenv in the checkout (first on the gates' PATH), pytest not installed in it.
    execFileSync('python3', ['-m', 'venv', '--without-pip', join(env.repo.root, '.venv')]);
    const id = await runWith(`write('calc.py', ${JSON.stringify(BUGGY.replace('a - b', 'a + b'))});`);
    const events = await env.events(id);
    expect(await env.kit.calls()).toEqual([]);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:unavailable']]);
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.agentRuns).toEqual([]);
    expect(proof.knownGaps.find((gap) => gap.code === 'gate_unavailable')?.message).toContain(
      'No slice agent ran. Install pytest',
    );
  });

  it('with ruff configured in pyproject.toml but not installed, the goal stops before any agent runs, naming ruff', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omk-no-ruff-'));
    try {
      const pyproject = `${PYTHON_FIXTURE['pyproject.toml']}\n[tool.ruff]\nline-length = 100\n`;
      env = await createExecutionEnv(
        { ...PYTHON_FIXTURE, 'pyproject.toml': pyproject },
        { env: { PATH: await pathWithout(['ruff'], dir) } },
      );
      const agent = await env.kit.script(
        'fixer',
        `write('calc.py', ${JSON.stringify(BUGGY.replace('a - b', 'a + b'))});`,
      );
      const result = await env.omk('goal', 'run', GOAL, '--agent', agent, '--json');
      const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
      expect(await env.kit.calls()).toEqual([]);
      const events = await env.events(id);
      expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
        ['lint:unavailable', 'test:failed'],
      ]);
      const proof = await env.proof(id);
      expect(proof.status).toBe('blocked_on_human');
      expect(proof.agentRuns).toEqual([]);
      expect(proof.knownGaps.find((gap) => gap.code === 'gate_unavailable')?.message).toContain(
        'ruff: could not start',
      );
      expect(result.stderr).toContain('No slice agent ran. Install ruff');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a wrong fix that breaks another test fails the slice, naming the regression', async () => {
    env = await createExecutionEnv(PYTHON_FIXTURE);
    const wrong = BUGGY.replace('a * b', 'a * b + 1');
    const id = await runWith(`write('calc.py', ${JSON.stringify(wrong)});`);
    const events = await env.events(id);
    // The base fails too, but not the same tests: failed, never pre-existing.
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
    const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
      slices: {
        gates: { outcome: string; tail: string; tests?: { regressions: string[]; stillFailing: string[] } }[];
      }[];
    };
    const gate = execution.slices[0]?.gates[0];
    expect(gate?.tests).toMatchObject({
      regressions: ['tests/test_calc.py::test_mul'],
      stillFailing: ['tests/test_calc.py::test_add'],
    });
    expect(gate?.tail).toContain('1 test(s) fail here that did not fail on base');
    // pytest's rootdir is the worktree: the tail names it and the files under it relative to it.
    expect(gate?.tail).toMatch(/^rootdir: \.$/m);
    expect(gate?.tail).not.toContain(env.stateDir);
    expect((await env.proof(id)).status).not.toBe('ready');
  });

  it('an unrelated test failing on the base too does not block a correct fix: it is listed as pre-existing', async () => {
    env = await createExecutionEnv(WITH_OLD_FAILURE);
    const id = await runWith(`write('calc.py', ${JSON.stringify(BUGGY.replace('a - b', 'a + b'))});`);
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const test = proof.gates.find((gate) => gate.kind === 'test');
    expect(test?.outcome).toBe('pre_existing');
    expect(test?.tests).toMatchObject({
      failToPass: ['tests/test_calc.py::test_add'],
      stillFailing: [OLD_FAILURE],
      regressions: [],
    });
    expect(proof.warnings).toContainEqual(
      expect.stringContaining(`only with 1 test(s) that fail on the base too (${OLD_FAILURE}), none new`),
    );
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        decision: 'fail-to-pass shown',
        reason: expect.stringContaining('tests/test_calc.py::test_add'),
      }),
    );
  });

  it('with an unrelated old failure, a wrong fix that breaks another test is not ready, the regression named', async () => {
    env = await createExecutionEnv(WITH_OLD_FAILURE);
    const wrong = BUGGY.replace('a - b', 'a + b').replace('a * b', 'a * b + 1');
    const id = await runWith(`write('calc.py', ${JSON.stringify(wrong)});`);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    const events = await env.events(id);
    const pending = eventsOfType(events, 'task_pending');
    expect(String(pending[0]?.data.failure)).toContain('tests/test_calc.py::test_mul');
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
    const execution = JSON.parse(await readFile(join(env.goalDir(id), 'execution.json'), 'utf8')) as {
      slices: { gates: { tests?: { regressions: string[]; stillFailing: string[] } }[] }[];
    };
    expect(execution.slices[0]?.gates[0]?.tests).toMatchObject({
      regressions: ['tests/test_calc.py::test_mul'],
      stillFailing: [OLD_FAILURE],
    });
  });

  it("a weak agent that edits a parametrized case's expectation renames it: the gap says the base's failing case is gone, not only the old failure", async () => {
    // As on humanize: pytest names a parametrized case by its values, so editing the expected
    // value of the failing case makes it another test that passes, while an unrelated old failure
    // still fails. Before, the gap sent the user after that old failure ("the change does not fix them").
    const params =
      'import pytest\n\nfrom calc import add, mul\n\n\n' +
      '@pytest.mark.parametrize("a, b, expected", [(1, 1, 2), (2, 3, 5)])\n' +
      'def test_add(a, b, expected):\n    assert add(a, b) == expected\n\n\n' +
      'def test_mul():\n    assert mul(2, 3) == 6\n';
    env = await createExecutionEnv({ ...WITH_OLD_FAILURE, 'tests/test_calc.py': params });
    const { id } = await runWeakTestEdit(params.replace('(1, 1, 2), (2, 3, 5)', '(1, 1, 0), (2, 3, -1)'));
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    const gap = proof.knownGaps.find((g) => g.code === 'fix_no_fail_to_pass');
    const gone = 'tests/test_calc.py::test_add[1-1-2], tests/test_calc.py::test_add[2-3-5]';
    expect(gap?.message).toContain(
      `${gone} failed there and are not on the head (the change removed or renamed them); tests/test_legacy.py::test_legacy_format still fails there`,
    );
    const rendered = await env.omk('goal', 'proof', id);
    expect(rendered.stdout).toContain(`Tests the base ran are gone from the head (${gone})`);
    expect(rendered.stdout).not.toMatch(/the change does not fix (it|them)/);
  });
});

describe('per-test evidence on a pytest test class', () => {
  it("a weak agent that rewrites a class method's assert far below its def to the bug is never ready", async () => {
    // git's @@ heading names `class TestAdd:` and the hunk's context does not reach `def test_adds`.
    const tests =
      'from calc import add\n\n\nclass TestAdd:\n    def test_adds(self):\n' +
      '        a = 2\n        b = 3\n        total = add(a, b)\n        assert isinstance(total, int)\n' +
      '        assert total == 5\n';
    env = await createExecutionEnv({ ...PYTHON_FIXTURE, 'tests/test_calc.py': tests });
    const { id, stderr } = await runWeakTestEdit(tests.replace('total == 5', 'total == -1'));
    const proof = await env.proof(id);
    // The slice's line claims no fix the proof does not: the flipped test is the one the change edited.
    expect(stderr).toMatch(/; tests: 1 fail→pass by an edit of the test itself\n/);
    expect(stderr).not.toMatch(/tests: 1 fail→pass[,;\n]/);
    expect(proof.gates.find((gate) => gate.kind === 'test')?.tests?.failToPass).toEqual([
      'tests/test_calc.py::TestAdd::test_adds',
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.find((g) => g.code === 'fix_no_fail_to_pass')?.message).toContain(
      'tests/test_calc.py::TestAdd::test_adds failed on the base and passes on the head, but the change edited that test itself',
    );
  });
});

describe('per-test evidence on a pytest project whose tests share a conftest.py fixture', () => {
  it("a weak agent that rewrites the fixture in tests/conftest.py to the bug's value is never ready", async () => {
    const conftest = 'import pytest\n\n\n@pytest.fixture\ndef expected_total():\n    return 5\n';
    env = await createExecutionEnv({
      ...PYTHON_FIXTURE,
      'tests/conftest.py': conftest,
      'tests/test_calc.py':
        'from calc import add\n\n\ndef test_add(expected_total):\n    assert add(2, 3) == expected_total\n',
    });
    const { id, stderr } = await runWeakTestEdit(
      conftest.replace('return 5', 'return -1'),
      'tests/conftest.py',
    );
    const proof = await env.proof(id);
    expect(proof.gates.find((gate) => gate.kind === 'test')?.tests?.failToPass).toEqual([
      'tests/test_calc.py::test_add',
    ]);
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.find((g) => g.code === 'fix_no_fail_to_pass')?.message).toContain(
      'tests/test_calc.py::test_add failed on the base and passes on the head, but the change edited that test itself (the test set-up it uses: tests/conftest.py)',
    );
    expect(stderr).toMatch(/; tests: 1 fail→pass by an edit of the test itself\n/);
  });
});

const OLD_FAILURE = 'tests/test_legacy.py::test_legacy_format';
/** The same project with an old, unrelated test that fails on the base and is no part of the goal. */
const WITH_OLD_FAILURE: Readonly<Record<string, string>> = {
  ...PYTHON_FIXTURE,
  'legacy.py': 'def fmt(n):\n    return str(n)\n',
  'tests/test_legacy.py':
    'from legacy import fmt\n\n\ndef test_legacy_format():\n    assert fmt(1) == "1.0"\n',
};
