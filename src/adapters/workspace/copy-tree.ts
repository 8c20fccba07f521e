import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

/**
 * Copies a directory tree so that nothing written in the copy reaches the source: every file is
 * a file of its own (a reflink where the filesystem has them, such as btrfs, XFS or APFS, else a
 * real copy; never a hard link). Symbolic links are copied as links; an absolute one that points
 * into the source is pointed at the same place in the copy, as it will be named once it is moved to
 * `finalTarget`. Returns how many files it copied.
 */
export async function copyTree(source: string, target: string, finalTarget = target): Promise<number> {
  let files = 0;
  const copyDir = async (from: string, to: string): Promise<void> => {
    await mkdir(to);
    const entries = await readdir(from, { withFileTypes: true });
    // Everything at once: the copies overlap (a plain `fs.cp` copies one file at a time, several
    // times slower), and libuv's small thread pool bounds how many files are open.
    await Promise.all(
      entries.map(async (entry) => {
        const src = join(from, entry.name);
        const dst = join(to, entry.name);
        if (entry.isDirectory()) return copyDir(src, dst);
        if (entry.isSymbolicLink()) return symlink(retarget(await readlink(src), source, finalTarget), dst);
        if (!entry.isFile()) return; // sockets and fifos are not dependencies
        files += 1;
        // copyFile keeps the mode, so the executables under .bin stay executable.
        return copyFile(src, dst, constants.COPYFILE_FICLONE);
      }),
    );
  };
  await copyDir(source, target);
  return files;
}

function retarget(link: string, source: string, target: string): string {
  if (!isAbsolute(link)) return link;
  const inside = relative(source, link);
  return inside.startsWith('..') || isAbsolute(inside) ? link : join(target, inside);
}
