import { execFileSync } from 'node:child_process';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PreparationPlan, PreparationStep } from '../../runtime/workspace/port.js';
import { runProcess } from '../process/run-process.js';
import { createWorkspacePreparer } from './preparer.js';

let dir: string;
let checkout: string;
let worktree: string;
const preparer = createWorkspacePreparer(runProcess);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-prepare-'));
  checkout = join(dir, 'checkout');
  worktree = join(dir, 'worktree');
  for (const tree of [checkout, worktree]) {
    await mkdir(tree);
    await writeFile(join(tree, 'package.json'), '{"devDependencies":{"tool":"1.0.0"}}');
    await writeFile(join(tree, 'package-lock.json'), '{"lockfileVersion":3}');
  }
  // A checkout's node_modules: a package, its executable, the .bin link to it, an absolute link.
  await mkdir(join(checkout, 'node_modules', 'tool', 'bin'), { recursive: true });
  await mkdir(join(checkout, 'node_modules', '.bin'));
  await writeFile(join(checkout, 'node_modules', 'tool', 'bin', 'tool.js'), '#!/bin/sh\necho tool\n');
  await chmod(join(checkout, 'node_modules', 'tool', 'bin', 'tool.js'), 0o755);
  await symlink('../tool/bin/tool.js', join(checkout, 'node_modules', '.bin', 'tool'));
  await symlink(join(checkout, 'node_modules', 'tool'), join(checkout, 'node_modules', 'absolute'));
});

afterEach(async () => {
  await preparer.idle();
  await rm(dir, { recursive: true, force: true });
});

const node = (install: string[] | null): PreparationStep => ({
  kind: 'node-modules',
  manifests: ['package.json', 'package-lock.json'],
  install,
});

function prepare(
  steps: PreparationStep[],
  path = worktree,
  goal = 'g1',
  base?: 'checkout-code' | 'agent-code',
) {
  const plan: PreparationPlan = {
    steps,
    env: {},
    timeoutMs: 30_000,
    cacheDir: join(dir, 'cache', goal),
    sharedCacheDir: join(dir, 'shared'),
  };
  return preparer.prepare({
    repoRoot: checkout,
    path,
    ...(base ? { base } : {}),
    plan,
    env: { PATH: process.env.PATH ?? '' },
    logPath: join(dir, 'logs', 'prepare.log'),
  });
}

/** An "install" that makes node_modules/installed, so a test can tell it ran. */
const fakeInstall = ['node', '-e', "require('fs').mkdirSync('node_modules/installed', { recursive: true })"];

