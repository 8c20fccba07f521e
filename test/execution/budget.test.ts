import { basename } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleepThenTouch } from '../helpers/agents.js';
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

beforeEach(async () => {
  env = await createExecutionEnv();
});
afterEach(async () => {
  await env.cleanup();
});

describe('a goal whose time budget runs out', () => {
  it('stops dispatching with exit 9, keeps the finished slice, and continues after budget-add and resume', async () => {
    // Two slices in a chain, each given the whole 10 s budget. A first attempt must fit whole, so
    // once the first has spent anything (its agent and gates), the second does not fit in what is
    // left and is not started. The 10 s leave the first slice room on a loaded machine (with 1 s,
    // its agent timed out at load 14).
    const agent = await env.kit.script('slow', sleepThenTouch(200));
    const result = await env.omk(
      'goal',
      'run',
      GOALS.chain,
      '--agent',
      agent,
      '--budget-time',
      '10s',
      // A planning run would be charged to these 10 s too; the heuristic plans for free.
      '--no-llm-planner',
      '--json',
    );
    expect(result.code, result.stderr).toBe(9);
    const { goal, stoppedBy } = JSON.parse(result.stdout) as { goal: { id: string }; stoppedBy: string };
    expect(stoppedBy).toBe('budget');
    const id = goal.id;

    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('budget_exhausted');
    expect(eventsOfType(await env.events(id), 'budget_exhausted')).toHaveLength(1);
    expect((await env.graph(id)).tasks.map((t) => [t.id, t.status])).toEqual([
      [SLICES.parser, 'done'],
      [SLICES.regression, 'pending'],
    ]);
    const rejected = eventsOfType(await env.events(id), 'task_rejected').map((e) => e.data.taskId);
    expect(rejected).toEqual([SLICES.regression]);

    const add = await env.omk('goal', 'budget-add', id, '--time', '10m');
    expect(add.code, add.stderr).toBe(0);
    const resume = await env.omk('goal', 'resume', id);
    expect(resume.code, resume.stderr).toBe(0);
    expect((await env.graph(id)).tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      [SLICES.parser, 'done', 1],
      [SLICES.regression, 'done', 1],
    ]);
  }, 120_000);
});

describe('budget-add after a slice ran out of its own time', () => {
  it('gives the slices that have not finished the same share of the bigger budget, so resume can finish them', async () => {
    // One slice: it gets what planning left of the 2 s goal budget (the script agent is asked to
    // plan first), and its agent needs 2.5 s.
    const agent = await env.kit.script('slow', sleepThenTouch(2_500));
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--budget-time',
      '2s',
      '--json',
    );
    const { goal } = JSON.parse(result.stdout) as { goal: { id: string } };
    const id = goal.id;
    const before = (await env.graph(id)).tasks;
    expect(before.map((t) => [t.id, t.status])).toEqual([[SLICES.bug, 'pending']]);
    // It was started (it fit in what planning left) and ran out of its own time.
    expect(before[0]?.attempts).toBeGreaterThan(0);
    expect(before[0]?.budget.timeMs).toBeLessThan(2_000);

    const add = await env.omk('goal', 'budget-add', id, '--time', '1m', '--json');
    expect(add.code, add.stderr).toBe(0);
    const view = JSON.parse(add.stdout) as { limits: { timeMs: number }; spent: { timeMs: number } };
    const limit = view.limits.timeMs;
    const [task] = (await env.graph(id)).tasks;
    // It had what planning left of the 2 s budget; now the same share of the new one (62 s), and
    // never more than is left of it. How long planning took depends on the machine's load, so the
    // share is computed from what the run recorded rather than assumed.
    const share = Math.round(((before[0]?.budget.timeMs ?? 0) * limit) / 2_000);
    expect(task?.budget.timeMs).toBe(Math.min(limit - view.spent.timeMs, share));
    expect(task?.budget.timeMs).toBeGreaterThan(20 * (before[0]?.budget.timeMs ?? 0));
    const added = eventsOfType(await env.events(id), 'budget_added').at(-1);
    expect(added?.data.slicesRescaled).toBe(1);

    const resume = await env.omk('goal', 'resume', id);
    expect(resume.code, resume.stderr).toBe(0);
    expect((await env.graph(id)).tasks.map((t) => [t.id, t.status])).toEqual([[SLICES.bug, 'done']]);
  }, 120_000);
});

describe('a token budget with an agent whose usage cannot be read', () => {
  it('is ready, and its proof warns that the token budget cannot be enforced for that agent', async () => {
    // Ready needs a fix shown: the fixture's committed failing test, which the agent fixes.
    await env.cleanup();
    env = await createExecutionEnv(BUGGY_FIXTURE);
    const agent = await env.kit.script('no-usage', `${sleepThenTouch(0)}\n${fixTheParser}`);
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--budget-tokens',
      '100k',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.budget.spent.tokens).toBe(0);
    expect(proof.warnings).toEqual([
      // The proof names a script agent by its file name, not a path of the machine.
      `usage unknown: the token budget cannot be enforced for agent script:${basename(agent)} (1 of 1 run(s) reported no token count; they are not in the spend).`,
    ]);
    const shown = await env.omk('goal', 'proof', id);
    expect(shown.stdout).toContain('usage unknown: the token budget cannot be enforced');
  });
});
