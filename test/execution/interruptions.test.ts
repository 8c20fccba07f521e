import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AgentCall, isAlive, slowFirstRun, touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  eventsOfType,
  expectContiguous,
  fixTheParser,
  GOALS,
  omkBranches,
  SLICES,
  useExecutionEnv,
  waitFor,
} from '../helpers/execution.js';

// A fix goal needs a test that fails without the fix: the fixture has one, the agents fix it.
const env = useExecutionEnv(BUGGY_FIXTURE);

const startsOf = (calls: readonly AgentCall[], task: string) =>
  calls.filter((call) => call.event === 'start' && call.task === task);

/** Waits until the agent for `task` has started `count` times; returns that start. */
function agentStarted(task: string, count = 1): Promise<AgentCall> {
  return waitFor(
    `agent ${task} start #${count}`,
    async () => startsOf(await env.kit.calls(), task)[count - 1],
  );
}

async function latestGoalId(): Promise<string> {
  const status = await env.omk('goal', 'status', '--json');
  expect(status.code, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as { id: string }).id;
}

describe('a controller killed with SIGKILL mid-wave', () => {
  it('is taken over by resume --auto: the orphaned agent is stopped, finished slices are kept, the lost one runs again', async () => {
    // On its first run the regression slice's agent sleeps, then writes outside its write set: if
    // omk let the orphan live, that write would leak into the resumed attempt. It sleeps long
    // enough to still be there when the resuming controller looks for it on a loaded machine (with
    // 4 s, it had ended by then once, at load 13); stopped, it costs nothing.
    const agent = await env.kit.script(
      'chain',
      `if (task === ${JSON.stringify(SLICES.regression)} && runsSoFar(task) === 1) { await sleep(30_000); append('README.md', 'orphan\\n'); }\n${touchWrites}\n${fixTheParser}`,
    );
    const run = env.spawnOmk('goal', 'run', GOALS.chain, '--agent', agent);
    const orphan = await agentStarted(SLICES.regression);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(isAlive(orphan.pid)).toBe(true);
    const id = await latestGoalId();
    expect((await env.goal(id)).status).toBe('running');

    const resumed = await env.omk('goal', 'resume', '--auto', '--agent', agent, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual([{ id, from: 'interrupted', to: 'running' }]);

    const calls = await env.kit.calls();
    expect(startsOf(calls, SLICES.parser)).toHaveLength(1);
    expect(startsOf(calls, SLICES.regression)).toHaveLength(2);

    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'worker_dead').map((e) => e.data)).toEqual([
      {
        taskId: SLICES.regression,
        previousController: run.child.pid,
        orphanAgent: orphan.pid,
        orphanStopped: true,
      },
    ]);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(eventsOfType(events, 'task_done').map((e) => e.data.taskId)).toEqual([
      SLICES.parser,
      SLICES.regression,
    ]);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.findings.filter((finding) => finding.severity === 'blocking')).toEqual([]);
    // The lost attempt is not counted: the slice was done on its first completed attempt.
    expect(proof.slices.map((slice) => [slice.id, slice.status, slice.attempts])).toEqual([
      [SLICES.parser, 'done', 1],
      [SLICES.regression, 'done', 1],
    ]);
    expect((await env.goal(id)).status).toBe('ready');
  });
});

