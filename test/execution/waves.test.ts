import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentRun, rendezvous, sleepThenTouch } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  expectContiguous,
  fixTheParser,
  GOALS,
  NODE_FIXTURE,
  omkBranches,
  SLICES,
  showAt,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

let env: ExecutionEnv;

beforeEach(async () => {
  env = await createExecutionEnv();
});
afterEach(async () => {
  await env.cleanup();
});

/** A fix goal is ready only with a test that fails without the fix: the parser slice fixes one. */
async function fixableEnv(): Promise<void> {
  await env.cleanup();
  env = await createExecutionEnv(BUGGY_FIXTURE);
}

const overlap = (a: AgentRun, b: AgentRun) =>
  a.end !== null && b.end !== null && a.start < b.end && b.start < a.end;

describe('planning the fixture goals', () => {
  it('plans two independent slices for the parallel goal and a two-slice chain for the chain goal', async () => {
    const parallel = await env.graph(await env.plan(GOALS.parallel));
    expect(parallel.tasks.map((t) => [t.id, t.dependsOn, t.writes])).toEqual([
      [SLICES.readme, [], ['README.md']],
      // No test slice follows this fix: it may write (and add) its parser's tests, to show its own fail-to-pass.
      [SLICES.parserSecond, [], ['src/parser.js', 'test']],
    ]);
    const chain = await env.graph(await env.plan(GOALS.chain));
    expect(chain.tasks.map((t) => [t.id, t.dependsOn, t.writes])).toEqual([
      [SLICES.parser, [], ['src/parser.js']],
      [SLICES.regression, [SLICES.parser], ['test']],
    ]);
    const single = await env.graph(await env.plan(GOALS.single));
    expect(single.tasks.map((t) => t.id)).toEqual([SLICES.bug]);
  });
});

describe('waves of parallel slices', () => {
  it('runs independent slices at the same time with --max-agents 2', async () => {
    await fixableEnv();
    const agent = await env.kit.script('meet', `${rendezvous(2, 5_000)}\n${fixTheParser}`);
    const result = await env.omk(
      'goal',
      'run',
      GOALS.parallel,
      '--agent',
      agent,
      '--max-agents',
      '2',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };

    const runs = await env.kit.runs();
    expect(runs.map((run) => run.task).sort()).toEqual([SLICES.readme, SLICES.parserSecond]);
    const [a, b] = runs;
    if (!a || !b) throw new Error('expected two agent runs');
    expect(overlap(a, b), `runs ${JSON.stringify(runs)} should overlap`).toBe(true);
    // Each agent saw the other one started while it was still running.
    const met = (await env.kit.calls()).filter((call) => call.event === 'met').map((call) => call.runs);
    expect(met).toEqual([2, 2]);

    const proof = await env.proof(goal.id);
    expect(proof.status).toBe('ready');
    expect(proof.slices.map((slice) => slice.status)).toEqual(['done', 'done']);
    // Both leases were taken before either slice finished.
    const events = await env.events(goal.id);
    const leases = eventsOfType(events, 'task_leased').map((e) => e.seq);
    const firstDone = eventsOfType(events, 'task_done')[0]?.seq ?? 0;
    expect(leases).toHaveLength(2);
    expect(Math.max(...leases)).toBeLessThan(firstDone);
  });

  it('runs them one after the other with --max-agents 1', async () => {
    await fixableEnv();
    const agent = await env.kit.script('sleepy', `${sleepThenTouch(1_000)}\n${fixTheParser}`);
    const result = await env.omk(
      'goal',
      'run',
      GOALS.parallel,
      '--agent',
      agent,
      '--max-agents',
      '1',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };

    const runs = (await env.kit.runs()).sort((x, y) => x.start - y.start);
    expect(runs).toHaveLength(2);
    const [first, second] = runs;
    if (!first || !second) throw new Error('expected two agent runs');
    expect(first.end).not.toBeNull();
    expect(second.start).toBeGreaterThanOrEqual(first.end ?? Number.POSITIVE_INFINITY);
    expect((await env.proof(goal.id)).status).toBe('ready');
  });
});

describe('dependency chain', () => {
  const chainAgent = `
if (task.startsWith('s1-')) {
  write('src/parser.js', 'export const parse = (text) => text.trim();\\n');
} else {
  log('saw', { parser: read('src/parser.js') });
  write('test/regression.test.js', [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('parse trims (regression)', () => assert.equal(parse(' a '), 'a'));",
    '',
  ].join('\\n'));
}
`;

  it('starts the dependent slice from its dependency head and integrates both into a ready proof', async () => {
    const agent = await env.kit.script('chain', chainAgent);
    const result = await env.omk('goal', 'run', GOALS.chain, '--agent', agent, '--json');
    expect(result.code, result.stderr).toBe(0);
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = goal.id;

    // The second agent saw the first slice's change in its worktree.
    const saw = (await env.kit.calls()).find((call) => call.event === 'saw');
    expect(saw?.task).toBe(SLICES.regression);
    expect(saw?.parser).toContain('text.trim()');

    const prefix = `omk/${id}`;
    expect(omkBranches(env.repo, id)).toEqual(
      [
        `${prefix}/base`,
        `${prefix}/integration`,
        `${prefix}/${SLICES.parser}`,
        `${prefix}/${SLICES.regression}`,
      ].sort(),
    );
    const s1 = git(env.repo.root, 'rev-parse', `${prefix}/${SLICES.parser}`);
    const s2 = git(env.repo.root, 'rev-parse', `${prefix}/${SLICES.regression}`);
    expect(git(env.repo.root, 'rev-parse', `${s2}^`)).toBe(s1);

    const integration = git(env.repo.root, 'rev-parse', `${prefix}/integration`);
    expect(showAt(env.repo, integration, 'src/parser.js')).toContain('text.trim()');
    expect(showAt(env.repo, integration, 'test/regression.test.js')).toContain('parse trims (regression)');
    // The base branch and main are untouched.
    expect(showAt(env.repo, 'main', 'src/parser.js')).toBe(NODE_FIXTURE['src/parser.js']);

    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.knownGaps).toEqual([]);
    expect(proof.git.headSha).toBe(integration);
    expect(proof.slices.map((s) => [s.id, s.status, s.headSha])).toEqual([
      [SLICES.parser, 'done', s1],
      [SLICES.regression, 'done', s2],
    ]);
    expect(proof.gates).toEqual([
      expect.objectContaining({ name: 'test', kind: 'test', outcome: 'passed', sha: integration }),
    ]);
    expect(proof.changedFiles.map((file) => file.path).sort()).toEqual([
      'src/parser.js',
      'test/regression.test.js',
    ]);
    expect((await env.goal(id)).status).toBe('ready');

    const events = await env.events(id);
    expectContiguous(events);
    const order = events.map((e) => `${e.type}:${String(e.data.taskId ?? '')}`);
    expect(order.indexOf(`task_done:${SLICES.parser}`)).toBeLessThan(
      order.indexOf(`task_leased:${SLICES.regression}`),
    );
    expect(eventsOfType(events, 'integration_done')[0]?.data).toMatchObject({
      headSha: integration,
      merged: [`${prefix}/${SLICES.parser}`, `${prefix}/${SLICES.regression}`],
    });
  });
});
