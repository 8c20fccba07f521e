import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionEnv, type ExecutionEnv, eventsOfType } from '../helpers/execution.js';

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

async function runWith(agentBody: string): Promise<string> {
  const agent = await env.kit.script('fixer', agentBody);
  const result = await env.omk('goal', 'run', GOAL, '--agent', agent, '--json');
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
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
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
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
    expect((await env.proof(id)).status).not.toBe('ready');
  });
});
