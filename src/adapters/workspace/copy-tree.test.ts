import { mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyTreeWithDigests, retarget, treeDigest } from './copy-tree.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-copy-tree-'));
  const source = join(dir, 'source');
  await mkdir(join(source, 'pkg', 'lib'), { recursive: true });
  await mkdir(join(source, '.bin'));
  await writeFile(join(source, 'pkg', 'package.json'), '{"name":"pkg"}');
  await writeFile(join(source, 'pkg', 'lib', 'index.js'), 'module.exports = 1;\n');
  await symlink('../pkg/lib/index.js', join(source, '.bin', 'pkg'));
  await symlink(join(source, 'pkg'), join(source, 'absolute'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('copyTreeWithDigests', () => {
  it('says what treeDigest says of the source and of the copy, from the copy’s own walk', async () => {
    const copied = await copyTreeWithDigests(join(dir, 'source'), join(dir, 'copy'));
    expect(copied.files).toBe(2);
    expect(copied.sourceDigest).toBe(await treeDigest(join(dir, 'source')));
    expect(await copied.copyDigest(join(dir, 'copy'))).toBe(await treeDigest(join(dir, 'copy')));
    expect(copied.sourceDigest).not.toBe(await copied.copyDigest(join(dir, 'copy')));
    expect(copied.dirs.sort()).toEqual(['.bin', 'pkg', join('pkg', 'lib')]);
    expect(copied.filePaths.sort()).toEqual([join('pkg', 'lib', 'index.js'), join('pkg', 'package.json')]);
    expect(copied.symlinks).toContainEqual({ path: 'absolute', text: join(dir, 'source', 'pkg') });
    expect(await readlink(join(dir, 'copy', 'absolute'))).toBe(join(dir, 'copy', 'pkg'));
  });

  it('records each directory before what it holds', async () => {
    const copied = await copyTreeWithDigests(join(dir, 'source'), join(dir, 'copy'));
    expect(copied.dirs.indexOf('pkg')).toBeLessThan(copied.dirs.indexOf(join('pkg', 'lib')));
  });

  it('a copy written to after it was made no longer matches the recorded digest', async () => {
    const copied = await copyTreeWithDigests(join(dir, 'source'), join(dir, 'copy'));
    await writeFile(join(dir, 'copy', 'pkg', 'package.json'), '{"name":"changed"}');
    expect(await copied.copyDigest(join(dir, 'copy'))).not.toBe(await treeDigest(join(dir, 'copy')));
  });
});

describe('retarget', () => {
  it("points a link into the checkout at the worktree, from omk's snapshot of it too", () => {
    const nm = (root: string) => join(root, 'node_modules');
    // Copied from the checkout: a workspace package's absolute link, the package beside node_modules.
    expect(retarget('/co/packages/a', nm('/co'), nm('/wt'))).toBe('/wt/packages/a');
    // Cloned from a snapshot whose link still names the checkout (made by an earlier omk).
    expect(retarget('/co/packages/a', nm('/snap'), nm('/wt'), '/co')).toBe('/wt/packages/a');
    expect(retarget('/snap/packages/a', nm('/snap'), nm('/wt'), '/co')).toBe('/wt/packages/a');
    // Outside both: the link is kept (a global tool's), and a relative one always.
    expect(retarget('/usr/lib/x', nm('/snap'), nm('/wt'), '/co')).toBe('/usr/lib/x');
    expect(retarget('../../packages/a', nm('/co'), nm('/wt'))).toBe('../../packages/a');
  });
});