describe('pause, cancel and SIGTERM while an agent runs', () => {
  it('pause stops the agent and the controller; resume finishes the goal', async () => {
    const agent = await env.kit.script('slow', `${slowFirstRun(30_000)}\n${fixTheParser}`);
    const run = env.spawnOmk('goal', 'run', GOALS.single, '--agent', agent);
    const first = await agentStarted(SLICES.bug);
    const id = await latestGoalId();

    const pause = await env.omk('goal', 'pause', id, '--json');
    expect(pause.code, pause.stderr).toBe(0);
    expect(JSON.parse(pause.stdout)).toMatchObject({ from: 'running', to: 'paused' });
    const exited = await run.exited;
    expect(exited.code, exited.stderr).toBe(0);
    await waitFor('the paused agent to be stopped', () => !isAlive(first.pid), 5_000);

    expect((await env.goal(id)).status).toBe('paused');
    expect((await env.graph(id)).tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      [SLICES.bug, 'pending', 0],
    ]);
    const paused = await env.events(id);
    expect(eventsOfType(paused, 'agent_finished').map((e) => e.data.outcome)).toEqual(['cancelled']);
    expect(eventsOfType(paused, 'execution_interrupted').map((e) => e.data)).toEqual([{ by: 'pause' }]);

    const resume = await env.omk('goal', 'resume', id);
    expect(resume.code, resume.stderr).toBe(0);
    expect(startsOf(await env.kit.calls(), SLICES.bug)).toHaveLength(2);
    expect((await env.proof(id)).status).toBe('ready');
    expect((await env.goal(id)).status).toBe('ready');
    expectContiguous(await env.events(id));
  });

  it('cancel stops the agent for good and writes failure.json', async () => {
    const agent = await env.kit.script('slow', `${slowFirstRun(30_000)}\n${fixTheParser}`);
    const run = env.spawnOmk('goal', 'run', GOALS.single, '--agent', agent);
    const first = await agentStarted(SLICES.bug);
    const id = await latestGoalId();

    const cancel = await env.omk('goal', 'cancel', id, '--reason', 'wrong approach', '--json');
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ from: 'running', to: 'cancelled' });
    const exited = await run.exited;
    expect(exited.code, exited.stderr).toBe(0);
    await waitFor('the cancelled agent to be stopped', () => !isAlive(first.pid), 5_000);

    expect((await env.goal(id)).status).toBe('cancelled');
    const failure = JSON.parse(await readFile(join(env.goalDir(id), 'failure.json'), 'utf8')) as {
      status: string;
      reason: string;
    };
    expect(failure).toMatchObject({ status: 'cancelled', reason: 'wrong approach' });
    const proof = await env.proof(id);
    expect(proof.delivery.cancellation?.text).toBe('wrong approach');
    expect(proof.slices.map((slice) => slice.status)).toEqual(['pending']);
    // The integration workspace made while the agent ran is not left behind; the base checkout the
    // gates ran on before the agent is.
    expect(omkBranches(env.repo, id)).toEqual([`omk/${id}/base`, `omk/${id}/${SLICES.bug}`]);

    // A cancelled goal does not run again.
    const resume = await env.omk('goal', 'resume', id);
    expect(resume.code).toBe(4);
    const execute = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(execute.code).toBe(4);
    expect(startsOf(await env.kit.calls(), SLICES.bug)).toHaveLength(1);
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'task_leased')).toHaveLength(1);
  });

  it('SIGTERM interrupts the goal with exit 130; resume continues it to ready', async () => {
    const agent = await env.kit.script('slow', `${slowFirstRun(30_000)}\n${fixTheParser}`);
    const run = env.spawnOmk('goal', 'run', GOALS.single, '--agent', agent);
    const first = await agentStarted(SLICES.bug);
    const id = await latestGoalId();

    run.child.kill('SIGTERM');
    const exited = await run.exited;
    expect(exited.code, exited.stderr).toBe(130);
    await waitFor('the interrupted agent to be stopped', () => !isAlive(first.pid), 5_000);
    const goal = await env.goal(id);
    expect(goal).toMatchObject({ status: 'interrupted', resumeTo: 'running', controller: null });
    expect((await env.proof(id)).knownGaps.map((gap) => gap.code)).toContain('execution_interrupted');
    expect(eventsOfType(await env.events(id), 'execution_interrupted').map((e) => e.data)).toEqual([
      { by: 'signal' },
    ]);

    const resume = await env.omk('goal', 'resume', id);
    expect(resume.code, resume.stderr).toBe(0);
    expect(startsOf(await env.kit.calls(), SLICES.bug)).toHaveLength(2);
    expect((await env.proof(id)).status).toBe('ready');
    expectContiguous(await env.events(id));
  });
});
