import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashWith, isAlive, touchWrites } from '../helpers/agents.js';
import {
  eventsOfType,
  expectContiguous,
  GOALS,
  omkBranches,
  SLICES,
  useExecutionEnv,
  waitFor,
} from '../helpers/execution.js';

const env = useExecutionEnv();

describe('an agent that runs past its slice budget', () => {
  it('is killed with its whole process tree, retried, and the slice fails with the timeout as evidence', async () => {
    const id = await env.plan(GOALS.single);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({
        ...task,
        budget: { ...task.budget, timeMs: 3_000 },
        maxRetries: 1,
      })),
    }));
    // Starts a grandchild that would outlive it, then sleeps far past the 3 s budget.
    const agent = await env.kit.script('sleeper', 'spawnSleeper(60_000);\nawait sleep(30_000);');
    const started = Date.now();
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(10);
    expect(Date.now() - started).toBeLessThan(25_000);

    const calls = await env.kit.calls();
    const starts = calls.filter((call) => call.event === 'start');
    expect(starts.map((call) => [call.task, call.attempt])).toEqual([
      [SLICES.bug, 1],
      [SLICES.bug, 2],
    ]);
    expect(calls.filter((call) => call.event === 'end')).toEqual([]);
    const pids = [
      ...starts.map((call) => call.pid),
      ...calls.filter((call) => call.event === 'spawned').map((call) => Number(call.child)),
    ];
    expect(pids).toHaveLength(4);
    await waitFor(
      'the agents and their children to be gone',
      () => pids.every((pid) => !isAlive(pid)),
      5_000,
    );

    const proof = await env.proof(id);
    expect(proof.status).toBe('failed');
    expect(proof.agentRuns.map((run) => [run.attempt, run.outcome, run.exitCode])).toEqual([
      [1, 'timeout', null],
      [2, 'timeout', null],
    ]);
    for (const run of proof.agentRuns) {
      expect(run.durationMs).toBeGreaterThanOrEqual(2_900);
      expect(run.durationMs).toBeLessThan(10_000);
    }
    expect(proof.failures).toEqual([
      expect.objectContaining({
        code: 'slice_failed',
        message: `Slice ${SLICES.bug} failed after 2 attempt(s).`,
        evidence: expect.stringContaining('agent timeout: agent did not finish within 3.0s'),
      }),
    ]);
    expect(proof.slices).toEqual([
      expect.objectContaining({ id: SLICES.bug, status: 'failed', attempts: 2 }),
    ]);
    expect((await env.goal(id)).status).toBe('failed');

    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'agent_finished').map((e) => e.data.outcome)).toEqual(['timeout', 'timeout']);
    expect(eventsOfType(events, 'task_retry')).toHaveLength(1);
    expect(eventsOfType(events, 'task_failed')[0]?.data).toMatchObject({ taskId: SLICES.bug, attempts: 2 });
  });
});

describe('an agent that crashes every time', () => {
  it('fails its slice after maxRetries+1 attempts, skips the dependent slice and fails the proof', async () => {
    const agent = await env.kit.script('crash', crashWith(3));
    const result = await env.omk('goal', 'run', GOALS.chain, '--agent', agent, '--until-ready', '--json');
    expect(result.code, result.stderr).toBe(10);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = goal.id;

    const graph = await env.graph(id);
    const first = graph.tasks.find((task) => task.id === SLICES.parser);
    expect(first?.maxRetries).toBe(2);
    const starts = (await env.kit.calls()).filter((call) => call.event === 'start');
    expect(starts.map((call) => [call.task, call.attempt])).toEqual([
      [SLICES.parser, 1],
      [SLICES.parser, 2],
      [SLICES.parser, 3],
    ]);
    expect(starts).toHaveLength((first?.maxRetries ?? 0) + 1);
    expect(graph.tasks.map((task) => [task.id, task.status])).toEqual([
      [SLICES.parser, 'failed'],
      [SLICES.regression, 'skipped'],
    ]);

    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'task_skipped').map((e) => e.data)).toEqual([
      { taskId: SLICES.regression, because: SLICES.parser },
    ]);
    expect(eventsOfType(events, 'task_leased').map((e) => e.data.taskId)).not.toContain(SLICES.regression);

    const proof = await env.proof(id);
    expect(proof.status).toBe('failed');
    expect(proof.agentRuns.map((run) => [run.taskId, run.outcome, run.exitCode])).toEqual([
      [SLICES.parser, 'failed', 3],
      [SLICES.parser, 'failed', 3],
      [SLICES.parser, 'failed', 3],
    ]);
    expect(proof.failures).toEqual([
      expect.objectContaining({
        code: 'slice_failed',
        evidence: expect.stringContaining('agent failed (exit 3): agent exited with code 3'),
      }),
    ]);
    // Nothing was integrated: there is no done slice to merge.
    expect(proof.git.headSha).toBeNull();
    expect(omkBranches(env.repo, id)).not.toContain(`omk/${id}/integration`);
  });
});

describe('an agent that edits outside its write set', () => {
  it('gets a blocking scope finding naming the path, and the slice is not done on that attempt', async () => {
    const agent = await env.kit.script('stray', `${touchWrites}\nappend('README.md', 'stray edit\\n');`);
    const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = goal.id;

    const events = await env.events(id);
    expect(eventsOfType(events, 'review_written').map((e) => e.data)).toEqual([
      { taskId: SLICES.bug, blocking: 1 },
    ]);
    expect(eventsOfType(events, 'task_done')).toEqual([]);
    expect(eventsOfType(events, 'task_retry')).toEqual([]);
    const pending = eventsOfType(events, 'task_pending')[0]?.data;
    expect(pending).toMatchObject({ taskId: SLICES.bug, attempt: 1, attemptsLeft: 2 });
    expect(pending?.failure).toContain('review found blocking problems');
    expect(pending?.failure).toContain('outside the write set');

    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.slices).toEqual([
      expect.objectContaining({ id: SLICES.bug, status: 'pending', attempts: 1 }),
    ]);
    const blocking = proof.findings.filter((finding) => finding.severity === 'blocking');
    expect(blocking).toEqual([
      expect.objectContaining({
        review: 'controller',
        paths: ['README.md'],
        message: expect.stringContaining('outside the write set'),
      }),
    ]);
    expect(proof.knownGaps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'blocking_finding', message: expect.stringContaining('README.md') }),
        expect.objectContaining({ code: 'slice_incomplete' }),
      ]),
    );
  });
});

describe('a goal that settles as failed', () => {
  it("writes failure.json with the proof's failures as its reason, as a cancelled goal does", async () => {
    const id = await env.plan(GOALS.single);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, maxRetries: 0 })),
    }));
    const agent = await env.kit.script('crash', crashWith(3));
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(10);
    expect((await env.goal(id)).status).toBe('failed');
    const failure = JSON.parse(await readFile(join(env.goalDir(id), 'failure.json'), 'utf8')) as {
      version: number;
      status: string;
      reason: string;
      humanDecisions: string[];
    };
    expect(failure).toMatchObject({ version: 1, status: 'failed', humanDecisions: [] });
    expect(failure.reason).toContain(`Slice ${SLICES.bug} failed after 1 attempt(s).`);
  });
});
