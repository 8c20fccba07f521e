import { execFileSync } from 'node:child_process';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PreparationPlan } from '../../runtime/workspace/port.js';
import { runProcess } from '../process/run-process.js';
import { contentDigest } from './copy-tree.js';
import { createWorkspacePreparer } from './preparer.js';

// omk's shared copy of node_modules is hard-linked into every worktree, so a process that writes a
// linked file in place writes the copy. An unsandboxed agent can do that and set the file's size
// and times back as they were (`touch -r`): the copy must still not be given to a later worktree.

const ORIGINAL = "module.exports = () => 'tool';\n";
const POISONED = "module.exports = () => 'evil';\n";

let dir: string;
let checkout: string;
const preparer = createWorkspacePreparer(runProcess);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-snapshot-content-'));
  checkout = join(dir, 'checkout');
  await mkdir(join(checkout, 'node_modules', 'tool'), { recursive: true });
  await writeFile(join(checkout, 'package.json'), '{"devDependencies":{"tool":"1.0.0"}}');
  await writeFile(join(checkout, 'package-lock.json'), '{"lockfileVersion":3}');
  await writeFile(join(checkout, 'node_modules', 'tool', 'index.js'), ORIGINAL);
  await writeFile(join(checkout, 'node_modules', 'tool', 'package.json'), '{"name":"tool"}');
});
afterEach(async () => {
  await preparer.idle();
  await rm(dir, { recursive: true, force: true });
});

async function worktree(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  await cp(join(checkout, 'package.json'), join(path, 'package.json'));
  await cp(join(checkout, 'package-lock.json'), join(path, 'package-lock.json'));
  return path;
}

async function prepare(path: string): Promise<string> {
  const plan: PreparationPlan = {
    steps: [{ kind: 'node-modules', manifests: ['package.json', 'package-lock.json'], install: null }],
    env: {},
    timeoutMs: 30_000,
    cacheDir: join(dir, 'cache', 'g1'),
    sharedCacheDir: join(dir, 'shared'),
  };
  const result = await preparer.prepare({
    repoRoot: checkout,
    path,
    plan,
    env: { PATH: process.env.PATH ?? '' },
    logPath: join(dir, 'logs', 'prepare.log'),
  });
  await preparer.idle();
  return result.done.join('\n');
}

/** Writes `text` over the file in place (same inode, same length) and sets its times back, as `touch -r` does. */
async function writeInPlaceKeepingTimes(path: string, text: string): Promise<void> {
  const before = await stat(path, { bigint: true });
  expect(BigInt(Buffer.byteLength(text))).toBe(before.size);
  const reference = join(dir, 'times');
  execFileSync('touch', ['-r', path, reference]);
  const handle = await open(path, 'r+');
  try {
    await handle.write(text, 0);
  } finally {
    await handle.close();
  }
  execFileSync('touch', ['-r', reference, path]);
  const after = await stat(path, { bigint: true });
  expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
}

describe("omk's shared copy of node_modules, written in place with its times set back", () => {
  it('is not linked into the next worktree: that one gets a fresh copy of the checkout', async () => {
    const first = await worktree('first');
    expect(await prepare(first)).toMatch(/copied/);
    const second = await worktree('second');
    expect(await prepare(second)).toMatch(/linked from omk's shared cache/);

    // An agent in the second worktree poisons the linked file, keeping its size and times.
    await writeInPlaceKeepingTimes(join(second, 'node_modules', 'tool', 'index.js'), POISONED);

    const third = await worktree('third');
    expect(await prepare(third)).toMatch(/copied/);
    expect(await readFile(join(third, 'node_modules', 'tool', 'index.js'), 'utf8')).toBe(ORIGINAL);
    // The checkout's own file was never linked, so never written.
    expect(await readFile(join(checkout, 'node_modules', 'tool', 'index.js'), 'utf8')).toBe(ORIGINAL);
  });

  it("reads the content only when a file's change time moved since omk last knew it whole", async () => {
    await prepare(await worktree('first'));
    await prepare(await worktree('second'));
    // Nothing changed since the second worktree's links: the third does not read the content, so
    // a content digest gone wrong is not even looked at.
    const [snapshot] = await readdir(join(dir, 'shared'), { recursive: true }).then((paths) =>
      paths.filter((path) => path.endsWith('content-digest')),
    );
    expect(snapshot).toBeDefined();
    await writeFile(join(dir, 'shared', String(snapshot)), 'not the digest');
    expect(await prepare(await worktree('third'))).toMatch(/linked from omk's shared cache/);
    // A change time moved (a chmod back and forth changes nothing else): now it is read, and fails.
    const linked = join(dir, 'third', 'node_modules', 'tool', 'index.js');
    await chmod(linked, 0o600);
    await chmod(linked, 0o644);
    expect(await prepare(await worktree('fourth'))).toMatch(/copied/);
  });

  it('(the control) untouched, the next worktree is linked from the shared copy', async () => {
    await prepare(await worktree('first'));
    await prepare(await worktree('second'));
    expect(await prepare(await worktree('third'))).toMatch(/linked from omk's shared cache/);
  });
});

describe('contentDigest', () => {
  it('changes with a byte of a file, not with its times; links and directories are not read', async () => {
    const tree = join(checkout, 'node_modules');
    const before = await contentDigest(tree);
    const path = join(tree, 'tool', 'index.js');
    await utimes(path, new Date(0), new Date(0));
    expect(await contentDigest(tree)).toBe(before);
    await writeFile(path, POISONED);
    expect(await contentDigest(tree)).not.toBe(before);
  });
});
