import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, type ActionRun, createActionEnv, errorLines } from './harness.js';

// A script agent that leaves trailing whitespace in the file agent-args names: the fixture's lint
// gate fails on it (it passes on the base), and its test still fails (as it does on the base).
const AGENT = '#!/bin/sh\nprintf "export const broken = 1;   \\n" >> "$1"\n';

let env: ActionEnv;
let run: ActionRun;

beforeAll(async () => {
  env = await createActionEnv({ executables: { 'tools/agent.sh': AGENT } });
  run = await env.run({
    goal: DEMO_GOAL,
    agent: 'script:./tools/agent.sh',
    'agent-args': 'src/math.js',
    policy: 'local',
  });
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('a run whose gates fail', () => {
  it('fails the step with the proof status', () => {
    expect(run.code, run.stdout.slice(-3000)).toBe(1);
    expect(run.outputs.status).toBe('failed');
    const failure = errorLines(run).find((line) => line.startsWith('::error::'));
    expect(failure).toMatch(/The proof of goal .+ failed/);
  });

  it("annotates the lines the failed slice's gate names, and warns for a failure the base has too", () => {
    const lines = run.stdout.split('\n');
    // Workflow command properties escape ':' as %3A.
    const lint = lines.filter((line) => line.startsWith('::error title=omk gate lint%3A failed,'));
    expect(lint.length).toBeGreaterThan(0);
    for (const line of lint) expect(line).toMatch(/,file=src\/math\.js,line=(\d+),endLine=\1::lint error$/);
    expect(lines.some((line) => line.startsWith('::warning title=omk gate test%3A pre-existing,'))).toBe(
      true,
    );
  });

  it('shows the failure and its evidence in the summary', () => {
    expect(run.summary).toContain('| Status | ❌ failed |');
    expect(run.summary).toContain('`slice_failed`');
    expect(run.summary).toMatch(/src\/math\.js:\d+: lint error/);
  });

  it("says in the progress what failed and what to do, in the workflow's words, with no path or command line", () => {
    const progress = run.summary.slice(run.summary.indexOf('**Progress**'), run.summary.indexOf('\n---\n'));
    expect(progress).toMatch(/- ❌ slice `s1-[^`]+` failed after \d+ attempts?/);
    expect(progress).toMatch(/\*\*What failed:\*\* slice\(s\) s1-\S+ did not pass their gates/);
    expect(progress).toContain(
      `**What to do:** Read the proof (command: status with goal-id: ${run.outputs['goal-id']})`,
    );
    expect(progress).not.toMatch(/\/tmp|\bat \S+ \(|\bgit (?:-c|push|fetch|clone|merge|worktree)\b|omk goal/);
  });
});