describe('createWorkspacePreparer: node_modules', () => {
  it("gives the worktree the checkout's node_modules: symlinks kept inside it, executables kept", async () => {
    const result = await prepare([node(null)]);
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(result.done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(1 files, \d+ ms\)$/),
    ]);

    const copied = join(worktree, 'node_modules');
    expect(await readlink(join(copied, '.bin', 'tool'))).toBe('../tool/bin/tool.js');
    expect(await readlink(join(copied, 'absolute'))).toBe(join(copied, 'tool'));
    expect((await stat(join(copied, 'tool', 'bin', 'tool.js'))).mode & 0o111).not.toBe(0);
    // Writing into the copy (through the .bin link too) leaves the checkout's file alone.
    await writeFile(join(copied, '.bin', 'tool'), 'tampered');
    expect(await readFile(join(checkout, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho tool\n',
    );
    expect(await readFile(join(copied, '.gitignore'), 'utf8')).toBe('*\n');
  });

  it("gives each workspace package its own node_modules from the checkout's, not only the root's", async () => {
    // npm nests the version a package needs when another is hoisted: packages/a/node_modules/tool.
    for (const tree of [checkout, worktree]) {
      await mkdir(join(tree, 'packages', 'a'), { recursive: true });
      await writeFile(join(tree, 'packages', 'a', 'package.json'), '{"devDependencies":{"tool":"0.9.0"}}');
    }
    await mkdir(join(checkout, 'packages', 'a', 'node_modules', 'tool'), { recursive: true });
    await writeFile(join(checkout, 'packages', 'a', 'node_modules', 'tool', 'index.js'), 'exports.v = 9;\n');
    const step: PreparationStep = {
      kind: 'node-modules',
      manifests: ['package.json', 'package-lock.json'],
      install: null,
      packages: ['packages/a', 'packages/gone'],
    };

    const first = await prepare([step]);
    expect(first).toMatchObject({ ok: true, changed: true });
    expect(first.done).toEqual([
      expect.stringMatching(
        /^node_modules from the checkout: copied \(1 files, \d+ ms\); packages\/a\/node_modules: copied \(1 files\)$/,
      ),
    ]);
    const nested = join(worktree, 'packages', 'a', 'node_modules');
    expect(await readFile(join(nested, 'tool', 'index.js'), 'utf8')).toBe('exports.v = 9;\n');
    expect(await readFile(join(nested, '.gitignore'), 'utf8')).toBe('*\n');
    // Prepared again (a retry): kept as it is.
    expect((await prepare([step])).done).toEqual(['node_modules already prepared']);
    expect(await readFile(join(nested, 'tool', 'index.js'), 'utf8')).toBe('exports.v = 9;\n');
  });

  it("points a workspace package's absolute link at the worktree's package, never the checkout's", async () => {
    // A link into the checkout outside node_modules (`ln -s "$PWD/packages/a"`, a linker's own):
    // kept as it is, the worktree's tests would import the user's code, not the agent's.
    await mkdir(join(checkout, 'packages', 'a'), { recursive: true });
    await symlink(join(checkout, 'packages', 'a'), join(checkout, 'node_modules', 'a'));
    await prepare([node(null)]);
    expect(await readlink(join(worktree, 'node_modules', 'a'))).toBe(join(worktree, 'packages', 'a'));
    // The next worktree links to omk's shared copy: the same there.
    const second = join(dir, 'second');
    await mkdir(second);
    await cp(join(worktree, 'package.json'), join(second, 'package.json'));
    await cp(join(worktree, 'package-lock.json'), join(second, 'package-lock.json'));
    await preparer.idle();
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache/),
    ]);
    expect(await readlink(join(second, 'node_modules', 'a'))).toBe(join(second, 'packages', 'a'));
  });

  it("points pnpm's .bin launchers' NODE_PATH at the worktree's .pnpm store, never the checkout's", async () => {
    // pnpm 9's launcher (lefun-fun/dudo's game/node_modules/.bin/vitest): NODE_PATH names the
    // checkout's store, whose node_modules/dudo-game links to the checkout's package; a test's
    // require() of it from the worktree would load the user's code, not the agent's.
    const store = (root: string) =>
      [
        `${root}/node_modules/.pnpm/vitest@1.6.1/node_modules/vitest/node_modules`,
        `${root}/node_modules/.pnpm/vitest@1.6.1/node_modules`,
        `${root}/node_modules/.pnpm/node_modules`,
      ].join(':');
    const launcher = [
      '#!/bin/sh',
      `basedir=$(dirname "$(echo "$0" | sed -e 's,\\\\,/,g')")`,
      '',
      'if [ -z "$NODE_PATH" ]; then',
      `  export NODE_PATH="${store(checkout)}"`,
      'else',
      `  export NODE_PATH="${store(checkout)}:$NODE_PATH"`,
      'fi',
      'exec node  "$basedir/../tool/bin/print.js" "$@"',
      '',
    ].join('\n');
    await writeFile(join(checkout, 'node_modules', '.bin', 'vitest'), launcher, { mode: 0o755 });
    await writeFile(
      join(checkout, 'node_modules', 'tool', 'bin', 'print.js'),
      'console.log(process.env.NODE_PATH);\n',
    );
    const printed = async (tree: string) =>
      execFileSync(join(tree, 'node_modules', '.bin', 'vitest'), {
        cwd: tree,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      }).trim();

    // And a workspace package's own (game/node_modules/.bin/vitest, what `pnpm -r test` runs).
    for (const tree of [checkout, worktree]) {
      await mkdir(join(tree, 'game'), { recursive: true });
      await writeFile(join(tree, 'game', 'package.json'), '{"devDependencies":{"vitest":"^1.2.1"}}');
    }
    await mkdir(join(checkout, 'game', 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(checkout, 'game', 'node_modules', '.bin', 'vitest'), launcher, { mode: 0o755 });
    await prepare([
      {
        kind: 'node-modules',
        manifests: ['package.json', 'package-lock.json'],
        install: null,
        packages: ['game'],
      },
    ]);
    expect(await printed(worktree)).toBe(store(worktree));
    expect(await readFile(join(worktree, 'game', 'node_modules', '.bin', 'vitest'), 'utf8')).toContain(
      `export NODE_PATH="${store(worktree)}"`,
    );
    expect(await readFile(join(checkout, 'node_modules', '.bin', 'vitest'), 'utf8')).toBe(launcher);
    expect(await readFile(join(checkout, 'game', 'node_modules', '.bin', 'vitest'), 'utf8')).toBe(launcher);
    // The next worktree links to omk's shared copy: its launcher names its own store.
    const second = join(dir, 'second');
    await mkdir(second);
    await cp(join(worktree, 'package.json'), join(second, 'package.json'));
    await cp(join(worktree, 'package-lock.json'), join(second, 'package-lock.json'));
    await preparer.idle();
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache/),
    ]);
    expect(await printed(second)).toBe(store(second));
    expect(await printed(worktree)).toBe(store(worktree));
    expect(await readFile(join(checkout, 'node_modules', '.bin', 'vitest'), 'utf8')).toBe(launcher);
  });

  it("links the next worktree to the goal's copy, and copies again once a worktree wrote into it", async () => {
    await prepare([node(null)]);
    const second = join(dir, 'second');
    await mkdir(second);
    await cp(join(worktree, 'package.json'), join(second, 'package.json'));
    await cp(join(worktree, 'package-lock.json'), join(second, 'package-lock.json'));
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(
        /^node_modules from the checkout: linked from omk's shared cache \(1 files, \d+ ms\)$/,
      ),
    ]);

    // The first worktree writes into a file in place: the shared copy changed, the checkout did not.
    await writeFile(join(worktree, 'node_modules', 'tool', 'bin', 'tool.js'), 'tampered');
    expect(await readFile(join(second, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe('tampered');
    const third = join(dir, 'third');
    await cp(second, third, { recursive: true, filter: (path) => !path.includes('node_modules') });
    expect((await prepare([node(null)], third)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(/),
    ]);
    expect(await readFile(join(third, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho tool\n',
    );
  });

  it("links a later goal's first worktree too, and copies again once the checkout's node_modules changed", async () => {
    const worktreeOf = async (name: string) => {
      const path = join(dir, name);
      await mkdir(path);
      await cp(join(worktree, 'package.json'), join(path, 'package.json'));
      await cp(join(worktree, 'package-lock.json'), join(path, 'package-lock.json'));
      return path;
    };
    await prepare([node(null)]);
    // Another goal (its own cache directory), same checkout and lockfile: no second copy.
    expect((await prepare([node(null)], await worktreeOf('goal-2'), 'g2')).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache/),
    ]);

    // The user edits a dependency in the checkout: the next goal gets a fresh copy with the edit.
    await writeFile(join(checkout, 'node_modules', 'tool', 'bin', 'tool.js'), '#!/bin/sh\necho edited\n');
    const third = await worktreeOf('goal-3');
    expect((await prepare([node(null)], third, 'g3')).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(/),
    ]);
    expect(await readFile(join(third, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho edited\n',
    );
    // The earlier goals' worktrees keep what they were given.
    expect(await readFile(join(worktree, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho tool\n',
    );
  });

  it("never links the checkout's files: the first worktree copies, the shared copy links to that copy", async () => {
    await prepare([node(null)]);
    await preparer.idle();
    const second = join(dir, 'second');
    await cp(worktree, second, { recursive: true, filter: (path) => !path.includes('node_modules') });
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(1 files/),
    ]);
    const file = join('node_modules', 'tool', 'bin', 'tool.js');
    const user = await stat(join(checkout, file));
    const first = await stat(join(worktree, file));
    const next = await stat(join(second, file));
    // The user's file has no other name; the worktrees share omk's copy (theirs and the cache's).
    expect(user.nlink).toBe(1);
    expect(next.ino).toBe(first.ino);
    expect(first.ino).not.toBe(user.ino);
    expect(first.nlink).toBe(3);
  });

  it("makes the shared copy from the copy as it was made: a gate's new files are left out, a gate's write is seen", async () => {
    await prepare([node(null)]);
    // Before the shared copy is made from it: the base's gates add a cache file in node_modules.
    await mkdir(join(worktree, 'node_modules', '.vite'));
    await writeFile(join(worktree, 'node_modules', '.vite', 'results.json'), '{}');
    await preparer.idle();
    const worktreeOf = async (name: string) => {
      const path = join(dir, name);
      await cp(worktree, path, { recursive: true, filter: (from) => !from.includes('node_modules') });
      return path;
    };
    const second = await worktreeOf('second');
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache/),
    ]);
    await expect(stat(join(second, 'node_modules', '.vite'))).rejects.toThrow();

    // A gate writes a dependency's file in place while (or before) the shared copy is made of it.
    const third = await worktreeOf('third');
    const fourth = await worktreeOf('fourth');
    await rm(join(dir, 'shared'), { recursive: true });
    await rm(join(worktree, 'node_modules'), { recursive: true });
    await prepare([node(null)], third, 'g2');
    await writeFile(join(third, 'node_modules', 'tool', 'bin', 'tool.js'), 'tampered');
    await preparer.idle();
    expect((await prepare([node(null)], fourth, 'g2')).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(/),
    ]);
    expect(await readFile(join(fourth, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho tool\n',
    );
  });

  it("links the next worktree even when the checkout's node_modules has a .gitignore of its own", async () => {
    // npm does not write one, but a tool's or a user's may be there: the worktree's is omk's `*`.
    await writeFile(join(checkout, 'node_modules', '.gitignore'), '/.cache\n');
    expect((await prepare([node(null)])).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(2 files/),
    ]);
    expect(await readFile(join(worktree, 'node_modules', '.gitignore'), 'utf8')).toBe('*\n');
    await preparer.idle();
    const second = join(dir, 'second');
    await cp(worktree, second, { recursive: true, filter: (path) => !path.includes('node_modules') });
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(2 files/),
    ]);
    expect(await readFile(join(second, 'node_modules', '.gitignore'), 'utf8')).toBe('*\n');
    expect(await readFile(join(checkout, 'node_modules', '.gitignore'), 'utf8')).toBe('/.cache\n');
  });

  it('removes a shared copy an omk process that is gone left half made', async () => {
    await prepare([node(null)]);
    await preparer.idle();
    const [made = ''] = await readdir(join(dir, 'shared', 'node_modules'));
    // A process killed while it made a shared copy of this checkout (no such pid) left it behind.
    await mkdir(join(dir, 'shared', 'node_modules', made, 'gone.partial-4194999'));
    await writeFile(join(checkout, 'package-lock.json'), '{"lockfileVersion":3,"other":true}');
    await writeFile(join(worktree, 'package-lock.json'), '{"lockfileVersion":3,"other":true}');
    await rm(join(worktree, 'node_modules'), { recursive: true });
    await prepare([node(null)]);
    await preparer.idle();
    const left = await readdir(join(dir, 'shared', 'node_modules', made));
    expect(left).toHaveLength(2);
    expect(left.filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('does nothing the second time, and prepares again when the lockfile changed since', async () => {
    await prepare([node(fakeInstall)]);
    expect(await prepare([node(fakeInstall)])).toEqual({
      ok: true,
      changed: false,
      done: ['node_modules already prepared'],
      env: {},
    });
    await writeFile(join(worktree, 'package-lock.json'), '{"lockfileVersion":3,"changed":true}');
    const again = await prepare([node(fakeInstall)]);
    expect(again.done).toEqual([
      expect.stringMatching(
        /^install: node -e .* \(\d+ ms\) \(package-lock.json differs from the checkout\)$/,
      ),
    ]);
    expect((await stat(join(worktree, 'node_modules', 'installed'))).isDirectory()).toBe(true);
  });

  it("installs a Yarn Plug'n'Play project in the worktree: the checkout's node_modules (vitest's cache) is not its install", async () => {
    // What a Yarn 4 PnP checkout holds after \`yarn test\`: .pnp.cjs, and node_modules with vitest's cache only.
    await rm(join(checkout, 'node_modules'), { recursive: true });
    await mkdir(join(checkout, 'node_modules', '.vite', 'vitest'), { recursive: true });
    await writeFile(join(checkout, 'node_modules', '.vite', 'vitest', 'results.json'), '{}');
    await writeFile(join(checkout, '.pnp.cjs'), '"packageLocation": "../../root/.yarn/berry/cache/"');
    const pnpInstall = ['node', '-e', "require('fs').writeFileSync('.pnp.cjs', 'made here')"];
    const step = {
      kind: 'node-modules',
      manifests: ['package.json', 'yarn.lock'],
      install: pnpInstall,
      pnp: true,
    } as const;
    const result = await prepare([step]);
    expect(result.done).toEqual([
      expect.stringMatching(
        /^install: node -e .* \(\d+ ms\) \(Yarn Plug'n'Play: its install, \.pnp\.cjs, is made in each worktree\)$/,
      ),
    ]);
    expect(await readFile(join(worktree, '.pnp.cjs'), 'utf8')).toBe('made here');
    await expect(stat(join(worktree, 'node_modules'))).rejects.toThrow();
    expect((await prepare([{ ...step, install: null }])).done).toEqual([
      "Yarn Plug'n'Play install not made: workspace.install is false",
    ]);
  });

  it('keeps a node_modules omk did not make, and says when installing is not allowed', async () => {
    await writeFile(join(worktree, 'package.json'), '{"devDependencies":{"tool":"2.0.0"}}');
    expect((await prepare([node(null)])).done).toEqual([
      'node_modules not prepared: package.json differs from the checkout and workspace.install is false',
    ]);
    await mkdir(join(worktree, 'node_modules'));
    expect((await prepare([node(fakeInstall)])).done).toEqual([
      'node_modules already present in the worktree: kept',
    ]);
  });

  it('reports a failing install with its command, exit code and last lines, and logs all of it', async () => {
    await rm(join(checkout, 'node_modules'), { recursive: true });
    const failing = [
      'node',
      '-e',
      "require('fs').mkdirSync('node_modules/half', { recursive: true }); console.log('resolving'); console.error('E404 tool'); process.exit(3)",
    ];
    const result = await prepare([node(failing)]);
    expect(result).toMatchObject({ ok: false, exitCode: 3, detail: 'exit 3', what: failing.join(' ') });
    expect(result.ok ? '' : result.tail).toBe('resolving\nE404 tool');
    expect(await readFile(join(dir, 'logs', 'prepare.log'), 'utf8')).toContain('=== exit 3');
    // Half an install is not left to pass for a node_modules someone else made.
    await expect(stat(join(worktree, 'node_modules'))).rejects.toThrow();
  });

  it('reports a copy the host refuses as a failure of that step', async () => {
    // A file where the worktree's node_modules should go: the copy cannot be put in its place.
    await writeFile(join(worktree, 'node_modules'), 'a file where node_modules should be');
    const result = await prepare([node(null)]);
    expect(result).toMatchObject({ ok: false, what: "giving the worktree the checkout's node_modules" });
    expect(result.ok ? '' : result.detail).toMatch(/^ENOTDIR|^EISDIR|^EEXIST/);
  });

  it('still copies when the shared cache cannot be made, and copies again for the next worktree', async () => {
    await writeFile(join(dir, 'shared'), 'a file where the cache directory should be');
    expect((await prepare([node(null)])).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(1 files, \d+ ms\)$/),
    ]);
    await preparer.idle();
    const second = join(dir, 'second');
    await cp(worktree, second, { recursive: true, filter: (path) => !path.includes('node_modules') });
    expect((await prepare([node(null)], second)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(/),
    ]);
    expect(await readFile(join(second, 'node_modules', 'tool', 'bin', 'tool.js'), 'utf8')).toBe(
      '#!/bin/sh\necho tool\n',
    );
  });
});

