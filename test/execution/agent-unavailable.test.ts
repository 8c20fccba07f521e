import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';

/** What Claude Code 2.1.197 prints in print mode when it is not logged in (then exits 1). */
const NOT_LOGGED_IN = new URL('../fixtures/agents/claude-2.1.197-not-logged-in.json', import.meta.url);

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

/** The goal planned with two retries, so a retry would show if one were spent. */
async function plannedWithRetries(): Promise<string> {
  const id = await env.plan(GOALS.single);
  await env.editGraph(id, (graph) => ({
    ...graph,
    tasks: graph.tasks.map((task) => ({ ...task, maxRetries: 2 })),
  }));
  return id;
}

async function expectNotAttempted(id: string): Promise<void> {
  const events = await env.events(id);
  expect(eventsOfType(events, 'agent_started')).toHaveLength(1);
  expect(eventsOfType(events, 'gates_verified')).toEqual([]);
  expect(eventsOfType(events, 'change_captured')).toEqual([]);
  expect(eventsOfType(events, 'task_retry')).toEqual([]);
  expect(eventsOfType(events, 'task_failed')).toEqual([]);
  const graph = await env.graph(id);
  expect(graph.tasks.find((task) => task.id === SLICES.bug)?.status).toBe('pending');
  expect((await env.goal(id)).status).toBe('interrupted');
}

describe('an agent CLI that cannot run on this machine', () => {
  it("not logged in (claude's real output, exit 1): one run, no retry, no gates, the goal stops with its words and the fix", async () => {
    env = await createExecutionEnv();
    const output = (await readFile(NOT_LOGGED_IN, 'utf8')).trim();
    const agent = await env.kit.script(
      'claude-logged-out',
      `process.stdout.write(${JSON.stringify(`${output}\n`)});\nprocess.exit(1);`,
    );
    const id = await plannedWithRetries();
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');

    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain(
      `cannot run here, so slice ${SLICES.bug} was not attempted: Not logged in · Please run /login`,
    );
    expect(result.stderr).toContain(`Log ${agent.slice('script:'.length)} in on this machine`);
    expect(result.stderr).toContain(`omk goal resume ${id}`);
    const starts = (await env.kit.calls()).filter((call) => call.event === 'start');
    expect(starts.map((call) => [call.task, call.attempt])).toEqual([[SLICES.bug, 1]]);
    await expectNotAttempted(id);
    const [finished] = eventsOfType(await env.events(id), 'agent_finished');
    expect(finished?.data).toMatchObject({ outcome: 'failed', unavailable: 'login' });
  });

  it('silent after starting (a login prompt nobody answers): stopped after agents.startupSilence, not attempted', async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      '.omk/config.yml': ['version: 1', 'agents:', '  startupSilence: 2s', ''].join('\n'),
    });
    const agent = await env.kit.script('hangs', 'await sleep(60_000);');
    const id = await plannedWithRetries();
    const started = Date.now();
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');

    expect(result.code, result.stderr).toBe(6);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).toContain('printed nothing in 2s after it started');
    expect(result.stderr).toContain('agents.startupSilence');
    expect((await env.kit.calls()).filter((call) => call.event === 'start')).toHaveLength(1);
    await expectNotAttempted(id);
    const [finished] = eventsOfType(await env.events(id), 'agent_finished');
    expect(finished?.data).toMatchObject({ outcome: 'crashed', unavailable: 'silent' });
    const runs = (await env.kit.runs()).map((run) => run.pid);
    expect(runs).toHaveLength(1);
  });

  it('not logged in when it plans (goal run): stops with its words, the agent run once, no goal left half made', async () => {
    env = await createExecutionEnv();
    const output = (await readFile(NOT_LOGGED_IN, 'utf8')).trim();
    // Not a kit script: those skip planning runs. This one answers every run as logged-out claude.
    const script = join(env.kit.dir, 'claude-logged-out-everywhere.mjs');
    const runs = join(env.kit.dir, 'runs.log');
    await writeFile(
      script,
      `#!${process.execPath}
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runs)}, process.env.OMK_TASK_ID + '\\n');
process.stdout.write(${JSON.stringify(`${output}\n`)});
process.exit(1);
`,
    );
    await chmod(script, 0o755);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', `script:${script}`);

    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain(
      'cannot run here, so it could not plan this goal: Not logged in · Please run /login',
    );
    expect(result.stderr).toContain('then run the same command again');
    expect(await readFile(runs, 'utf8')).toBe('plan\n');
    expect(await readdir(join(env.stateDir, 'goals'))).toEqual([]);
  });
});
