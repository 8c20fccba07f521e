import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { CopyCache } from '../../runtime/integrity/integration-cache.js';
import { cloneTree } from './copy-tree.js';

const run = promisify(execFile);

/**
 * Copies a build cache directory: `cp -a --reflink=auto` (times kept, a reflink where the
 * filesystem has them, else a real copy), or, where `cp` has no such flag, every file copied on its
 * own. Never hard links: cargo rewrites its fingerprint files in place, and a write in the copy
 * must not reach the source. Made under a temporary name and renamed, so a copy cut short is
 * never taken for one. False when `from` is no directory or `to` exists.
 */
export const copyCacheDir: CopyCache = async (from, to) => {
  if (!(await stat(from).catch(() => null))?.isDirectory()) return false;
  if ((await stat(to).catch(() => null)) !== null) return false;
  await mkdir(dirname(to), { recursive: true });
  const partial = `${to}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    await run('cp', ['-a', '--reflink=auto', from, partial]);
  } catch {
    await rm(partial, { recursive: true, force: true });
    await cloneTree(from, partial, 'copy');
  }
  await rename(partial, to);
  return true;
};
