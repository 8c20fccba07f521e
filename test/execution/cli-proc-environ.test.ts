import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environReaderAgent, reversed } from '../helpers/environ-reader.js';
import { createExecutionEnv, type ExecutionEnv, GOALS } from '../helpers/execution.js';
import type { OmkResult } from '../helpers/omk.js';

// `GITHUB_TOKEN=… omk goal run …`: an unsandboxed agent runs as the user, and /proc/<pid>/environ
// of a process of the same user is readable (PTRACE_MODE_READ, which Yama's ptrace_scope 1 does not
// restrict). It shows the block the process was started with, whatever the process later did to
// process.env. This agent walks up its ancestors (the CLI's node process among them) and writes
// every token variable it finds, reversed, to a file outside the worktree: what it could send
// anywhere, past the transcript scrub. test/action/proc-environ.test.ts does the same for the Action.
const TOKEN = `ghp_${'cliCanary7Q'.repeat(3)}`;
const KEY = `sk-ant-${'cliCanary3W'.repeat(3)}`;

const agent = (out: string) =>
  environReaderAgent(out, {
    marker: 'OMK_STATE_DIR',
    names: ['GITHUB_TOKEN', 'ANTHROPIC_API_KEY'],
    edit: `printf '\\n// a harmless edit\\n' >> src/parser.js`,
  });

let out: string;
let env: ExecutionEnv;
let result: OmkResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'omk-cli-environ-'));
  env = await createExecutionEnv(undefined, { env: { GITHUB_TOKEN: TOKEN, ANTHROPIC_API_KEY: KEY } });
  const script = join(env.kit.dir, 'environ.sh');
  await writeFile(script, agent(out));
  await chmod(script, 0o755);
  result = await env.omk(
    'goal',
    'run',
    GOALS.single,
    '--agent',
    `script:${script}`,
    '--sandbox',
    'off',
    '--forge',
    'local',
    '--json',
  );
}, 180_000);
afterAll(async () => {
  await env.cleanup();
  await rm(out, { recursive: true, force: true });
});

describe("the CLI's own /proc/<pid>/environ, read by an unsandboxed agent", () => {
  it('was readable: the agent ran and read the environment of the CLI it runs under', async () => {
    expect(result.code, result.stderr).toBe(0);
    // --json stdout is one JSON document, with no warning in it; and stderr has none either.
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).not.toContain('environment');
    const ancestors = (await readFile(join(out, 'ancestors'), 'utf8')).split('\n').filter(Boolean);
    expect(ancestors, 'no ancestor environment read').toContain('1');
  });

  it('holds no token: the token variables are in the block, their values overwritten with *', async () => {
    const found = (await readFile(join(out, 'found'), 'utf8')).split('\n').filter(Boolean).map(reversed);
    // The CLI's block keeps its layout: the variables are there, each value as many `*`s.
    expect(found).toContain(`GITHUB_TOKEN=${'*'.repeat(TOKEN.length)}`);
    expect(found).toContain(`ANTHROPIC_API_KEY=${'*'.repeat(KEY.length)}`);
    expect(found.filter((line) => line.includes('cliCanary'))).toEqual([]);
  });
});
