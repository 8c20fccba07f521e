import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

/** Each slice alone adds one TODO; merged, the project has two and this test fails. */
const TODO_TEST = [
  "import assert from 'node:assert/strict';",
  "import { readFileSync } from 'node:fs';",
  "import { test } from 'node:test';",
  "const todos = ['README.md', 'src/math.js']",
  "  .map((file) => readFileSync(file, 'utf8').split('TODO').length - 1)",
  '  .reduce((a, b) => a + b, 0);',
  "test('at most one TODO in the project', () => assert.ok(todos <= 1, todos + ' TODOs in the project'));",
  '',
].join('\n');

/**
 * The README slice adds a TODO, the math slice adds one too and fixes `add` only once its prompt
 * says the integrated tree is not ready (its first attempt leaves the goal's target test failing,
 * as it fails on the base). The integration fixer turns the README's TODO into prose only when
 * its prompt carries the failing evidence and names both slices, so a repair without them leaves
 * the merged tree failing.
 */
const AGENT = `#!/usr/bin/env node
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const prompt = readFileSync(process.env.OMK_PROMPT_FILE, 'utf8');
const task = process.env.OMK_TASK_ID;
const math = 'src/math.js';
if (task === 'integration') {
  if (prompt.includes('2 TODOs in the project') && prompt.includes('s1-update-readme-md') && prompt.includes('s2-fix-the-bug-in-src-math-js')) {
    writeFileSync('README.md', readFileSync('README.md', 'utf8').replace('TODO: document add\\n', 'add sums its arguments.\\n'));
  }
} else if (task.startsWith('s1-')) {
  appendFileSync('README.md', 'TODO: document add\\n');
} else if (task.startsWith('s2-')) {
  const fixed = prompt.includes('the integrated tree is not ready');
  const source = readFileSync(math, 'utf8');
  writeFileSync(math, (fixed ? source.replace('return a - b;', 'return a + b;') : source) + '// TODO: make it faster\\n');
}
`;

let env: ActionEnv;

beforeAll(async () => {
  env = await createActionEnv({
    files: { ...NO_CI_CONFIG, 'test/todo.test.js': TODO_TEST },
    executables: { 'agent.mjs': AGENT },
  });
});
afterAll(async () => {
  await env.cleanup();
});

/** A separate job: its own checkout of the repository and its own RUNNER_TEMP. */
const job = (inputs: Record<string, string>) => separateJob(env, inputs);

describe('fan-out: two slices that pass alone but break a shared test together', () => {
  it('the integrate job repairs the merged tree and reruns in place the slices whose oracle does not hold, then the goal is ready', async () => {
    const agent = 'script:./agent.mjs';
    const plan = await job({
      command: 'plan',
      goal: 'update README.md and fix the bug in src/math.js',
      agent,
      policy: 'auto-pr',
      'merge-policy': 'gated',
    });
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    const goalId = plan.outputs['goal-id'] ?? '';
    const slices = JSON.parse(plan.outputs.slices ?? '[]') as { slice: string; wave: number }[];
    expect(slices.map(({ slice, wave }) => ({ slice, wave }))).toEqual([
      { slice: 's1-update-readme-md', wave: 0 },
      { slice: 's2-fix-the-bug-in-src-math-js', wave: 0 },
    ]);

    for (const { slice } of slices) {
      const run = await job({ command: 'execute', 'goal-id': goalId, slice, agent });
      expect(run.code, run.stdout.slice(-3000)).toBe(0);
    }

    const integrate = await job({ command: 'integrate', 'goal-id': goalId, agent });
    expect(integrate.code, integrate.stdout.slice(-3000)).toBe(0);
    expect(integrate.stdout).toContain('[integration]');
    expect(integrate.stdout).toContain('repaired on attempt 1');
    // The target test still failed on the repaired tree (the math slice's first attempt did not
    // fix add): the integrate job reran both slices here, within their round, then repaired again.
    expect(integrate.stdout).toContain(
      'the integrated tree is not ready (test:pre_existing); retrying the slice',
    );
    expect(integrate.stdout).toContain('repaired on attempt 2');
    expect(integrate.outputs.status).toBe('ready');
    expect(integrate.outputs.merged).toBe('true');
    const main = git(env.repo.origin, 'rev-parse', 'refs/heads/main').trim();
    const proof = JSON.parse(integrate.outputs['proof-json'] ?? '{}') as {
      agentRuns: { taskId: string; attempt: number }[];
      git: { headSha: string };
    };
    const runs = proof.agentRuns.map((run) => `${run.taskId}#${run.attempt}`);
    expect(runs.slice(0, 3)).toEqual([
      's1-update-readme-md#1',
      's2-fix-the-bug-in-src-math-js#1',
      'integration#1',
    ]);
    expect(runs.slice(3, 5).sort()).toEqual(['s1-update-readme-md#2', 's2-fix-the-bug-in-src-math-js#2']);
    expect(runs.slice(5)).toEqual(['integration#2']);
    // The rerun slice's branch holds one commit (its final state), published from the integrate job.
    const base = git(env.repo.origin, 'rev-parse', `${main}^1`).trim();
    expect(
      git(
        env.repo.origin,
        'rev-list',
        '--count',
        `${base}..refs/heads/omk/${goalId}/s2-fix-the-bug-in-src-math-js`,
      ).trim(),
    ).toBe('1');
    // The repair commit sits on the merged slices and is what main now holds.
    expect(git(env.repo.origin, 'log', '--format=%s', '-1', `${main}^2`).trim()).toBe(
      `omk(${goalId}): integration repair 2`,
    );
    const readme = git(env.repo.origin, 'show', `${main}:README.md`);
    expect(readme).toContain('add sums its arguments.');
    expect(readme).not.toContain('TODO');
    expect(git(env.repo.origin, 'show', `${main}:src/math.js`)).toContain('return a + b;');
    env.server.assertClean();
  }, 240_000);
});
