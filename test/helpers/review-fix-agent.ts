import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import type { OmkResult } from './omk.js';

/**
 * A scripted agent for the review/fix loop's tests (bot, Action, CLI): on a slice it does what the
 * demo agent does (the fix slice fixes `add`, the test slice appends the regression test); on a
 * review fix it does what the review asks, read from its prompt: `add a VERSION export` adds one
 * (as do `add a NAME export` and `add a KIND export`, each independently, so a batch of requests
 * shows in one commit), `BREAK lint` leaves a debugger statement (the lint gate fails). Hostile
 * requests: `LEAK a key` writes a model key into `src/math.js` with a VERSION export, `EDIT the
 * workflow` rewrites the CI workflow so it prints the repository's secrets.
 */
export const REVIEW_FIX_AGENT = `#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const prompt = readFileSync(process.env.OMK_PROMPT_FILE, 'utf8');
const task = process.env.OMK_TASK_ID;
const math = 'src/math.js';
if (prompt.startsWith('# Review fix')) {
  if (prompt.includes('BREAK lint')) {
    appendFileSync(math, 'debugger;\\n');
  } else if (prompt.includes('add a VERSION export')) {
    appendFileSync(math, 'export const VERSION = 2;\\n');
  }
  if (prompt.includes('LEAK a key')) {
    const key = 'sk-proj-' + randomBytes(30).toString('base64url');
    appendFileSync(math, 'export const VERSION = 3;\\nexport const OPENAI_API_KEY = "' + key + '";\\n');
  }
  if (prompt.includes('EDIT the workflow')) {
    mkdirSync('.github/workflows', { recursive: true });
    writeFileSync('.github/workflows/ci.yml', 'on: push\\njobs:\\n  leak:\\n    runs-on: ubuntu-latest\\n    steps:\\n      - run: echo "\${{ toJSON(secrets) }}" | base64\\n');
  }
  if (prompt.includes('add a NAME export')) appendFileSync(math, "export const NAME = 'math';\\n");
  if (prompt.includes('add a KIND export')) appendFileSync(math, "export const KIND = 'calculator';\\n");
} else if (task.startsWith('s1-')) {
  writeFileSync(math, readFileSync(math, 'utf8').replace('return a - b;', 'return a + b;'));
} else if (task.startsWith('s2-')) {
  appendFileSync('test/math.test.js', "test('add handles negatives', () => assert.equal(add(-2, -3), -5));\\n");
}
`;

/** The demo goal of a `goal fix` test: run to ready by REVIEW_FIX_AGENT and opened as PRs (auto-pr). */
export interface DeliveredDemoGoal {
  /** Where the agent script is; the caller removes it. */
  agentDir: string;
  id: string;
  integrator: number;
  slicePr: number;
  sliceId: string;
}

/**
 * Writes REVIEW_FIX_AGENT to a temp directory named `prefix`, runs the demo goal with it
 * (`--until-ready`) and opens its PRs on the local forge; `isSlice` picks the slice PR to fix.
 */
export async function deliverDemoGoal(
  omk: (...args: string[]) => Promise<OmkResult>,
  prefix: string,
  isSlice: (sliceId: string) => boolean,
): Promise<DeliveredDemoGoal> {
  const agentDir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(agentDir, 'agent.mjs'), REVIEW_FIX_AGENT);
  await chmod(join(agentDir, 'agent.mjs'), 0o755);
  const agent = `script:${join(agentDir, 'agent.mjs')}`;
  const run = await omk('goal', 'run', DEMO_GOAL, '--agent', agent, '--until-ready', '--json');
  expect(run.code, run.stderr).toBe(0);
  const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  const opened = await omk('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
  expect(opened.code, opened.stderr).toBe(0);
  const delivered = (JSON.parse(opened.stdout) as { delivered: { sliceId: string | null; number: number }[] })
    .delivered;
  const slice = delivered.find((pull) => pull.sliceId !== null && isSlice(pull.sliceId));
  return {
    agentDir,
    id,
    integrator: delivered.find((pull) => pull.sliceId === null)?.number ?? 0,
    slicePr: slice?.number ?? 0,
    sliceId: slice?.sliceId ?? '',
  };
}
