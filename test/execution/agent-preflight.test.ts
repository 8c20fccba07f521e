import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOALS, NODE_FIXTURE } from '../helpers/execution.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk } from '../helpers/omk.js';

// The preset preflight as a new user meets it: `omk goal run … --agent codex` with the codex CLI
// on PATH but no login (an empty HOME, no key variable). Codex itself would retry its provider for
// minutes; omk stops before a goal exists, naming what is missing and how to provide it.

let repo: TempRepo;
let dir: string;
let home: string;
let bin: string;

beforeEach(async () => {
  repo = await createTempRepo({ ...NODE_FIXTURE });
  dir = await mkdtemp(join(tmpdir(), 'omk-preflight-'));
  home = join(dir, 'home');
  bin = join(dir, 'bin');
  await mkdir(home);
  await mkdir(bin);
  // A codex that records that it was started, then refuses an argument as codex 0.171 does.
  await writeFile(
    join(bin, 'codex'),
    `#!${process.execPath}
require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'started'))}, process.argv.slice(2).join(' '));
console.error("error: unexpected argument '--made-up' found");
process.exit(2);
`,
  );
  await chmod(join(bin, 'codex'), 0o755);
});

afterEach(async () => {
  await repo.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function run(env: Record<string, string> = {}) {
  return runOmk(['goal', 'run', GOALS.single, '--agent', 'codex', '--no-llm-planner'], {
    cwd: repo.root,
    stateDir: join(dir, 'state'),
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home, ...env },
  });
}

describe('preflight of a preset that needs a login', () => {
  it('codex without a key or login: exit 6 before any goal or agent, naming the variables and `codex login`', async () => {
    const result = await run();
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain(
      'The agent codex (codex CLI) cannot run here: it has no credentials (none of OPENAI_API_KEY, CODEX_API_KEY is set and there is no ~/.codex/auth.json or ~/.codex/config.toml), so nothing was started.',
    );
    expect(result.stderr).toContain(
      'Run `codex login` once in a terminal, or set OPENAI_API_KEY or CODEX_API_KEY; then run the same command again.',
    );
    expect(existsSync(join(dir, 'started'))).toBe(false);
    await expect(readdir(join(dir, 'state', 'goals'))).rejects.toThrow();
  });

  it.each([
    [
      'a login file',
      async () => {
        await mkdir(join(home, '.codex'));
        await writeFile(join(home, '.codex', 'auth.json'), '{}\n');
        return {};
      },
    ],
    ['a key variable', async () => ({ CODEX_API_KEY: 'sk-test-not-a-real-key' })],
  ])('codex with %s passes the preflight and is started', async (_, given) => {
    const result = await run(await given());
    expect(existsSync(join(dir, 'started')), result.stderr).toBe(true);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain("was not attempted: error: unexpected argument '--made-up' found");
  });
});
