import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG } from './harness.js';

// The allow-gate-edits and allow-workflow-edits inputs reach the goal: it is recorded in goal.json's options when the goal
// is created, before any agent runs, where the controller reads it (docs/cli.md "Edited gate
// commands"; the CLI's test/cli/gate-edit-intent.test.ts runs the whole path).

const AGENT = `#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync('src/math.js', readFileSync('src/math.js', 'utf8').replace('return a - b;', 'return a + b;'));
`;

let env: ActionEnv;
beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG, executables: { 'agent.mjs': AGENT } });
});
afterAll(async () => {
  await env.cleanup();
});

interface Intents {
  allowGateEdits: boolean;
  allowWorkflowEdits: boolean;
}

function recordedOptions(goalId: string): Intents {
  const text = git(env.repo.origin, 'show', `refs/heads/omk/state:goals/${goalId}/goal.json`);
  return (JSON.parse(text) as { options: Intents }).options;
}

describe('allow-gate-edits and allow-workflow-edits', () => {
  it('are recorded on the goal when given, each on its own, and off by default', async () => {
    // A plan step creates the goal and saves it, as a run step would, without running an agent.
    const inputs = {
      command: 'plan',
      goal: 'fix the bug in add in src/math.js',
      agent: 'script:./agent.mjs',
      'llm-planner': 'false',
    };
    const declared = await env.run({ ...inputs, 'allow-gate-edits': 'true' }, { GITHUB_RUN_ID: '7301' });
    expect(declared.code, declared.stdout.slice(-3000)).toBe(0);
    expect(recordedOptions(declared.outputs['goal-id'] ?? '')).toEqual(
      expect.objectContaining({ allowGateEdits: true, allowWorkflowEdits: false }),
    );
    const workflows = await env.run({ ...inputs, 'allow-workflow-edits': 'true' }, { GITHUB_RUN_ID: '7303' });
    expect(workflows.code, workflows.stdout.slice(-3000)).toBe(0);
    expect(recordedOptions(workflows.outputs['goal-id'] ?? '')).toEqual(
      expect.objectContaining({ allowGateEdits: false, allowWorkflowEdits: true }),
    );
    const plain = await env.run(inputs, { GITHUB_RUN_ID: '7302' });
    expect(plain.code, plain.stdout.slice(-3000)).toBe(0);
    expect(recordedOptions(plain.outputs['goal-id'] ?? '')).toEqual(
      expect.objectContaining({ allowGateEdits: false, allowWorkflowEdits: false }),
    );
  }, 180_000);
});
