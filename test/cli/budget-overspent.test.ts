import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, fixTheParser, GOALS, useExecutionEnv } from '../helpers/execution.js';

const env = useExecutionEnv(BUGGY_FIXTURE);

describe('a goal that spent more than its token budget', () => {
  it('says so as the budget is written elsewhere, and the steps it prints make it ready', async () => {
    // The agent fixes the bug and reports (as JSON on stdout, how a script reports usage) more
    // tokens than the goal allows: its one attempt is counted after it ended.
    const agent = await env.kit.script(
      'costly',
      `${fixTheParser}\nprocess.stdout.write(JSON.stringify({ tokens: 250000 }) + '\\n');`,
    );
    const run = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      agent,
      '--budget-tokens',
      '200k',
      '--no-llm-planner',
      '--json',
    );
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.proof(id)).knownGaps.map((gap) => gap.code)).toEqual(['budget_overspent']);

    const proof = await env.omk('goal', 'proof', id);
    // The proof's budget line and the gap write the tokens alike.
    expect(proof.stdout).toContain('tokens 250,000 of 200,000');
    expect(proof.stdout).toContain(
      `[budget_overspent] The token budget is overspent: 250,000 tokens used, over its limit of 200,000 tokens. If the spend was worth it, raise the limit ('omk goal budget-add ${id} --tokens 100k'), then resume the goal ('omk goal resume ${id}') to settle it.`,
    );

    // The steps as printed, copied: the token limit is raised (time would leave the gap).
    const printed = [...proof.stdout.matchAll(/'omk (goal [^']+)'/g)].map((match) => match[1] ?? '');
    expect(printed).toEqual([`goal budget-add ${id} --tokens 100k`, `goal resume ${id}`]);
    const added = await env.omk(...(printed[0] ?? '').split(' '));
    expect(added.code, added.stderr).toBe(0);
    const resumed = await env.omk(...(printed[1] ?? '').split(' '));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`goal ${id}: not_ready -> not_ready (proof ready)`);
    expect((await env.goal(id)).status).toBe('ready');
    expect((await env.proof(id)).status).toBe('ready');
  }, 120_000);
});
