import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  fixTheParser,
  GOALS,
  SLICES,
} from '../helpers/execution.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

/** What an agent CLI prints when its provider answers 429 (then it exits 1), with the wait it asks. */
const RATE_LIMITED = `process.stderr.write('API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 200ms.\\n');\nprocess.exit(1);`;

/** The goal planned with two retries, so a retry spent on the rate limit would show. */
async function plannedWithRetries(config: string, ...flags: string[]): Promise<string> {
  env = await createExecutionEnv({ ...BUGGY_FIXTURE, '.omk/config.yml': config });
  const id = await env.plan(GOALS.single, ...flags);
  await env.editGraph(id, (graph) => ({
    ...graph,
    tasks: graph.tasks.map((task) => ({ ...task, maxRetries: 2 })),
  }));
  return id;
}

describe('a rate-limited agent', () => {
  it('is waited out as it asked and run again: the slice is done on attempt 1', async () => {
    const id = await plannedWithRetries('version: 1\n');
    const agent = await env.kit.script(
      'limited-once',
      `if (runsSoFar(task) === 1) {\n${RATE_LIMITED}\n}\n${fixTheParser}`,
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `[${SLICES.bug}] the agent is rate-limited (API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 200ms.); waiting 200 ms before running it again (attempt 1 is not spent)`,
    );
    const starts = (await env.kit.calls()).filter((call) => call.event === 'start');
    expect(starts.map((call) => [call.task, call.attempt])).toEqual([
      [SLICES.bug, 1],
      [SLICES.bug, 1],
    ]);
    const events = await env.events(id);
    expect(eventsOfType(events, 'agent_rate_limited').map((event) => event.data)).toEqual([
      expect.objectContaining({
        taskId: SLICES.bug,
        attempt: 1,
        waitMs: 200,
        waitedMs: 0,
        retryAfterMs: 200,
      }),
    ]);
    expect(eventsOfType(events, 'task_retry')).toEqual([]);
    expect(eventsOfType(events, 'task_done').map((event) => event.data.attempt)).toEqual([1]);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.slices).toEqual([expect.objectContaining({ id: SLICES.bug, status: 'done', attempts: 1 })]);
    // The replay shows the wait.
    const replay = await env.omk('goal', 'replay', id);
    expect(replay.stdout).toMatch(/agent_rate_limited attempt=1 retryAfterMs=200 .*waitMs=200 waitedMs=0/);
    const watched = await env.omk('goal', 'watch', id);
    expect(watched.stdout).toContain(
      `${SLICES.bug}: agent rate-limited (attempt 1); waiting 200 ms before running it again`,
    );
  });

  it('always rate-limited: stops after agents.rateLimitWait with the reason, no attempt spent', async () => {
    const id = await plannedWithRetries('version: 1\nagents:\n  rateLimitWait: 1s\n');
    const agent = await env.kit.script('limited-always', RATE_LIMITED);
    const started = Date.now();
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(result.code, result.stderr).toBe(6);
    expect(Date.now() - started).toBeLessThan(30_000);
    // Its own words: it ran, how often and how long it was waited out, and what to do.
    expect(result.stderr).toContain(
      `ran slice ${SLICES.bug} but was rate-limited 6 times over 1.0 s of waiting (waiting again would pass agents.rateLimitWait, 1.0 s), so its attempt 1 is not spent: API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 200ms.`,
    );
    expect(result.stderr).toContain(
      `rate limit resets, then 'omk goal resume ${id}'; or raise agents.rateLimitWait in .omk/config.yml (it is 1.0 s).`,
    );
    expect(result.stderr).not.toContain('cannot run here');
    expect(result.stderr).not.toContain('was not attempted');
    // 200 ms five times is the whole 1 s: the sixth run is the last.
    const starts = (await env.kit.calls()).filter((call) => call.event === 'start');
    expect(starts.map((call) => call.attempt)).toEqual([1, 1, 1, 1, 1, 1]);
    const events = await env.events(id);
    expect(eventsOfType(events, 'agent_rate_limited')).toHaveLength(5);
    expect(eventsOfType(events, 'task_retry')).toEqual([]);
    expect(eventsOfType(events, 'gates_verified')).toEqual([]);
    const [finished] = eventsOfType(events, 'agent_finished');
    expect(finished?.data).toMatchObject({ outcome: 'failed', unavailable: 'rate_limit' });
    const graph = await env.graph(id);
    expect(graph.tasks.find((task) => task.id === SLICES.bug)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    expect((await env.goal(id)).status).toBe('interrupted');
  });

  it('is charged to the budget, runs and waits: a spent time budget stops the waiting with the budget message', async () => {
    // A 3 s budget and a limit that asks for 900 ms each time: the waits alone pass it by the
    // fourth. agents.rateLimitWait (10 s) would have let it wait on.
    const id = await plannedWithRetries('version: 1\nagents:\n  rateLimitWait: 10s\n', '--budget-time', '3s');
    const agent = await env.kit.script(
      'limited-long',
      RATE_LIMITED.replace('retry after 200ms', 'retry after 900ms'),
    );
    const result = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready', '--json');
    expect(result.code, result.stderr).toBe(9);
    expect((JSON.parse(result.stdout) as { stoppedBy: string }).stoppedBy).toBe('budget');
    expect(result.stderr).toContain('and the time budget is spent: not waiting again');
    expect(result.stderr).toContain('execution stopped (budget)');
    const events = await env.events(id);
    const waits = eventsOfType(events, 'agent_rate_limited');
    const runs = (await env.kit.calls()).filter((call) => call.event === 'start');
    expect(runs.length).toBe(waits.length + 1);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits.length).toBeLessThanOrEqual(3);
    expect(eventsOfType(events, 'budget_exhausted')).toHaveLength(1);
    // Each rate-limited run is a spend line, the waits in it; the total is past what remained.
    const lines = (await readFile(join(env.goalDir(id), 'budget.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; note?: string; spent: { timeMs: number } });
    const charged = lines.filter((line) => line.kind === 'spend' && line.note?.includes('rate-limited run'));
    expect(charged.map((line) => line.note)).toEqual([
      ...waits.map(() => `${SLICES.bug} attempt 1: rate-limited run, then a 900 ms wait`),
      `${SLICES.bug} attempt 1: rate-limited run`,
    ]);
    const total = lines.at(-1)?.spent.timeMs ?? 0;
    expect(total).toBeGreaterThanOrEqual(900 * waits.length);
    expect(total + 900).toBeGreaterThan(3_000);
    const proof = await env.proof(id);
    expect(proof.knownGaps.map((gap) => gap.message)).toContain(
      'The time budget is spent; finished slices are kept.',
    );
    expect(proof.budget.spent.timeMs).toBe(total);
    const graph = await env.graph(id);
    expect(graph.tasks.find((task) => task.id === SLICES.bug)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
    const [finished] = eventsOfType(events, 'agent_finished');
    expect(finished?.data).toMatchObject({
      unavailable: 'rate_limit',
      budget: 'time',
      rateLimitedRuns: runs.length,
    });
  }, 60_000);
});
