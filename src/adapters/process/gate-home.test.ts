import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessSpec } from '../../runtime/ports.js';
import { toolchainEnv, withOwnHome } from './gate-home.js';
import { runProcess } from './run-process.js';

let dir: string;
let home: string;
let temp: string;
let worktree: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-gate-home-'));
  home = join(dir, 'home');
  temp = join(dir, 'tmp');
  worktree = join(dir, 'worktree');
  for (const path of [home, temp, worktree]) await mkdir(path);
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = The User\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A gate's spec: the user's HOME in its environment, as the gates' allowlist passes it. */
const gate = (script: string, ownHome: boolean): ProcessSpec => ({
  argv: ['sh', '-c', script],
  cwd: worktree,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: temp },
  timeoutMs: 60_000,
  ownHome,
});

/** What a gate (the agent's test code) might do to make the user's next git or npm run its code. */
const WRITES_HOME = [
  'git config --global core.hooksPath /tmp/evil',
  'echo "//registry.example/:_authToken=stolen" >> ~/.npmrc',
  'mkdir -p ~/.config/git && echo "[core] pager = evil" > ~/.config/git/config',
  'echo "$HOME"',
].join(' && ');

describe('a gate run with a HOME of its own', () => {
  it("writes ~/.gitconfig, ~/.npmrc and ~/.config there: the user's HOME is as it was, the gate's removed after", async () => {
    const result = await withOwnHome(runProcess)(gate(WRITES_HOME, true));
    expect(result.exitCode, result.tail).toBe(0);
    const gateHome = result.stdout.trim();
    expect(gateHome).not.toBe(home);
    expect(gateHome.startsWith(temp)).toBe(true);
    expect(await readdir(home)).toEqual(['.gitconfig']);
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toBe('[user]\n\tname = The User\n');
    await expect(readdir(gateHome)).rejects.toThrow();
  });

  it('asked for the user\'s HOME (gates.home: user), writes there: what "own" keeps away', async () => {
    const result = await withOwnHome(runProcess)(gate(WRITES_HOME, false));
    expect(result.exitCode, result.tail).toBe(0);
    expect(result.stdout.trim()).toBe(home);
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toContain('hooksPath = /tmp/evil');
    expect(await readFile(join(home, '.npmrc'), 'utf8')).toContain('stolen');
  });

  it("still finds the user's toolchains and caches by the variables that name them", async () => {
    await mkdir(join(home, '.cache'));
    await mkdir(join(home, 'go'));
    await mkdir(join(home, '.npm'));
    const result = await withOwnHome(runProcess)(
      gate('echo "$XDG_CACHE_HOME|$GOPATH|$npm_config_cache|$XDG_CONFIG_HOME"', true),
    );
    const [cache, gopath, npm, config] = result.stdout.trim().split('|');
    expect([cache, gopath, npm]).toEqual([join(home, '.cache'), join(home, 'go'), join(home, '.npm')]);
    expect(config?.startsWith(temp)).toBe(true);
  });
});

describe('the toolchain variables', () => {
  it('name the directories the user has, and keep what the user set', async () => {
    await mkdir(join(home, '.rustup'));
    await mkdir(join(home, '.cargo'));
    await mkdir(join(home, '.local'));
    expect(await toolchainEnv({ HOME: home, CARGO_HOME: '/opt/cargo' })).toEqual({
      RUSTUP_HOME: join(home, '.rustup'),
      PYTHONUSERBASE: join(home, '.local'),
    });
    expect(await toolchainEnv({})).toEqual({});
  });
});
