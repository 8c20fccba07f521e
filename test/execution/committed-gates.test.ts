import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  GOALS,
  NODE_FIXTURE,
} from '../helpers/execution.js';

// A goal starts from HEAD: its worktrees hold the commit. The gates it runs are detected from that
// commit too, and a required gate whose tool is missing is seen before a planning agent is paid.

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

/** A pytest project whose one test passes; no linter configured. */
const PYTEST_FIXTURE: Readonly<Record<string, string>> = {
  'pyproject.toml':
    '[project]\nname = "calc"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
  'calc.py': 'def add(a, b):\n    return a + b\n',
  'tests/test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n',
};

describe('gates of a goal started in a checkout with uncommitted edits', () => {
  it('are detected from the base commit, and the run says the edits are not part of the goal', async () => {
    env = await createExecutionEnv(PYTEST_FIXTURE);
    // Uncommitted: a ruff section (ruff is not installed here; were it detected, the goal would
    // stop blocked on a human) and a file nobody added.
    await appendFile(join(env.repo.root, 'pyproject.toml'), '\n[tool.ruff]\nline-length = 100\n');
    await writeFile(join(env.repo.root, 'notes.txt'), 'scratch\n');
    const agent = await env.kit.script('touch', touchWrites);
    const result = await env.omk(
      'goal',
      'run',
      'fix the bug in calc.py',
      '--agent',
      agent,
      '--no-llm-planner',
      '--json',
    );

    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:passed']]);
    expect((await env.goal(id)).status).not.toBe('blocked_on_human');
    // Said once, on stderr (stdout is the JSON above).
    const warnings = result.stderr.split('\n').filter((line) => line.includes('uncommitted change'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2 uncommitted change(s)');
    expect(warnings[0]).toContain('notes.txt');
    expect(warnings[0]).toContain('pyproject.toml');
    expect(warnings[0]).toContain('are not part of this goal');
  });

  it('keep the checkout config, and say when it differs from the committed one', async () => {
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.omk/config.yml': 'version: 1\n' });
    const config = [
      'version: 1',
      'gates:',
      '  list:',
      '    - name: smoke',
      '      run: ["node", "--version"]',
      '',
    ];
    await writeFile(join(env.repo.root, '.omk/config.yml'), config.join('\n'));
    const agent = await env.kit.script('touch', touchWrites);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--no-llm-planner', '--json');

    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['test:passed', 'smoke:passed'],
    ]);
    expect(result.stderr).toContain('.omk/config.yml differs from the one committed at');
    expect(result.stderr).toContain("this run uses your checkout's copy");
    // Not also called a change the goal leaves out: the run uses it.
    expect(result.stderr).not.toContain('uncommitted change');
  });
});

describe('a required gate whose tool is not on PATH', () => {
  it('is seen before the planning agent: no agent plans, and the goal stops at the base check', async () => {
    const config = [
      'version: 1',
      'gates:',
      '  list:',
      '    - name: test',
      '      run: ["omk-no-such-tool-7f3a"]',
      '',
    ];
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.omk/config.yml': config.join('\n') });
    // An agent that records every task it is started for, the planning prompt ("plan") included.
    const log = join(env.kit.dir, 'started.log');
    const agent = join(env.kit.dir, 'recording-agent');
    await writeFile(
      agent,
      `#!/usr/bin/env node\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, (process.env.OMK_TASK_ID ?? '') + '\\n');\n`,
      { mode: 0o755 },
    );
    await writeFile(log, '');
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', `script:${agent}`, '--json');

    expect(await readFile(log, 'utf8')).toBe('');
    expect(result.stdout, result.stderr).not.toBe('');
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:unavailable']]);
    expect((await env.goal(id)).status).toBe('blocked_on_human');
    expect(result.stderr).toContain(
      "heuristic planner: no planning agent ran: required gate test's tool omk-no-such-tool-7f3a is not on the gates' PATH",
    );
    expect((await env.graph(id)).planner.name).toBe('heuristic');
  });
});
