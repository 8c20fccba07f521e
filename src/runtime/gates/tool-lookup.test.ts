import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileState, findOnPath } from '../doctor/path-lookup.js';
import { lookUpGateTool, missingToolOf, type ToolProbes } from './tool-lookup.js';

let root: string;
let bin: string;
let probes: ToolProbes;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-tool-lookup-'));
  bin = join(root, 'host-bin');
  await mkdir(bin);
  probes = {
    findOnPath: (command, firstDirs) => findOnPath(command, { PATH: [...firstDirs, bin].join(delimiter) }),
    fileState,
  };
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function executable(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
}

const scripts = {
  format: 'prettier --check .',
  lint: 'npm run lint:js',
  'lint:js': 'eslint .',
  tool: './tools/fmt',
};

describe('lookUpGateTool', () => {
  it("finds a bare name in the checkout's virtualenv before PATH, and says where it is not", async () => {
    await executable(join(root, '.venv', 'bin', 'ruff'));
    await executable(join(bin, 'ruff'));
    await executable(join(root, 'venv', 'bin', 'mypy'));
    const input = { root, scripts: null };
    expect(await lookUpGateTool({ argv: ['ruff', 'check', '.'] }, input, probes)).toEqual({
      command: 'ruff',
      status: 'found',
      at: join(root, '.venv', 'bin', 'ruff'),
      script: null,
    });
    expect(await lookUpGateTool({ argv: ['mypy', '.'] }, input, probes)).toMatchObject({
      status: 'found',
      at: join(root, 'venv', 'bin', 'mypy'),
    });
    const missing = await lookUpGateTool({ argv: ['pytest'] }, input, probes);
    expect(missing).toEqual({ command: 'pytest', status: 'missing', where: 'was not found on PATH' });
    expect(missingToolOf(missing)).toEqual({ tool: 'pytest', where: 'was not found on PATH' });
  });

  it('takes a path as a file in the checkout', async () => {
    await executable(join(root, 'scripts', 'check'));
    const input = { root, scripts: null };
    expect(await lookUpGateTool({ argv: ['./scripts/check'] }, input, probes)).toMatchObject({
      status: 'found',
      at: join(root, 'scripts', 'check'),
    });
    expect(await lookUpGateTool({ argv: ['./scripts/none'] }, input, probes)).toEqual({
      command: './scripts/none',
      status: 'missing',
      where: 'is missing or not executable',
    });
  });

  it('looks through a package script to its tool: node_modules/.bin, then PATH, else missing', async () => {
    await executable(join(bin, 'npm'));
    await executable(join(root, 'node_modules', '.bin', 'eslint'));
    const input = { root, scripts };
    const lint = await lookUpGateTool({ argv: ['npm', 'run', 'lint'] }, input, probes);
    expect(lint).toEqual({
      command: 'npm',
      status: 'found',
      at: join(bin, 'npm'),
      script: {
        script: 'lint:js',
        tool: 'eslint',
        chain: [],
        status: 'found',
        at: join(root, 'node_modules', '.bin', 'eslint'),
      },
    });
    expect(missingToolOf(lint)).toBeNull();
    const format = await lookUpGateTool({ argv: ['npm', 'run', 'format'] }, input, probes);
    expect(missingToolOf(format)).toEqual({
      tool: 'prettier',
      where: 'is neither in node_modules/.bin nor on PATH',
    });
    await executable(join(bin, 'prettier'));
    expect(await lookUpGateTool({ argv: ['npm', 'run', 'format'] }, input, probes)).toMatchObject({
      script: { status: 'found', at: join(bin, 'prettier') },
    });
    // A script's path is a file of the checkout, as npm runs it from the package's directory.
    expect(missingToolOf(await lookUpGateTool({ argv: ['npm', 'run', 'tool'] }, input, probes))).toEqual({
      tool: './tools/fmt',
      where: 'is missing or not executable',
    });
  });

  it('blames no script tool an install would provide: no node_modules yet, or the run installs its own', async () => {
    await executable(join(bin, 'npm'));
    const fresh = await lookUpGateTool({ argv: ['npm', 'run', 'format'] }, { root, scripts }, probes);
    expect(fresh).toMatchObject({
      status: 'found',
      script: { tool: 'prettier', status: 'unchecked', why: 'no node_modules, dependencies not installed' },
    });
    expect(missingToolOf(fresh)).toBeNull();
    await mkdir(join(root, 'node_modules'));
    const ownInstall = 'package.json differs from the base commit, so the run installs the dependencies';
    // Asked only when a tool is missing: a found one needs no `git status`.
    await executable(join(root, 'node_modules', '.bin', 'eslint'));
    let asked = 0;
    const counting = async () => {
      asked += 1;
      return ownInstall;
    };
    await lookUpGateTool({ argv: ['npm', 'run', 'lint'] }, { root, scripts, ownInstall: counting }, probes);
    expect(asked).toBe(0);
    const installing = await lookUpGateTool(
      { argv: ['npm', 'run', 'format'] },
      { root, scripts, ownInstall: async () => ownInstall },
      probes,
    );
    expect(installing).toMatchObject({ script: { status: 'unchecked', why: ownInstall } });
    expect(missingToolOf(installing)).toBeNull();
  });

  it("names the project's install for a script tool package.json declares but node_modules lacks", async () => {
    await executable(join(bin, 'npm'));
    await mkdir(join(root, 'node_modules', '.bin'), { recursive: true });
    const manifest = { declared: new Set(['prettier', 'eslint']), install: 'npm ci' };
    const stale = await lookUpGateTool(
      { argv: ['npm', 'run', 'format'] },
      { root, scripts, manifest },
      probes,
    );
    expect(missingToolOf(stale)).toEqual({
      tool: 'prettier',
      where: 'is neither in node_modules/.bin nor on PATH, though package.json declares it',
      install: 'npm ci',
    });
    // Not declared: nothing the project's install would bring, so no install is named.
    const undeclared = { declared: new Set(['eslint']), install: 'npm ci' };
    expect(
      missingToolOf(
        await lookUpGateTool(
          { argv: ['npm', 'run', 'format'] },
          { root, scripts, manifest: undeclared },
          probes,
        ),
      ),
    ).toEqual({ tool: 'prettier', where: 'is neither in node_modules/.bin nor on PATH' });
  });

  it('does not look through a script when the package manager itself is missing', async () => {
    const lookup = await lookUpGateTool({ argv: ['pnpm', 'run', 'format'] }, { root, scripts }, probes);
    expect(lookup).toEqual({ command: 'pnpm', status: 'missing', where: 'was not found on PATH' });
  });
});
