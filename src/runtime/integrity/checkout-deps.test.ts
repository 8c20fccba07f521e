import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { writingCache } from './cache-writers.js';
import { watchCheckoutDeps } from './checkout-deps.js';

const integrity = { stateTree };
let repo: string;
let cacheDir: string;
const SITE = '.venv/lib/python3.12/site-packages';

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'omk-checkout-deps-'));
  cacheDir = join(repo, 'state', 'cache', 'goal-1');
  await mkdir(join(repo, SITE, 'pytest'), { recursive: true });
  await writeFile(join(repo, SITE, 'pytest', '__init__.py'), '# pytest\n');
  await mkdir(join(repo, 'node_modules', 'semver', 'functions'), { recursive: true });
  await writeFile(
    join(repo, 'node_modules', 'semver', 'functions', 'satisfies.js'),
    'module.exports = real;\n',
  );
  await mkdir(join(repo, 'src'));
  await writeFile(join(repo, 'src', 'slug.js'), 'export const slug = (t) => t;\n');
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("an unsandboxed agent run's check of the checkout's virtualenv and node_modules", () => {
  it('names each directory written, not the tracked files the user edits', async () => {
    const watch = await watchCheckoutDeps(integrity, repo, cacheDir);
    await writeFile(join(repo, SITE, 'quiet.pth'), 'import quiet\n');
    await writeFile(join(repo, SITE, 'quiet.py'), '\n');
    await rm(join(repo, 'node_modules', 'semver', 'functions', 'satisfies.js'));
    await writeFile(join(repo, 'src', 'slug.js'), 'export const slug = (t) => t.trim();\n');
    expect(await watch.check()).toEqual([
      {
        what: '.venv/',
        change: 'changed',
        checkout: `2 files (2 added): lib/python3.12/site-packages/quiet.pth, lib/python3.12/site-packages/quiet.py`,
      },
      {
        what: 'node_modules/',
        change: 'changed',
        checkout: '1 file (1 removed): semver/functions/satisfies.js',
      },
    ]);
  });

  it('names a file rewritten with its size and times set back (its change time moved)', async () => {
    const file = join(repo, 'node_modules', 'semver', 'functions', 'satisfies.js');
    const before = await stat(file);
    const watch = await watchCheckoutDeps(integrity, repo, cacheDir);
    // Change times are kept at the kernel's clock tick: the rewrite comes a few ticks after the file was made.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await writeFile(file, 'module.exports = ()=>1\n');
    await utimes(file, before.atime, before.mtime);
    expect((await stat(file)).size).toBe(before.size);
    expect(await watch.check()).toEqual([
      {
        what: 'node_modules/',
        change: 'changed',
        checkout: '1 file (1 changed): semver/functions/satisfies.js',
      },
    ]);
  });

  it('names a virtualenv made during the run, and nothing when nothing changed', async () => {
    const quiet = await watchCheckoutDeps(integrity, repo, cacheDir);
    expect(await quiet.check()).toEqual([]);
    const watch = await watchCheckoutDeps(integrity, repo, cacheDir);
    await mkdir(join(repo, 'venv', 'bin'), { recursive: true });
    await writeFile(join(repo, 'venv', 'bin', 'python'), '#!/bin/sh\n');
    expect(await watch.check()).toEqual([
      { what: 'venv/', change: 'changed', checkout: '1 file (1 added): bin/python' },
    ]);
  });

  it("compares nothing for a run a gate or preparation of the goal overlapped (Python's __pycache__, the base's links)", async () => {
    const watch = await watchCheckoutDeps(integrity, repo, cacheDir);
    await writingCache(cacheDir, () => writeFile(join(repo, SITE, 'pytest', 'x.pyc'), '\n'));
    expect(await watch.check()).toEqual([]);
    // Another goal's gates are not this goal's: a write then is named.
    const next = await watchCheckoutDeps(integrity, repo, cacheDir);
    await writingCache(join(repo, 'state', 'cache', 'goal-2'), () =>
      writeFile(join(repo, SITE, 'y.py'), '\n'),
    );
    expect(await next.check()).toHaveLength(1);
  });
});
