import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv } from './harness.js';

/** What an agent CLI prints when its provider answers 429, then exits 1. */
const LIMITED = `#!/usr/bin/env node
process.stderr.write('API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 200ms.\\n');
process.exit(1);
`;

/**
 * An agent rate-limited past agents.rateLimitWait stops the step with the runtime's own words for
 * it (it ran, how often, how long, what to do), in the job summary too: not the words of an agent
 * that cannot run here.
 */
describe('command: run with an agent that stays rate-limited', () => {
  let env: ActionEnv;

  beforeAll(async () => {
    env = await createActionEnv({
      executables: { 'tools/limited.mjs': LIMITED },
      files: { '.omk/config.yml': 'version: 1\nagents:\n  rateLimitWait: 1s\n' },
    });
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('fails the step saying it was rate-limited N times over T, and to wait and execute again or raise the bound', async () => {
    const run = await env.run({
      goal: DEMO_GOAL,
      agent: 'script:./tools/limited.mjs',
      'llm-planner': 'false',
      policy: 'draft-pr',
    });
    expect(run.code, run.stdout.slice(-3000)).not.toBe(0);
    // A failed step sets no outputs: the goal is named in its log.
    const goalId = /omk: goal (\S+): planned/.exec(run.stdout)?.[1] ?? '';
    expect(goalId).not.toBe('');
    const said =
      /ran slice \S+ but was rate-limited 6 times over 1\.0 s of waiting \(waiting again would pass agents\.rateLimitWait, 1\.0 s\), so its attempt 1 is not spent: API Error: 429 Too Many Requests/;
    expect(run.summary).toMatch(said);
    expect(run.summary).toContain(
      `rate limit resets, then command: execute with goal-id: ${goalId}; or raise agents.rateLimitWait in .omk/config.yml (it is 1.0 s).`,
    );
    expect(run.summary).not.toContain('cannot run here');
    expect(run.stdout).toMatch(said);
  }, 120_000);
});