describe("createWorkspacePreparer: the base worktree's node_modules", () => {
  const file = join('node_modules', 'tool', 'bin', 'tool.js');
  const worktreeOf = async (name: string) => {
    const path = join(dir, name);
    await cp(worktree, path, { recursive: true, filter: (from) => !from.includes('node_modules') });
    return path;
  };

  it("links the base's gates to the checkout's files at once; the other worktrees link to omk's copy of them", async () => {
    const slice = await worktreeOf('slice');
    const result = await prepare([node(null)], worktree, 'g1', 'checkout-code');
    expect(result.done).toEqual([
      expect.stringMatching(
        /^node_modules from the checkout: hard links to the checkout's files, for the base's gates only \(1 files, \d+ ms\)$/,
      ),
    ]);
    const user = await stat(join(checkout, file));
    expect((await stat(join(worktree, file))).ino).toBe(user.ino);
    expect(await readlink(join(worktree, 'node_modules', '.bin', 'tool'))).toBe('../tool/bin/tool.js');
    expect(await readlink(join(worktree, 'node_modules', 'absolute'))).toBe(
      join(worktree, 'node_modules', 'tool'),
    );
    // The marker is the base's own: the checkout's node_modules has none.
    await expect(stat(join(checkout, 'node_modules', '.omk-prepared'))).rejects.toThrow();

    // The slice waits for the copy made in the background from the checkout, and links to it.
    expect((await prepare([node(null)], slice)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(1 files/),
    ]);
    const linked = await stat(join(slice, file));
    expect(linked.ino).not.toBe(user.ino);
    expect(linked.nlink).toBe(2); // the slice's and the shared copy's: never the checkout's
    expect((await stat(join(checkout, file))).nlink).toBe(2); // the checkout's and the base's
    await writeFile(join(slice, file), 'tampered');
    expect(await readFile(join(checkout, file), 'utf8')).toBe('#!/bin/sh\necho tool\n');
  });

  it("relinks the base to omk's copy before an agent's code runs there, and keeps it so when the run resumes", async () => {
    await prepare([node(null)], worktree, 'g1', 'checkout-code');
    const user = await stat(join(checkout, file));
    const isolated = await prepare([node(null)], worktree, 'g1', 'agent-code');
    expect(isolated).toMatchObject({ ok: true, changed: true });
    expect(isolated.done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: linked from omk's shared cache \(1 files/),
    ]);
    const after = await stat(join(worktree, file));
    expect(after.ino).not.toBe(user.ino);
    expect((await stat(join(checkout, file))).nlink).toBe(1);
    // What the agent's tests write through node_modules never reaches the checkout.
    await writeFile(join(worktree, 'node_modules', '.bin', 'tool'), 'tampered');
    expect(await readFile(join(checkout, file), 'utf8')).toBe('#!/bin/sh\necho tool\n');

    // A resumed run prepares the base for its gates again: what it has is kept, not lent again.
    await writeFile(join(worktree, file), '#!/bin/sh\necho tool\n');
    for (const base of ['checkout-code', 'agent-code'] as const) {
      expect((await prepare([node(null)], worktree, 'g1', base)).done).toEqual([
        'node_modules already prepared',
      ]);
    }
    expect((await stat(join(worktree, file))).ino).toBe(after.ino);
  });

  it("copies the checkout's node_modules again in the background when the base's gates changed it", async () => {
    await prepare([node(null)], worktree, 'g1', 'checkout-code');
    await preparer.idle();
    // The user's own code, run by the base's gates, writes a dependency in place (as it would in
    // the checkout): the copy omk made of it before no longer matches, so the next worktree copies.
    await writeFile(join(worktree, file), '#!/bin/sh\necho rewritten by the base\n');
    const slice = await worktreeOf('slice');
    expect((await prepare([node(null)], slice)).done).toEqual([
      expect.stringMatching(/^node_modules from the checkout: copied \(/),
    ]);
    expect(await readFile(join(slice, file), 'utf8')).toBe('#!/bin/sh\necho rewritten by the base\n');
    expect((await stat(join(slice, file))).ino).not.toBe((await stat(join(checkout, file))).ino);
  });
});

