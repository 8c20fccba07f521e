import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateTree } from '../../adapters/integrity/state-tree.js';
import { copyCacheDir } from '../../adapters/workspace/cache-copy.js';
import type { VerifyFn } from '../gates/port.js';
import type { PrepareInput, WorkspacePreparer } from '../workspace/port.js';
import { integrationCache } from './integration-cache.js';

let root: string;
let goalCache: string;
let dir: string;
let warnings: string[];
let infos: string[];
/** What the gates found in the cache as each run started (the planted file's text, or null). */
let seen: (string | null)[];

/** A gate run that reads `planted` in the cache, then builds `built` there. */
const gateRun: VerifyFn = async () => {
  seen.push(await readFile(join(dir, 'cargo-target', 'planted'), 'utf8').catch(() => null));
  await mkdir(join(dir, 'cargo-target'), { recursive: true });
  await writeFile(join(dir, 'cargo-target', 'built'), 'by a gate\n');
  return [];
};

/** What each install got, and what the pip cache's wheel held as it started (null: none). */
let installs: { input: PrepareInput; wheel: string | null }[];

/** An install that reads, then fills, the download cache here. */
const install: WorkspacePreparer = {
  prepare: async (input) => {
    const wheel = join(dir, 'downloads', 'pip', 'greet.whl');
    installs.push({ input, wheel: await readFile(wheel, 'utf8').catch(() => null) });
    await mkdir(join(dir, 'downloads', 'pip'), { recursive: true });
    await writeFile(wheel, 'built from the sdist\n');
    return { ok: true, done: [], changed: true, env: {} };
  },
};

function cache(confined = false) {
  return integrationCache({
    goalCache,
    dir,
    verify: gateRun,
    preparer: install,
    copy: copyCacheDir,
    integrity: { stateTree },
    remove: (path) => rm(path, { recursive: true, force: true }),
    confined,
    info: (message) => infos.push(message),
    warn: (message) => warnings.push(message),
  });
}

