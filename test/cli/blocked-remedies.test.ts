import { describe, expect, it } from 'vitest';
import { BUGGY_FIXTURE, fixTheParser, GOALS, useExecutionEnv } from '../helpers/execution.js';
import { goalDirShellAgent } from '../helpers/state-writer-agent.js';

// What a user reads when a security check blocks a slice: what happened, and a step that works.

const env = useExecutionEnv(BUGGY_FIXTURE);

describe('a slice blocked by a security finding', () => {
  it("an edited test script: the run's line names the finding, not a bare 'blocking problems:'", async () => {
    const agent = await env.kit.script(
      'test-script-editor',
      `write('package.json', read('package.json').replace('node --test test/', 'node --test test/parser.test.js'));
${fixTheParser}`,
    );
    const id = await env.plan(GOALS.single, '--agent', agent);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, 'package.json'] })),
    }));
    const run = await env.omk('goal', 'execute', id);
    expect(run.stderr).toMatch(
      /attempt 1 failed; the slice stays pending with 2 attempt\(s\) left: review found blocking problems: \[controller review\] The change edits "package\.json scripts\.test", which decides what the "test" gate ran/,
    );
    expect(run.stderr).not.toMatch(/blocking problems:\n/);
    expect(run.stderr).toContain(`Run again with 'omk goal resume ${id}' to give it its next attempt.`);
  }, 120_000);

  it('state_tampered: the gap says the goal cannot become ready and how to go on', async () => {
    const agent = await goalDirShellAgent(
      env,
      'state-writer',
      // After omk's own writes for the agent's start have landed (under load they lag): a write of
      // omk's that lands after this one puts its own copy back, and nothing is left to name.
      `sleep 2\nsed -i '1s/^{/{"forged":true,/' "$goal/execution.json"`,
    );
    const run = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'off');
    expect(run.stdout).toMatch(
      /^gap state_tampered: execution\.json of this goal was changed .* Nothing this run made can be trusted\. This goal cannot become ready\. Find what wrote it \(an agent run outside the sandbox can\), then start a new goal \('omk goal run "<goal>"'\)\.$/m,
    );
  }, 120_000);
});