describe('createWorkspacePreparer: other steps', () => {
  it("puts the checkout's virtualenv first on PATH", async () => {
    await mkdir(join(checkout, 'venv', 'bin'), { recursive: true });
    await writeFile(join(checkout, 'venv', 'bin', 'python'), '');
    const result = await prepare([{ kind: 'python-venv', dirs: ['.venv', 'venv'] }]);
    expect(result).toMatchObject({ ok: true, changed: false });
    expect(result.ok && result.env).toEqual({
      PATH: `${join(checkout, 'venv', 'bin')}:${process.env.PATH ?? ''}`,
      VIRTUAL_ENV: join(checkout, 'venv'),
    });
  });

  it("puts the worktree's own directories first on PYTHONPATH for a project installed in editable mode", async () => {
    // What setuptools' PEP 660 editable install leaves in the checkout's virtualenv: a .pth that
    // imports a finder whose MAPPING names the package in the checkout.
    const venv = join(checkout, '.venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    const [python] = (await readdir(join(venv, 'lib'))).filter((name) => name.startsWith('python'));
    const site = join(venv, 'lib', python ?? 'python3', 'site-packages');
    await writeFile(
      join(site, '__editable___slugkit_0_1_0_finder.py'),
      `MAPPING = {'slugkit': ${JSON.stringify(join(checkout, 'lib', 'slugkit'))}}\n\ndef install():\n    pass\n`,
    );
    await writeFile(
      join(site, '__editable__.slugkit-0.1.0.pth'),
      'import __editable___slugkit_0_1_0_finder; __editable___slugkit_0_1_0_finder.install()\n',
    );
    // A path the checkout has but the worktree does not is not mapped; neither is the virtualenv.
    await writeFile(join(site, 'old.pth'), `${join(checkout, 'gone')}\n`);
    await mkdir(join(worktree, 'lib', 'slugkit'), { recursive: true });
    const result = await prepare([{ kind: 'python-venv', dirs: ['.venv'] }]);
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(result.ok && result.env.PYTHONPATH).toBe(join(worktree, 'lib'));
    expect(result.done).toEqual([
      "gates use the checkout's virtualenv .venv/ (first on PATH); the project is installed in editable mode from the checkout, so PYTHONPATH starts with this worktree's lib/",
    ]);
  });

  it('runs setup commands in order in the worktree and stops at the first that cannot start', async () => {
    const result = await prepare([
      { kind: 'command', argv: ['node', '-e', "require('fs').writeFileSync('first', '')"] },
      { kind: 'command', argv: ['omk-no-such-command'] },
    ]);
    expect(result).toMatchObject({ ok: false, what: 'omk-no-such-command' });
    expect(result.ok ? '' : result.detail).toMatch(/^could not start: /);
    expect(result.done).toEqual([expect.stringMatching(/^setup: node -e /)]);
    expect((await stat(join(worktree, 'first'))).isFile()).toBe(true);
  });
});
