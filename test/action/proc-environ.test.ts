import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { environReaderAgent, reversed } from '../helpers/environ-reader.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, TOKEN } from './harness.js';
import { leaksOf, secretForms } from './secrets.js';

// An unsandboxed agent runs as omk's user, and /proc/<pid>/environ of a process of the same user is
// readable (PTRACE_MODE_READ, which Yama's ptrace_scope 1 does not restrict): it shows the block the
// process was started with, whatever the process later deleted from process.env. This agent walks up
// its ancestors (the Action's node process among them; other tests' Actions hold the same canary, so
// it does not scan every process) and writes every token variable it finds, reversed, to a file
// outside the worktree: what it could send anywhere, past the transcript scrub.
const agent = (out: string) =>
  environReaderAgent(out, {
    marker: 'RUNNER_TEMP',
    names: ['INPUT_GITHUB-TOKEN', 'INPUT_CI-TOKEN', 'GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN'],
    edit: `printf "\\n// touched\\n" >> "$1"`,
  });

let out: string;
let env: ActionEnv;
let run: ActionRun;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'omk-proc-environ-'));
  env = await createActionEnv({ executables: { 'tools/agent.sh': agent(out) }, files: NO_CI_CONFIG });
  run = await env.run(
    {
      goal: DEMO_GOAL,
      agent: 'script:./tools/agent.sh',
      'agent-args': 'src/math.js',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      'ci-token': `${TOKEN}ci`,
    },
    { GITHUB_TOKEN: TOKEN, ACTIONS_RUNTIME_TOKEN: `${TOKEN}rt` },
  );
}, 180_000);
afterAll(async () => {
  await env.cleanup();
  await rm(out, { recursive: true, force: true });
});

describe("the Action's own /proc/<pid>/environ, read by an unsandboxed agent", () => {
  it('was readable: the agent ran and read the environment of the Action it runs under', async () => {
    expect(run.stdout).toContain('::add-mask::');
    expect(leaksOf(run, secretForms(TOKEN))).toEqual([]);
    const ancestors = (await readFile(join(out, 'ancestors'), 'utf8')).split('\n').filter(Boolean);
    expect(ancestors, 'no ancestor environment read').toContain('1');
  });

  it('holds no token: every token variable of the block is overwritten', async () => {
    const found = (await readFile(join(out, 'found'), 'utf8')).split('\n').filter(Boolean).map(reversed);
    // The variables are there (the block keeps its layout), their values are not.
    expect(found.map((line) => line.split('=')[0])).toContain('INPUT_GITHUB-TOKEN');
    expect(found.filter((line) => line.includes('actionCanary'))).toEqual([]);
  });
});
