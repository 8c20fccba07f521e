import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG, separateJob } from './harness.js';

/**
 * Both slices rewrite the README's title (the math slice also fixes `add`): each passes alone,
 * their merge conflicts. The integration fixer resolves the conflict only when its prompt says a
 * merge is in progress and names the conflicting path, and it logs what it found in the worktree.
 */
const agentScript = (log: string) => `#!/usr/bin/env node
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const prompt = readFileSync(process.env.OMK_PROMPT_FILE, 'utf8');
const task = process.env.OMK_TASK_ID;
const math = 'src/math.js';
if (task === 'integration') {
  appendFileSync(${JSON.stringify(log)}, JSON.stringify({ prompt, readme: readFileSync('README.md', 'utf8') }) + '\\n');
  if (prompt.includes('## A merge is in progress') && prompt.includes('- README.md')) {
    writeFileSync('README.md', '# widgets: documented, add fixed\\n');
  }
} else if (task.startsWith('s1-')) {
  writeFileSync('README.md', '# widgets: documented\\n');
} else if (task.startsWith('s2-')) {
  writeFileSync(math, readFileSync(math, 'utf8').replace('return a - b;', 'return a + b;'));
  writeFileSync('README.md', '# widgets: add fixed\\n');
}
`;

let env: ActionEnv;
let logDir: string;
let fixerLog: string;

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'omk-fixer-log-'));
  fixerLog = join(logDir, 'fixer.jsonl');
  env = await createActionEnv({ files: NO_CI_CONFIG, executables: { 'agent.mjs': agentScript(fixerLog) } });
});
afterAll(async () => {
  await env.cleanup();
  await rm(logDir, { recursive: true, force: true });
});

/** A separate job: its own checkout of the repository and its own RUNNER_TEMP. */
const job = (inputs: Record<string, string>) => separateJob(env, inputs);

/**
 * The plan edited by hand on the state branch, as a maintainer may: the math slice may write the
 * README too (the planner never plans two unordered slices writing one file).
 */
async function letMathSliceWriteReadme(goalId: string, slice: string): Promise<void> {
  const dir = await mkdtemp(join(env.runnerTemp, 'state-'));
  execFileSync('git', ['clone', '--quiet', '--branch', 'omk/state', env.repo.origin, dir]);
  const path = join(dir, 'goals', goalId, 'task-graph.json');
  const graph = JSON.parse(await readFile(path, 'utf8')) as { tasks: { id: string; writes: string[] }[] };
  for (const task of graph.tasks) if (task.id === slice) task.writes.push('README.md');
  await writeFile(path, `${JSON.stringify(graph, null, 2)}\n`);
  for (const args of [
    [
      '-c',
      'user.name=maintainer',
      '-c',
      'user.email=m@example.com',
      'commit',
      '--quiet',
      '-am',
      'plan: s2 writes README',
    ],
    ['push', '--quiet', 'origin', 'omk/state'],
  ]) {
    execFileSync('git', args, { cwd: dir });
  }
}

describe('fan-out: two slice jobs whose branches conflict on integration', () => {
  it('the integrate job runs the integration-fix task on the conflict, then the goal is ready and merged', async () => {
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
    await letMathSliceWriteReadme(goalId, 's2-fix-the-bug-in-src-math-js');

    for (const { slice } of slices) {
      const run = await job({ command: 'execute', 'goal-id': goalId, slice, agent });
      expect(run.code, run.stdout.slice(-3000)).toBe(0);
    }

    const integrate = await job({ command: 'integrate', 'goal-id': goalId, agent });
    expect(integrate.code, integrate.stdout.slice(-3000)).toBe(0);
    expect(integrate.stdout).toContain('[integration]');
    expect(integrate.stdout).toContain('merge conflict');
    expect(integrate.stdout).toContain('repaired on attempt 1');
    expect(integrate.outputs.status).toBe('ready');
    expect(integrate.outputs.merged).toBe('true');

    // The fixer found the merge left in progress, with its markers, and was told so.
    const calls = (await readFile(fixerLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { prompt: string; readme: string });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.readme).toContain('<<<<<<<');
    expect(calls[0]?.prompt).toContain('## A merge is in progress');

    const proof = JSON.parse(integrate.outputs['proof-json'] ?? '{}') as {
      agentRuns: { taskId: string; attempt: number }[];
      knownGaps: unknown[];
    };
    expect(proof.agentRuns.map((run) => `${run.taskId}#${run.attempt}`)).toEqual([
      's1-update-readme-md#1',
      's2-fix-the-bug-in-src-math-js#1',
      'integration#1',
    ]);
    expect(proof.knownGaps).toEqual([]);
    // main holds both slices and the resolution.
    const main = git(env.repo.origin, 'rev-parse', 'refs/heads/main').trim();
    expect(git(env.repo.origin, 'show', `${main}:README.md`)).toBe('# widgets: documented, add fixed');
    expect(git(env.repo.origin, 'show', `${main}:src/math.js`)).toContain('return a + b;');
    for (const slice of slices) {
      expect(
        git(env.repo.origin, 'merge-base', '--is-ancestor', `refs/heads/omk/${goalId}/${slice.slice}`, main),
      ).toBe('');
    }
    env.server.assertClean();
  }, 240_000);
});