const context = {} as Parameters<VerifyFn>[1];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-integration-cache-'));
  goalCache = join(root, 'cache', 'goal-1');
  dir = join(root, 'cache', '.integration', 'goal-1');
  warnings = [];
  infos = [];
  seen = [];
  installs = [];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the integration's build cache", () => {
  it("points what names the slices' cache (CARGO_TARGET_DIR) at its own, and leaves the rest as it is", () => {
    const own = cache();
    expect(
      own.env({
        CARGO_TARGET_DIR: join(goalCache, 'cargo-target'),
        OTHER_CACHE: goalCache,
        NEIGHBOUR: `${goalCache}-2/x`,
        PATH: '/bin',
      }),
    ).toEqual({
      CARGO_TARGET_DIR: join(dir, 'cargo-target'),
      OTHER_CACHE: dir,
      NEIGHBOUR: `${goalCache}-2/x`,
      PATH: '/bin',
    });
    const user = { CARGO_TARGET_DIR: '/elsewhere', PATH: '/bin' };
    expect(own.env(user)).toBe(user);
    expect(own.env({ PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });

  it('is emptied before a gate run when something else wrote it since the last one', async () => {
    const own = cache();
    await own.verify([], context);
    // Nothing else wrote it: the next run finds what the last one built.
    await own.verify([], context);
    expect(warnings).toEqual([]);
    await writeFile(join(dir, 'cargo-target', 'planted'), 'a fixed binary\n');
    await own.verify([], context);
    expect(seen).toEqual([null, null, null]);
    expect(warnings.join('\n')).toMatch(
      /integration's build cache changed since omk's last gate run or install there \(1 file\(s\), cargo-target\/planted first\)/,
    );
  });

  it("seeds the slices' cache with a copy of its cargo target, only when they have none", async () => {
    const own = cache();
    // Nothing built here (a goal without Rust): nothing copied.
    expect(await own.seedSlices()).toBe(false);
    await own.verify([], context);
    expect(await own.seedSlices()).toBe(true);
    const copied = join(goalCache, 'cargo-target', 'built');
    expect(await readFile(copied, 'utf8')).toBe('by a gate\n');
    // A copy, no file shared: a slice's write stays in the slices' cache.
    await writeFile(copied, 'a slice wrote this\n');
    expect(await readFile(join(dir, 'cargo-target', 'built'), 'utf8')).toBe('by a gate\n');
    expect((await stat(copied)).ino).not.toBe((await stat(join(dir, 'cargo-target', 'built'))).ino);
    expect(await own.seedSlices()).toBe(false);
    expect(await readFile(copied, 'utf8')).toBe('a slice wrote this\n');
  });

  it("seeds Go's cache too, each directory the slices' cache lacks", async () => {
    const own = cache();
    await mkdir(join(dir, 'go-build', '00'), { recursive: true });
    await writeFile(join(dir, 'go-build', '00', 'entry-a'), 'by a base gate\n');
    expect(await own.seedSlices()).toBe(true);
    expect(await readFile(join(goalCache, 'go-build', '00', 'entry-a'), 'utf8')).toBe('by a base gate\n');
    // The slices have Go's cache now; the cargo target built later is still copied.
    await own.verify([], context);
    expect(await own.seedSlices()).toBe(true);
    expect(await readFile(join(goalCache, 'cargo-target', 'built'), 'utf8')).toBe('by a gate\n');
    expect(await own.seedSlices()).toBe(false);
  });

  it("installs there get its paths for the slices' and are emptied out of what else wrote it", async () => {
    const own = cache();
    const plan = {
      steps: [{ kind: 'command', argv: ['setup'] }],
      env: { GOCACHE: join(goalCache, 'go-build') },
      timeoutMs: 1_000,
      cacheDir: goalCache,
      sharedCacheDir: join(root, 'shared-cache'),
    } satisfies PrepareInput['plan'];
    const input: PrepareInput = {
      repoRoot: root,
      path: join(root, 'w'),
      plan,
      env: { CARGO_TARGET_DIR: join(goalCache, 'cargo-target'), PATH: '/bin' },
      logPath: join(root, 'log'),
    };
    await own.preparer.prepare(input);
    expect(installs[0]?.input.plan.env).toEqual({ GOCACHE: join(dir, 'go-build') });
    expect(installs[0]?.input.env).toEqual({ CARGO_TARGET_DIR: join(dir, 'cargo-target'), PATH: '/bin' });
    // A gate run after it finds the cache as the install left it, and so does the next install.
    await own.verify([], context);
    await own.preparer.prepare(input);
    expect(warnings).toEqual([]);
    expect(installs.map((run) => run.wheel)).toEqual([null, 'built from the sdist\n']);
    // Rewritten by someone else (a slice's install, unconfined): emptied before the next install.
    await writeFile(join(dir, 'downloads', 'pip', 'greet.whl'), 'forged\n');
    await own.preparer.prepare(input);
    expect(installs.map((run) => run.wheel)).toEqual([null, 'built from the sdist\n', null]);
    expect(warnings.join('\n')).toMatch(
      /changed since omk's last gate run or install there \(1 file\(s\), downloads\/pip\/greet.whl first\)/,
    );
  });

  it("seeds the slices' download caches from the base's install only when confined", async () => {
    await cache().preparer.prepare({ plan: { env: {} }, env: {} } as unknown as PrepareInput);
    // Unconfined, the slices' installs use the user's download caches: nothing to copy.
    expect(await cache().seedSlices()).toBe(false);
    expect(await cache(true).seedSlices()).toBe(true);
    expect(await readFile(join(goalCache, 'downloads', 'pip', 'greet.whl'), 'utf8')).toBe(
      'built from the sdist\n',
    );
  });

  it('unconfined, what an earlier process left there is emptied before this one builds there', async () => {
    await mkdir(join(dir, 'cargo-target'), { recursive: true });
    await writeFile(join(dir, 'cargo-target', 'planted'), 'a fixed binary\n');
    await cache().verify([], context);
    expect(seen).toEqual([null]);
    expect(infos.join('\n')).toMatch(/emptied the integration's build cache, which an earlier run left/);
    // Confined, no slice's gate could write it: taken as it is.
    await writeFile(join(dir, 'cargo-target', 'planted'), 'built by an earlier run\n');
    await cache(true).verify([], context);
    expect(seen).toEqual([null, 'built by an earlier run\n']);
  });
});
