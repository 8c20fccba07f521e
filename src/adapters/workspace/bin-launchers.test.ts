import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchersNaming, retargetLaunchers } from './bin-launchers.js';

// A launcher as pnpm 9.15.9 writes it (`pnpm install` of vitest 2.1.9): the store's own ones,
// `.pnpm/node_modules/.bin/vite-node` and `.pnpm/vite-node@2.1.9/node_modules/vite-node/node_modules/.bin/vite`,
// export the checkout's store on NODE_PATH, or put it before a NODE_PATH already set.
const launcher = (root: string, id: string, script: string) => {
  const paths = [
    `${root}/node_modules/.pnpm/${id}/node_modules/vite-node/node_modules`,
    `${root}/node_modules/.pnpm/${id}/node_modules`,
    `${root}/node_modules/.pnpm/node_modules`,
  ].join(':');
  return [
    '#!/bin/sh',
    `basedir=$(dirname "$(echo "$0" | sed -e 's,\\\\,/,g')")`,
    '',
    'case `uname` in',
    '    *CYGWIN*) basedir=`cygpath -w "$basedir"`;;',
    'esac',
    '',
    'if [ -z "$NODE_PATH" ]; then',
    `  export NODE_PATH="${paths}"`,
    'else',
    `  export NODE_PATH="${paths}:$NODE_PATH"`,
    'fi',
    `exec node  "$basedir/${script}" "$@"`,
    '',
  ].join('\n');
};

const STORE_BINS = [
  '.pnpm/node_modules/.bin/vite-node',
  '.pnpm/vite-node@2.1.9/node_modules/vite-node/node_modules/.bin/vite',
  '.pnpm/@vitest+mocker@2.1.9_vite@5.4.21/node_modules/@vitest/mocker/node_modules/.bin/vite',
];

let dir: string;
let checkout: string;
let worktree: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-launchers-'));
  checkout = join(dir, 'checkout');
  worktree = join(dir, 'worktree');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A worktree's node_modules as copied from the checkout's: the launchers still name the checkout. */
async function copiedStore(): Promise<string> {
  const tree = join(worktree, 'node_modules');
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), text, { mode: 0o755 });
  };
  await write('.bin/vitest', launcher(checkout, 'vitest@2.1.9', '../vitest/vitest.mjs'));
  for (const path of STORE_BINS) await write(path, launcher(checkout, 'vite-node@2.1.9', 'print.js'));
  await write('.pnpm/vite-node@2.1.9/node_modules/vite-node/node_modules/.bin/print.js', '');
  await write('.pnpm/node_modules/.bin/print.js', 'console.log(process.env.NODE_PATH);\n');
  // A dependency beside a package in the store is a link to another id: read there, not twice.
  await mkdir(join(tree, '.pnpm/vite@5.4.21/node_modules/vite'), { recursive: true });
  await symlink('../../vite@5.4.21/node_modules/vite', join(tree, '.pnpm/vite-node@2.1.9/node_modules/vite'));
  return tree;
}

describe("pnpm's launchers", () => {
  it("finds the store's own launchers naming the checkout, not only the top-level .bin's", async () => {
    const tree = await copiedStore();
    expect((await launchersNaming(tree, checkout)).sort()).toEqual([...STORE_BINS, '.bin/vitest'].sort());
  });

  it("points the store's launchers at the worktree: a process they start resolves nothing in the checkout", async () => {
    const tree = await copiedStore();
    await retargetLaunchers(tree, checkout, worktree);
    expect(await launchersNaming(tree, checkout)).toEqual([]);
    // Started with the worktree's NODE_PATH (its top-level launcher's), it puts no checkout path first.
    const printed = execFileSync(join(tree, '.pnpm/node_modules/.bin/vite-node'), {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: `${worktree}/node_modules/.pnpm/node_modules` },
      encoding: 'utf8',
    });
    expect(printed).not.toContain(checkout);
    expect(printed).toContain(`${worktree}/node_modules/.pnpm/vite-node@2.1.9/node_modules`);
    expect(await readFile(join(tree, STORE_BINS[2] ?? ''), 'utf8')).toBe(
      launcher(worktree, 'vite-node@2.1.9', 'print.js'),
    );
  });
});
