import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

/**
 * How files reach the new tree. `copy`: every file its own (a reflink where the filesystem has
 * them, such as btrfs, XFS or APFS, else a real copy), so nothing written in the new tree reaches
 * the source. `link`: hard links, sharing every file with the source; only for a source omk owns.
 */
export type TreeMode = 'copy' | 'link';

/**
 * Makes `target` a tree of the same directories, files and symbolic links as `source`. Symbolic
 * links are copied as links; an absolute one that points into the source is pointed at the same
 * place in the new tree, as it will be named once it is moved to `finalTarget`. Returns how many
 * files it copied or linked.
 */
export async function cloneTree(
  source: string,
  target: string,
  mode: TreeMode,
  finalTarget = target,
): Promise<number> {
  let files = 0;
  const cloneDir = async (from: string, to: string): Promise<void> => {
    await mkdir(to);
    const entries = await readdir(from, { withFileTypes: true });
    // Everything at once: the copies overlap (a plain `fs.cp` copies one file at a time, several
    // times slower), and libuv's small thread pool bounds how many files are open.
    await Promise.all(
      entries.map(async (entry) => {
        const src = join(from, entry.name);
        const dst = join(to, entry.name);
        if (entry.isDirectory()) return cloneDir(src, dst);
        if (entry.isSymbolicLink()) return symlink(retarget(await readlink(src), source, finalTarget), dst);
        if (!entry.isFile()) return; // sockets and fifos are not dependencies
        files += 1;
        // copyFile keeps the mode, so the executables under .bin stay executable.
        return mode === 'link' ? link(src, dst) : copyFile(src, dst, constants.COPYFILE_FICLONE);
      }),
    );
  };
  await cloneDir(source, target);
  return files;
}

/**
 * A digest of every entry's path, size and modification time: a file written in place (through
 * any hard link to it) changes it. Creating links does not (it changes ctime, not mtime).
 */
export async function treeDigest(root: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return walk(path);
        const info = await lstat(path, { bigint: true });
        lines.push(`${relative(root, path)}\0${info.size}\0${info.mtimeNs}`);
      }),
    );
  };
  await walk(root);
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

function retarget(linkText: string, source: string, target: string): string {
  if (!isAbsolute(linkText)) return linkText;
  const inside = relative(source, linkText);
  return inside.startsWith('..') || isAbsolute(inside) ? linkText : join(target, inside);
}
