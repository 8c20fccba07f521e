import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateTree } from '../../runtime/integrity/port.js';

/**
 * Every path under `root` but the top-level names in `skip`, each with what a stat tells of it:
 * `dir` for a directory (its own times change with every file added in it, so only that it is
 * there counts), else its kind, device, inode, size, modification and change times in ns (any
 * write, rename or chmod changes it). One readdir per directory and one lstat per entry; links
 * are not followed. A path that vanishes while it is read is left out (it is gone).
 */
export async function stateTree(root: string, skip: readonly string[]): Promise<StateTree> {
  const tree: StateTree = new Map();
  await walk(root, '', tree, new Set(skip));
  return tree;
}

/** The names in directory `dir`, unsorted; none when it is not there (or not a directory). */
export async function dirNames(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function walk(dir: string, prefix: string, tree: StateTree, skip: ReadonlySet<string>): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const dirs: string[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (prefix === '' && skip.has(entry.name)) return;
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        tree.set(rel, 'dir');
        dirs.push(entry.name);
        return;
      }
      try {
        const info = await lstat(join(dir, entry.name), { bigint: true });
        const kind = info.isSymbolicLink() ? 'link' : info.isFile() ? 'file' : 'other';
        tree.set(rel, `${kind}:${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`);
      } catch {
        // Removed between the readdir and the lstat.
      }
    }),
  );
  for (const name of dirs)
    await walk(join(dir, name), prefix === '' ? name : `${prefix}/${name}`, tree, skip);
}
