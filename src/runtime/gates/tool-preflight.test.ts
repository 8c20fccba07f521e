import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createDetectContext } from './detector.js';
import type { GateSpec } from './port.js';
import { missingRequiredTool, ownInstallOf } from './tool-preflight.js';

let root: string;
let bin: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-preflight-'));
  bin = join(root, 'host-bin');
  await mkdir(bin);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function executable(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
}

function gate(name: string, argv: string[], required = true): GateSpec {
  return { name, kind: name, argv, required, timeoutMs: 1000, source: 'test' };
}

describe('missingRequiredTool', () => {
  it('names the first required gate whose executable is on no PATH directory', async () => {
    await executable(join(bin, 'pytest-like'));
    const gates = [
      gate('test', ['pytest-like']),
      gate('style', ['omk-no-such-linter-7f3a'], false),
      gate('lint', ['omk-no-such-ruff-7f3a', 'check', '.']),
    ];
    expect(await missingRequiredTool(gates, { root, scripts: null }, { PATH: bin })).toEqual({
      gate: 'lint',
      tool: 'omk-no-such-ruff-7f3a',
      where: "is not on the gates' PATH",
    });
  });

  it("finds a tool in the checkout's virtualenv, and a path in the checkout", async () => {
    await executable(join(root, '.venv', 'bin', 'ruff'));
    await executable(join(root, 'scripts', 'check'));
    const gates = [gate('lint', ['ruff', 'check', '.']), gate('test', ['./scripts/check'])];
    expect(await missingRequiredTool(gates, { root, scripts: null }, { PATH: bin })).toBeNull();
    expect(
      await missingRequiredTool(
        [gate('test', ['./scripts/nothing'])],
        { root, scripts: null },
        { PATH: bin },
      ),
    ).toEqual({
      gate: 'test',
      tool: 'nothing',
      where: 'is missing or not executable in the checkout',
    });
  });

  it("looks through a package script to its tool, blamed only when the run uses the checkout's node_modules", async () => {
    await executable(join(bin, 'npm'));
    await executable(join(root, 'node_modules', '.bin', 'eslint'));
    const scripts = { lint: 'eslint .', format: 'prettier --check .' };
    const gates = [gate('lint', ['npm', 'run', 'lint']), gate('format', ['npm', 'run', 'format'])];
    expect(await missingRequiredTool(gates, { root, scripts }, { PATH: bin })).toEqual({
      gate: 'format',
      tool: 'prettier',
      where: "(the first command of scripts.format) is neither in node_modules/.bin nor on the gates' PATH",
    });
    // The run installs its own node_modules in each worktree: what it lacks here is no sign.
    const ownInstall = 'package.json differs from the base commit, so the run installs the dependencies';
    expect(
      await missingRequiredTool(gates, { root, scripts, ownInstall: async () => ownInstall }, { PATH: bin }),
    ).toBeNull();
    // An optional gate is never the preflight's.
    const optional = [gate('format', ['npm', 'run', 'format'], false)];
    expect(await missingRequiredTool(optional, { root, scripts }, { PATH: bin })).toBeNull();
  });
});

