import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The goal's npm download cache, rewritten by code an install ran (a project's `postinstall` as
 * the agent left it; before, a gate's code too): what the next worktree's `npm ci` does with it.
 * npm reads a package's tarball from the cache by the lockfile's integrity and checks it, so a
 * rewritten tarball is refused ("seems to be corrupted"), never installed. `--offline` keeps the
 * test off the network: omk's own `npm ci --prefer-offline` fetches the package again instead.
 * The tarball is the one the machine's npm cache holds from omk's own `npm ci` (ansi-regex, one
 * of omk's devDependencies, with no dependencies of its own).
 */

const NAME = 'ansi-regex';

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** omk's lockfile entry of the package: its version and integrity. */
async function locked(): Promise<{ version: string; integrity: string }> {
  const lock = JSON.parse(await readFile(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { version: string; integrity: string }>;
  };
  const entry = lock.packages[`node_modules/${NAME}`];
  if (entry === undefined) throw new Error(`${NAME} is not in omk's lockfile`);
  return entry;
}

/** Where cacache keeps content of this integrity under a cache directory. */
function contentPath(cache: string, integrity: string): string {
  const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
  return join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/** A project whose one devDependency is the package, locked as npm writes it. */
async function project(root: string, version: string, integrity: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const devDependencies = { [NAME]: version };
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'colors', version: '1.0.0', devDependencies }),
  );
  const lock = {
    name: 'colors',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'colors', version: '1.0.0', devDependencies },
      [`node_modules/${NAME}`]: {
        version,
        resolved: `https://registry.npmjs.org/${NAME}/-/${NAME}-${version}.tgz`,
        integrity,
        dev: true,
      },
    },
  };
  await writeFile(join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

function npmCi(cwd: string, cache: string) {
  return spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--cache', cache], {
    cwd,
    encoding: 'utf8',
  });
}

describe("the goal's npm download cache, rewritten between two installs", () => {
  it("the next worktree's npm ci refuses the rewritten tarball and installs nothing of it", async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-npm-cache-'));
    const { version, integrity } = await locked();
    const machineCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    const cache = join(dir, 'downloads', 'npm');
    const cached = contentPath(cache, integrity);
    await mkdir(dirname(cached), { recursive: true });
    await copyFile(contentPath(machineCache, integrity), cached);
    // The first worktree installs from the cache.
    await project(join(dir, 'slice'), version, integrity);
    const first = npmCi(join(dir, 'slice'), cache);
    expect(first.status, first.stderr).toBe(0);
    expect(existsSync(join(dir, 'slice', 'node_modules', NAME, 'index.js'))).toBe(true);
    // Code that ran there puts a tarball of its own where the cache keeps the package's.
    const forged = join(dir, 'forged');
    await mkdir(join(forged, 'package'), { recursive: true });
    await writeFile(join(forged, 'package', 'index.js'), 'module.exports = () => /forged/;\n');
    await writeFile(join(forged, 'package', 'package.json'), JSON.stringify({ name: NAME, version }));
    execFileSync('tar', ['-czf', join(dir, 'forged.tgz'), '-C', forged, 'package']);
    await rm(cached, { force: true });
    await copyFile(join(dir, 'forged.tgz'), cached);
    // The next worktree's install reads it by the lockfile's integrity, and refuses it.
    await project(join(dir, 'integration'), version, integrity);
    const next = npmCi(join(dir, 'integration'), cache);
    expect(next.stderr).toMatch(/seems to be corrupted/);
    expect(next.status).not.toBe(0);
    expect(existsSync(join(dir, 'integration', 'node_modules', NAME))).toBe(false);
  });
});
