import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';

// Gates are checked on the base before any agent runs: a tool that cannot start is a person's to
// fix, never an agent's, and no agent is paid to try.

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

const withTestScript = (script: string): Record<string, string> => ({
  ...NODE_FIXTURE,
  'package.json': `${JSON.stringify({ name: 'fixture', private: true, type: 'module', scripts: { test: script } }, null, 2)}\n`,
});

describe('a required gate whose tool is not installed', () => {
  it('stops the goal before any agent runs, naming the tool and the ways out', async () => {
    env = await createExecutionEnv(withTestScript('omk-no-such-runner-7f3a --run'));
    const agent = await env.kit.script('never', touchWrites);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
    const output = `${result.stdout}\n${result.stderr}`;

    expect(await env.kit.calls()).toEqual([]);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:unavailable']]);
    expect(eventsOfType(events, 'task_leased')).toEqual([]);
    expect(eventsOfType(events, 'agent_finished')).toEqual([]);

    const goal = await env.goal(id);
    expect(goal.status).toBe('blocked_on_human');
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.agentRuns).toEqual([]);
    const gap = proof.knownGaps.find((g) => g.code === 'gate_unavailable');
    expect(gap?.message).toContain('Required gate "test" (test) cannot start on base');
    expect(gap?.message).toContain('omk-no-such-runner-7f3a: command not found (exit 127)');
    expect(gap?.message).toContain('No slice agent ran. Install omk-no-such-runner-7f3a');
    expect(gap?.message).toContain('gates: { list: [ { name: "test", run: [');
    expect(output).toContain('Install omk-no-such-runner-7f3a');

    // The gate log says why it could not start, not just an exit code.
    const gatesDir = join(env.goalDir(id), 'artifacts', 'gates');
    const [logName] = await readdir(gatesDir);
    const log = await readFile(join(gatesDir, logName ?? ''), 'utf8');
    expect(log).toContain('=== exit 127');
    expect(log).toContain('=== could not start: omk-no-such-runner-7f3a: command not found (exit 127)');
    expect(log).toMatch(/omk-no-such-runner-7f3a: (command )?not found/);
  });

  it('says no slice agent ran, not that no agent did, when the planning agent ran', async () => {
    // The new user's run: the agent planner on, so the script agent is asked to plan (it gives no
    // plan; the heuristic plans), then the gates on the base stop the goal.
    env = await createExecutionEnv(withTestScript('omk-no-such-runner-7f3a --run'));
    const planned = join(env.kit.dir, 'planned.log');
    const agent = join(env.kit.dir, 'plans-only.sh');
    await writeFile(agent, `#!/bin/sh\necho "$OMK_TASK_ID" >> '${planned}'\n`);
    await chmod(agent, 0o755);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', `script:${agent}`, '--json');

    // Asked to plan (twice: a reply without a plan is retried once), never for a slice.
    expect((await readFile(planned, 'utf8')).split('\n').filter(Boolean)).toEqual(['plan', 'plan']);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const gap = (await env.proof(id)).knownGaps.find((g) => g.code === 'gate_unavailable');
    expect(gap?.message).toContain('No slice agent ran. Install omk-no-such-runner-7f3a');
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).not.toMatch(/\bNo agent ran\b/);
    expect(output).not.toContain('before any agent runs');
    expect(output).toContain('before any slice agent runs');
  });

  it('stops on a configured gate whose executable does not exist (spawn ENOENT)', async () => {
    const config = [
      'version: 1',
      'gates:',
      '  list:',
      '    - name: test',
      '      run: ["omk-no-such-tool-7f3a"]',
      '',
    ];
    env = await createExecutionEnv({ ...NODE_FIXTURE, '.omk/config.yml': config.join('\n') });
    const agent = await env.kit.script('never', touchWrites);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');

    expect(await env.kit.calls()).toEqual([]);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps.find((g) => g.code === 'gate_unavailable')?.message).toContain(
      'omk-no-such-tool-7f3a: could not start (spawn omk-no-such-tool-7f3a ENOENT)',
    );
  });
});

