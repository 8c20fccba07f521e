import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// `omk goal plan` on a pytest-only project (no lint or typecheck configured): the plan requires
// the gates the project has, names the ones that will run, and says which kinds are absent,
// instead of listing lint and typecheck as required and as gaps the user must act on.

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const GOAL = 'fix the failing test';

interface Planned {
  goal: { id: string; oracle: { requiredGates: string[]; absentGates?: string[]; checks: string[] } };
  graph: { tasks: { acceptance: string[] }[] };
  proof: { requiredGates: string[]; knownGaps: { code: string; message: string }[] };
  gates: { run: { name: string; kind: string; argv: string[] }[]; absent: string[] } | null;
}

beforeEach(async () => {
  repo = await createTempRepo({
    'pyproject.toml':
      '[project]\nname = "calc"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    'calc/__init__.py': 'def add(a, b):\n    return a - b\n',
    'tests/test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

describe('omk goal plan: the required gates are the project gates', () => {
  it('a pytest-only project requires test only and says lint and typecheck are absent', async () => {
    const text = await omk('goal', 'plan', GOAL);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('oracle: fix (fail_to_pass); required gates: test\n');
    expect(text.stdout).toContain('gates that will run: test (python3 -m pytest)\n');
    expect(text.stdout).toMatch(/absent, so not required: lint, typecheck \(this project has no such gate/);
    expect(text.stdout).not.toMatch(/gate_missing: Required gate "(lint|typecheck)"/);

    const json = await omk('goal', 'plan', GOAL, '--json');
    expect(json.code, json.stderr).toBe(0);
    const planned = JSON.parse(json.stdout) as Planned;
    expect(planned.goal.oracle.requiredGates).toEqual(['test']);
    expect(planned.goal.oracle.absentGates).toEqual(['lint', 'typecheck']);
    expect(planned.proof.requiredGates).toEqual(['test']);
    expect(planned.gates?.run.map((gate) => [gate.name, gate.kind, gate.argv.join(' ')])).toEqual([
      ['test', 'test', 'python3 -m pytest'],
    ]);
    expect(planned.gates?.absent).toEqual(['lint', 'typecheck']);
    const missing = planned.proof.knownGaps.filter((gap) => gap.code === 'gate_missing');
    expect(missing.map((gap) => gap.message)).toEqual([
      'Required gate "test" has no result on the head (unknown).',
    ]);
    // No success check, slice acceptance or plan document promises a lint or typecheck run.
    const promised = [...planned.goal.oracle.checks, ...(planned.graph.tasks[0]?.acceptance ?? [])];
    expect(promised.filter((line) => /lint|typecheck/i.test(line))).toEqual([]);
    const spec = await readFile(join(state.dir, 'goals', planned.goal.id, 'test-spec.md'), 'utf8');
    expect(spec).toMatch(/Absent, so not required: `lint`, `typecheck`/);
    const decisions = await readFile(join(state.dir, 'goals', planned.goal.id, 'decisions.jsonl'), 'utf8');
    expect(decisions).toContain('the project has no lint gate, so lint is not required');
  });

  it('a lint gate the config adds is required; a ruff config only in the checkout is not (it is not committed)', async () => {
    await writeFile(join(repo.root, 'ruff.toml'), 'line-length = 100\n');
    const dirty = await omk('goal', 'plan', GOAL, '--json');
    // Said as `goal run` says it, once, on stderr.
    const warnings = dirty.stderr.split('\n').filter((line) => line.includes('uncommitted change'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^omk: warning: 1 uncommitted change\(s\) in .+ \(ruff\.toml\) are not part of this goal: it starts from [0-9a-f]{12}, the commit HEAD names\. To include them, commit them first and plan the goal again\.$/,
      ),
    ]);
    const uncommitted = JSON.parse(dirty.stdout) as Planned;
    expect(uncommitted.goal.oracle.requiredGates).toEqual(['test']);
    expect(uncommitted.goal.oracle.absentGates).toEqual(['lint', 'typecheck']);

    await mkdir(join(repo.root, '.omk'));
    await writeFile(
      join(repo.root, '.omk', 'config.yml'),
      'version: 1\ngates:\n  list:\n    - name: lint\n      run: ["python3", "-c", "pass"]\n',
    );
    const configured = await omk('goal', 'plan', GOAL, '--json');
    expect(configured.code, configured.stderr).toBe(0);
    const planned = JSON.parse(configured.stdout) as Planned;
    expect(planned.goal.oracle.requiredGates).toEqual(['test', 'lint']);
    expect(planned.goal.oracle.absentGates).toEqual(['typecheck']);
    expect(planned.goal.oracle.checks).toContain('Lint passes on the head commit');
  });
});

describe('omk goal proof before execution: the required gates are the plan’s', () => {
  it('names the detected format gate as the plan does, required by default; a gate the config marks required as marked', async () => {
    const node = await createTempRepo({
      'package.json': `${JSON.stringify(
        {
          name: 'calc',
          version: '1.0.0',
          type: 'module',
          scripts: { test: 'node --test', lint: 'eslint .', 'format:check': 'prettier --check .' },
        },
        null,
        2,
      )}\n`,
      'src/add.js': 'export const add = (a, b) => a - b;\n',
      'test/add.test.js':
        "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add } from '../src/add.js';\n\ntest('adds', () => assert.equal(add(2, 3), 5));\n",
      '.omk/config.yml':
        'version: 1\ngates:\n  list:\n    - name: e2e\n      run: ["node", "--test", "e2e"]\n      required: true\n',
    });
    try {
      const inNode = (...args: string[]) => runOmk(args, { cwd: node.root, stateDir: state.dir });
      const plan = await inNode('goal', 'plan', 'fix the add function in src/add.js', '--json');
      expect(plan.code, plan.stderr).toBe(0);
      const id = (JSON.parse(plan.stdout) as Planned).goal.id;
      const required = 'test, lint, format (required by default), e2e (marked required)';
      const proof = await inNode('goal', 'proof', id);
      expect(proof.code, proof.stderr).toBe(0);
      expect(proof.stdout).toContain(`Required gates: ${required}\n`);
      const json = JSON.parse((await inNode('goal', 'proof', id, '--json')).stdout) as {
        requiredGateNames?: string[];
      };
      expect(json.requiredGateNames).toEqual(['format', 'lint', 'test', 'e2e']);
    } finally {
      await node.cleanup();
    }
  });
});
