import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { writingCache } from './cache-writers.js';
import { watchGoalCache } from './goal-cache.js';

const GOAL = '20260102-own-goal';
const integrity = { stateTree };
let root: string;
let cache: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-goal-cache-'));
  cache = join(root, 'cache', GOAL);
  await mkdir(join(cache, 'cargo-target', 'debug', 'deps'), { recursive: true });
  await writeFile(join(cache, 'cargo-target', 'debug', 'deps', 'calc-1'), 'built by a gate\n');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("an agent run's check of the goal's build cache", () => {
  it('names what was written while no gate or install ran, counted, the first paths named', async () => {
    const watch = await watchGoalCache(integrity, root, GOAL);
    await writeFile(join(cache, 'cargo-target', 'debug', 'deps', 'calc-1'), 'planted\n');
    for (const name of ['a', 'b', 'c'])
      await writeFile(join(cache, 'cargo-target', 'debug', 'deps', `planted-${name}`), '\n');
    expect(await watch.check()).toEqual({
      what: `cache/${GOAL}`,
      change: 'changed',
      cache:
        '4 files (3 added, 1 changed): cargo-target/debug/deps/calc-1, cargo-target/debug/deps/planted-a, cargo-target/debug/deps/planted-b, and 1 more',
    });
  });

  it("names a write to the integration's own cache, which its gates alone write", async () => {
    const watch = await watchGoalCache(integrity, root, GOAL);
    const own = join(root, 'cache', '.integration', GOAL, 'cargo-target');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'calc-1'), 'planted\n');
    expect(await watch.check()).toEqual({
      what: `cache/.integration/${GOAL}`,
      change: 'changed',
      cache: '1 file (1 added): cargo-target/calc-1',
    });
    // Its gates write it on purpose: then nothing there is the agent's for sure.
    const next = await watchGoalCache(integrity, root, GOAL);
    await writingCache(join(root, 'cache', '.integration', GOAL), () => writeFile(join(own, 'calc-2'), '\n'));
    expect(await next.check()).toBeNull();
  });

  it('names nothing when nothing changed, and a new empty directory is nothing', async () => {
    const watch = await watchGoalCache(integrity, root, GOAL);
    await mkdir(join(cache, 'pip'));
    expect(await watch.check()).toBeNull();
  });

  it("leaves the cache alone while a gate run wrote it (a parallel slice's): no one's for sure", async () => {
    const watch = await watchGoalCache(integrity, root, GOAL);
    await writingCache(cache, () => writeFile(join(cache, 'cargo-target', 'debug', 'deps', 'calc-2'), '\n'));
    expect(await watch.check()).toBeNull();
    // Another goal's writers are not this goal's: a write then is named.
    const next = await watchGoalCache(integrity, root, GOAL);
    await writingCache(join(root, 'cache', 'other-goal'), async () => {
      await writeFile(join(cache, 'cargo-target', 'debug', 'deps', 'calc-3'), '\n');
    });
    expect((await next.check())?.cache).toBe('1 file (1 added): cargo-target/debug/deps/calc-3');
    // Nor is a run that started while a gate was writing it.
    let during: Awaited<ReturnType<typeof watchGoalCache>> | undefined;
    await writingCache(cache, async () => {
      during = await watchGoalCache(integrity, root, GOAL);
    });
    await writeFile(join(cache, 'cargo-target', 'debug', 'deps', 'calc-4'), '\n');
    expect(await during?.check()).toBeNull();
  });

  it('a cache that is not there yet is compared as empty', async () => {
    await rm(cache, { recursive: true });
    const watch = await watchGoalCache(integrity, root, GOAL);
    await mkdir(join(cache, 'npm'), { recursive: true });
    await writeFile(join(cache, 'npm', 'index'), '\n');
    expect((await watch.check())?.cache).toBe('1 file (1 added): npm/index');
  });
});