describe("a required package-script gate whose tool is missing from the checkout's node_modules", () => {
  it('is seen before planning: no planning agent runs, the note and the base check name prettier', async () => {
    const pkg = {
      name: 'fixture',
      private: true,
      type: 'module',
      scripts: { test: 'node --test test/', format: 'prettier --check .' },
      devDependencies: { prettier: '^3.0.0' },
    };
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
      '.gitignore': 'node_modules/\n',
      '.omk/config.yml':
        'version: 1\ngates:\n  list:\n    - name: format\n      run: ["npm", "run", "format"]\n',
    });
    // Installed, but before prettier was added: the run's worktrees get this node_modules as it is.
    await mkdir(join(env.repo.root, 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(env.repo.root, 'node_modules', '.package-lock.json'), '{}\n');
    const started = join(env.kit.dir, 'started.log');
    const agent = join(env.kit.dir, 'recording-agent');
    await writeFile(agent, `#!/bin/sh\necho "$OMK_TASK_ID" >> '${started}'\n`, { mode: 0o755 });
    await writeFile(started, '');
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', `script:${agent}`, '--json');

    expect(await readFile(started, 'utf8')).toBe('');
    expect(result.stderr).toContain(
      "no planning agent ran: required gate format's tool prettier (the first command of scripts.format) is neither in node_modules/.bin nor on the gates' PATH",
    );
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    // The note in full (the terminal's line is cut): the preflight says package.json declares it.
    const planner = (await env.proof(id)).decisions.find((d) => d.kind === 'planner');
    expect(planner?.reason).toContain(
      "is neither in node_modules/.bin nor on the gates' PATH, though package.json declares it, so the goal stops",
    );
    const events = await env.events(id);
    // What the preflight saw is what the base check finds: the copied node_modules lacks prettier.
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['test:passed', 'format:unavailable'],
    ]);
    const gap = (await env.proof(id)).knownGaps.find((g) => g.code === 'gate_unavailable');
    // package.json declares prettier and there is no lock file: the install is plain `npm install`.
    expect(gap?.message).toContain(
      "No slice agent ran. Install the project's dependencies in the checkout with `npm install` (package.json declares prettier; node_modules lacks it: a stale or partial install)",
    );
    // One way out: not the gate note's "is it installed and on PATH?" before the project's install.
    expect(gap?.message).not.toContain('is it installed and on PATH?');
    expect(gap?.message).toMatch(/prettier: command not found \(exit 127\)\. No slice agent ran\./);
    // `omk doctor` says the same.
    const doctor = await env.omk('doctor', '--json');
    expect(doctor.stdout).toContain('with `npm install` (package.json declares prettier');
    expect((await env.goal(id)).status).toBe('blocked_on_human');
  });
});

describe('an optional gate whose tool is not installed', () => {
  it('does not block: the goal is ready, with the gate reported as unable to start', async () => {
    const config = [
      'version: 1',
      'gates:',
      '  list:',
      '    - name: lint',
      '      kind: style',
      '      run: ["omk-no-such-linter-7f3a", "check", "."]',
      '      required: false',
      '',
    ];
    // The fixture's committed failing test fails on the base; the agent fixes it.
    env = await createExecutionEnv({ ...BUGGY_FIXTURE, '.omk/config.yml': config.join('\n') });
    const agent = await env.kit.script('touch', `${touchWrites}\n${fixTheParser}`);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;

    expect((await env.kit.runs()).map((run) => run.attempt)).toEqual([1]);
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([
      ['test:failed', 'lint:unavailable'],
    ]);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([
      ['test:passed', 'lint:unavailable'],
    ]);
    expect(`${result.stdout}\n${result.stderr}`).toContain('gates 1/2 passed (1 could not start)');
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.gates.find((gate) => gate.name === 'lint')).toMatchObject({
      outcome: 'unavailable',
      required: false,
      exitCode: null,
    });
    expect(proof.warnings).toEqual([
      expect.stringContaining('Optional gate "lint" (style) could not start on head'),
    ]);
  });
});

describe('a gate that cannot start only on the head', () => {
  it('is the change’s failure: the agent removed the tool the base has, and is told so', async () => {
    env = await createExecutionEnv(withTestScript('./tools/check'));
    await env.repo.commit({ 'tools/check': '#!/bin/sh\nexec node --test test/\n' }, 'add the test runner');
    await chmod(join(env.repo.root, 'tools/check'), 0o755);
    await env.repo.commit({}, 'make the test runner executable');
    const id = await env.plan(GOALS.single);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, 'tools'] })),
    }));
    const agent = await env.kit.script(
      'remove-tool',
      `(await import('node:fs')).rmSync('tools/check');\n${touchWrites}`,
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(result.code, result.stderr).toBe(0);

    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_on_base').map((e) => e.data.outcomes)).toEqual([['test:passed']]);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
    const failure = String(eventsOfType(events, 'task_pending')[0]?.data.failure);
    expect(failure).toContain('gate test failed (exit 127)');
    expect(failure).toContain('./tools/check: command not found (exit 127), but it starts on base');
    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.slices).toEqual([
      expect.objectContaining({ id: SLICES.bug, status: 'pending', attempts: 1 }),
    ]);
  });
});