describe('missingRequiredTool: what a found tool still lacks (toolchain-requirements.ts, as omk doctor asks)', () => {
  it("names a go too old for the base's go.mod, pytest or a pytest plugin the gates' python lacks", async () => {
    await executable(join(bin, 'go'));
    await executable(join(bin, 'python3'));
    const files: Record<string, string> = {
      'go.mod': 'module m\n\ngo 1.99.0\n',
      'pyproject.toml': '[tool.pytest.ini_options]\naddopts = "-n auto"\n',
    };
    const toolchain = {
      readFile: async (path: string) => files[path] ?? null,
      goVersion: async () => 'go version go1.22.0 linux/amd64\n',
      missingPythonModules: async (_python: string, modules: readonly string[]) => [...modules],
    };
    const go = await missingRequiredTool(
      [gate('test', ['go', 'test', './...'])],
      { root, scripts: null },
      { PATH: bin },
      toolchain,
    );
    expect(go).toEqual({
      gate: 'test',
      tool: 'go',
      where: 'cannot start it: go: go.mod requires go >= 1.99.0, this go is 1.22.0',
    });
    const pytest = await missingRequiredTool(
      [gate('test', ['python3', '-m', 'pytest'])],
      { root, scripts: null },
      { PATH: bin },
      toolchain,
    );
    // A python without pytest itself is named first: its plugins are moot.
    expect(pytest).toEqual({
      gate: 'test',
      tool: 'pytest',
      where: 'cannot start it: pytest: no module named pytest in the python the gates run',
    });
    const plugin = await missingRequiredTool(
      [gate('test', ['python3', '-m', 'pytest'])],
      { root, scripts: null },
      { PATH: bin },
      {
        ...toolchain,
        missingPythonModules: async (_python: string, modules: readonly string[]) =>
          modules.filter((module) => module !== 'pytest'),
      },
    );
    expect(plugin).toMatchObject({ gate: 'test', tool: 'pytest-xdist' });
    expect(plugin?.where).toContain(
      'addopts in pyproject.toml [tool.pytest.ini_options] names -n, an option of pytest-xdist',
    );
    // Without the probes (a host that cannot ask), only the executables are looked up.
    expect(
      await missingRequiredTool([gate('test', ['go', 'test'])], { root, scripts: null }, { PATH: bin }),
    ).toBeNull();
  });
});

describe('ownInstallOf', () => {
  const withDeps = `${JSON.stringify({ devDependencies: { prettier: '^3.0.0' } })}\n`;
  const workspace = (value: Record<string, unknown> = {}) =>
    configSchema.parse({ workspace: value }).workspace;
  /** A repository whose checkout differs from HEAD in `changes`. */
  const repo = (changes: string[]) => ({
    inspect: async (path: string) => ({ root: path, branch: 'main', headSha: 'abc', changes }),
  });

  it("is null when the worktrees get the checkout's node_modules: the manifests are the base's", async () => {
    await writeFile(join(root, 'package.json'), withDeps);
    await writeFile(join(root, 'package-lock.json'), '{}\n');
    const base = createDetectContext(root, ['package.json', 'package-lock.json']);
    expect(await ownInstallOf(repo(['README.md']), root, base, workspace())).toBeNull();
    // No dependencies: no node_modules step, nothing installed either.
    await writeFile(join(root, 'package.json'), '{}\n');
    const bare = createDetectContext(root, ['package.json']);
    expect(await ownInstallOf(repo(['package.json']), root, bare, workspace())).toBeNull();
  });

  it('says why the run installs its own: a manifest differs from the base, or workspace.setup prepares', async () => {
    await writeFile(join(root, 'package.json'), withDeps);
    await writeFile(join(root, 'package-lock.json'), '{}\n');
    const base = createDetectContext(root, ['package.json', 'package-lock.json']);
    expect(await ownInstallOf(repo(['package-lock.json']), root, base, workspace())).toBe(
      'package-lock.json differs from the base commit, so the run installs the dependencies',
    );
    expect(await ownInstallOf(repo([]), root, base, workspace({ setup: [['make', 'deps']] }))).toBe(
      'workspace.setup prepares the worktrees',
    );
    // Installs turned off: the worktrees get no node_modules, so a missing tool stays missing.
    expect(await ownInstallOf(repo(['package.json']), root, base, workspace({ install: false }))).toBeNull();
  });

  it("says a Yarn Plug'n'Play project installs in each worktree: the checkout's node_modules holds vitest's cache only", async () => {
    // 000alen/toposort rebuilt with Yarn 4.5.1: .yarnrc.yml names no nodeLinker, so Plug'n'Play.
    await writeFile(join(root, 'package.json'), withDeps);
    await writeFile(join(root, 'yarn.lock'), '__metadata:\n  version: 8\n  cacheKey: 10c0\n');
    await writeFile(join(root, '.yarnrc.yml'), 'yarnPath: .yarn/releases/yarn-4.5.1.cjs\n');
    const base = createDetectContext(root, ['package.json', 'yarn.lock', '.yarnrc.yml']);
    expect(await ownInstallOf(repo([]), root, base, workspace())).toBe(
      "Yarn Plug'n'Play: each worktree runs yarn install --immutable (its .pnp.cjs), not the checkout's node_modules",
    );
    expect(await ownInstallOf(repo([]), root, base, workspace({ install: false }))).toBeNull();
  });
});
