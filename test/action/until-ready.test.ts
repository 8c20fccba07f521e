import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, errorLines, NO_CI_CONFIG } from './harness.js';

// The until-ready input: by default (action.yml's 'true') a run retries a slice until its checks
// hold, as every run did before the input existed; `until-ready: false` runs a single pass, one
// attempt per slice, and records that on the goal so a later execute step gives one more attempt.

/**
 * Its first attempt fixes `add` but breaks `multiply` (a newly failing test, so the slice's own
 * gates fail); its second fixes `add` alone. Only a slice that is retried comes out done.
 */
const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
const math = 'src/math.js';
let source = readFileSync(math, 'utf8').replace('return a - b;', 'return a + b;');
if (process.env.OMK_ATTEMPT === '1') source = source.replace('return a * b;', 'return a * b + 1;');
writeFileSync(math, source);
`;

const GOAL = 'fix the bug in add in src/math.js';
const AGENT_INPUTS = { goal: GOAL, agent: 'script:./agent.mjs', 'llm-planner': 'false' };

let env: ActionEnv;
beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG, executables: { 'agent.mjs': AGENT } });
});
afterAll(async () => {
  await env.cleanup();
});

/** A step of its own workflow run (the goal id derives from the run, so each run creates a goal). */
const inRun = (runId: string, inputs: Record<string, string>) => env.run(inputs, { GITHUB_RUN_ID: runId });

function attemptsOf(run: ActionRun): string[] {
  const proof = JSON.parse(run.outputs['proof-json'] ?? '{}') as {
    agentRuns?: { taskId: string; attempt: number }[];
  };
  return (proof.agentRuns ?? []).map((agentRun) => `${agentRun.taskId}#${agentRun.attempt}`);
}

/** The goal's options as the run recorded them on the state branch. */
function recordedOptions(goalId: string): { untilReady: boolean } {
  const text = git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/goal.json`);
  return (JSON.parse(text) as { options: { untilReady: boolean } }).options;
}

describe('until-ready', () => {
  it('by default a run retries the slice until its checks hold, and the goal is ready', async () => {
    const run = await inRun('7101', AGENT_INPUTS);
    expect(run.code, run.stdout.slice(-3000)).toBe(0);
    expect(run.outputs.status).toBe('ready');
    const attempts = attemptsOf(run);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toMatch(/#2$/);
    expect(recordedOptions(run.outputs['goal-id'] ?? '')).toMatchObject({ untilReady: true });
  }, 180_000);

  it('until-ready: false runs one attempt per slice; a later execute step gives it one more', async () => {
    const run = await inRun('7102', { ...AGENT_INPUTS, 'until-ready': 'false' });
    expect(run.code, run.stdout.slice(-3000)).toBe(1);
    expect(run.outputs.status).toBe('not_ready');
    expect(attemptsOf(run)).toHaveLength(1);
    expect(run.stdout).toContain('the slice stays pending');
    const goalId = run.outputs['goal-id'] ?? '';
    expect(recordedOptions(goalId)).toMatchObject({ untilReady: false });

    const next = await inRun('7102', { command: 'execute', 'goal-id': goalId, agent: 'script:./agent.mjs' });
    expect(next.code, next.stdout.slice(-3000)).toBe(0);
    expect(next.outputs.status).toBe('ready');
    expect(attemptsOf(next)).toHaveLength(2);
  }, 240_000);

  // The runner trims this input (core.ts), so a line break alone is left empty: src/action/inputs.test.ts.
  it.each(['maybe', 'yes'])('until-ready: %j is refused by name with an example', async (value) => {
    const stateHead = git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state').trim();
    const run = await inRun('7103', { ...AGENT_INPUTS, 'until-ready': value });
    expect(run.code, run.stdout).toBe(1);
    const errors = errorLines(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`until-ready: '${value}' is not a boolean: use true or false`);
    expect(errors[0]).toContain('Example: until-ready: false');
    expect(run.outputs).toEqual({});
    // Refused before anything: no goal is saved.
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/omk/state').trim()).toBe(stateHead);
  });
});
