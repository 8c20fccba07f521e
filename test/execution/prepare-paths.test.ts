import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { touchWrites } from '../helpers/agents.js';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  fixTheParser,
  GOALS,
} from '../helpers/execution.js';

/**
 * A worktree whose install fails stops the run; the operator's terminal may name the machine's
 * directories, but what omk stores and publishes about the goal (proof.json, failure.json, the
 * Markdown proof a PR body is made of) names none: paths there are relative to the goal directory
 * or the repository.
 */
let env: ExecutionEnv;
afterEach(async () => {
  await env.cleanup();
});

/** A setup command that fails, printing where it ran, in the worktrees whose path contains `where`. */
const config = (where: string) =>
  [
    'version: 1',
    'workspace:',
    '  setup:',
    `    - ${JSON.stringify([
      'node',
      '-e',
      `if (process.cwd().includes(${JSON.stringify(where)})) { console.error('install broke in ' + process.cwd()); process.exit(4) }`,
    ])}`,
    '',
  ].join('\n');

async function failingInstall(where: string) {
  env = await createExecutionEnv({ ...BUGGY_FIXTURE, '.omk/config.yml': config(where) });
  const agent = await env.kit.script('agent', `${touchWrites}\n${fixTheParser}`);
  const run = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json');
  const [id = ''] = await readdir(join(env.stateDir, 'goals'));
  // Cancelled, the goal writes failure.json and settles its proof.
  const cancel = await env.omk('goal', 'cancel', id);
  const stored = await Promise.all(
    ['proof.json', 'failure.json'].map((name) => readFile(join(env.goalDir(id), name), 'utf8')),
  );
  const markdown = await env.omk('goal', 'proof', id, '--format', 'md');
  const text = await env.omk('goal', 'proof', id);
  return { run, cancel, id, published: [...stored, markdown.stdout, text.stdout].join('\n') };
}

function expectNoMachinePaths(published: string) {
  for (const root of [env.stateDir, env.repo.root, tmpdir()]) expect(published).not.toContain(root);
}

describe('an install that fails', () => {
  it.each([
    ['in the base worktree', ''],
    ['in the slice worktree only', 's1-'],
  ])(
    '%s: the terminal may name the log by its path; proof.json, failure.json and the proofs do not',
    async (_, where) => {
      const { run, cancel, id, published } = await failingInstall(where);
      expect(run.code).toBe(6);
      expect(run.stderr).toContain('install broke in');
      // The operator's terminal names the worktree and the log where they are on this machine.
      expect(run.stderr).toContain(`The worktree is ${env.stateDir}/worktrees/`);
      expect(run.stderr).toContain(`the full output is in ${env.stateDir}/goals/${id}/artifacts/prepare/`);
      expect(cancel.code, cancel.stderr).toBe(0);
      console.log(published);
      expectNoMachinePaths(published);
    },
    120_000,
  );
});
