import { createHash } from 'node:crypto';
import type { BigIntStats, Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, readlink, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';

/**
 * How files reach the new tree. `copy`: every file its own (a reflink where the filesystem has
 * them, such as btrfs, XFS or APFS, else a real copy), so nothing written in the new tree reaches
 * the source. `link`: hard links, sharing every file with the source; only for a source omk owns.
 */
export type TreeMode = 'copy' | 'link';

/** A copy made by `copyTreeWithDigests`: what it holds, and digests of the source and the copy. */
export interface DigestedCopy {
  /** The tree it was copied from. */
  source: string;
  files: number;
  /** Relative paths, each directory before what it holds. */
  dirs: string[];
  /** Relative paths of the files copied. */
  filePaths: string[];
  /** The symbolic links, each with its text as it is in the source. */
  symlinks: { path: string; text: string }[];
  /** The source's `treeDigest`, each entry as it was just before it was copied. */
  sourceDigest: string;
  /** The copy's `contentDigest`, each file read just after it was copied (before anyone could write it). */
  contentDigest: string;
  /**
   * What `treeDigest` says of `tree`, a tree of hard links to the copy's files and of symbolic
   * links made anew, for as long as no file of the copy has been written or replaced since it was
   * made (the files' sizes and times are the copy's, recorded as each was made). The files at
   * `restamped` (relative paths) are looked at in `tree` instead: made there on their own.
   */
  copyDigest(tree: string, restamped?: readonly string[]): Promise<string>;
}

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
  checkout?: string,
): Promise<number> {
  return (await walkClone(source, target, mode, finalTarget, null, checkout)).files;
}

/**
 * `cloneTree` in `copy` mode that also records what it made and what `treeDigest` says of the
 * source, from the same walk: each entry of the source is looked at just before it is copied (so a
 * source changed while it is copied never matches it afterwards) and each file copied just after.
 */
export async function copyTreeWithDigests(
  source: string,
  target: string,
  finalTarget = target,
): Promise<DigestedCopy> {
  const record: Recorded = {
    dirs: [],
    filePaths: [],
    symlinks: [],
    sourceLines: [],
    fileLines: [],
    contentLines: [],
  };
  const { files } = await walkClone(source, target, 'copy', finalTarget, record);
  const { dirs, filePaths, symlinks, fileLines } = record;
  return {
    source,
    files,
    dirs,
    filePaths,
    symlinks,
    sourceDigest: digestLines(record.sourceLines),
    contentDigest: digestLines(record.contentLines),
    async copyDigest(tree, restamped = []) {
      const fresh = new Set(restamped);
      const lookedAt = await Promise.all(
        [...symlinks.map(({ path }) => path), ...fresh].map(async (path) =>
          digestLine(tree, join(tree, path), await lstat(join(tree, path), { bigint: true })),
        ),
      );
      const recorded = fileLines.filter((line) => !fresh.has(line.slice(0, line.indexOf('\0'))));
      return digestLines([...recorded, ...lookedAt]);
    },
  };
}

interface Recorded {
  dirs: string[];
  filePaths: string[];
  symlinks: { path: string; text: string }[];
  sourceLines: string[];
  fileLines: string[];
  contentLines: string[];
}

async function walkClone(
  source: string,
  target: string,
  mode: TreeMode,
  finalTarget: string,
  record: Recorded | null,
  checkout?: string,
): Promise<{ files: number }> {
  let files = 0;
  const stamp = async (root: string, path: string) =>
    digestLine(root, path, await lstat(path, { bigint: true }));
  const cloneDir = async (from: string, to: string): Promise<void> => {
    await mkdir(to);
    if (record && to !== target) record.dirs.push(relative(target, to));
    const entries = await readdir(from, { withFileTypes: true });
    // Everything at once: the copies overlap (a plain `fs.cp` copies one file at a time, several
    // times slower), and libuv's small thread pool bounds how many files are open.
    await Promise.all(
      entries.map(async (entry) => {
        const src = join(from, entry.name);
        const dst = join(to, entry.name);
        if (entry.isDirectory()) return cloneDir(src, dst);
        if (record) record.sourceLines.push(await stamp(source, src));
        if (entry.isSymbolicLink()) {
          const text = await readlink(src);
          record?.symlinks.push({ path: relative(target, dst), text });
          return symlink(retarget(text, source, finalTarget, checkout), dst);
        }
        if (!entry.isFile()) return; // sockets and fifos are not dependencies
        files += 1;
        // copyFile keeps the mode, so the executables under .bin stay executable.
        await (mode === 'link' ? link(src, dst) : copyFile(src, dst, constants.COPYFILE_FICLONE));
        if (record) {
          record.filePaths.push(relative(target, dst));
          record.fileLines.push(await stamp(target, dst));
          record.contentLines.push(await contentLine(target, dst));
        }
      }),
    );
  };
  await cloneDir(source, target);
  return { files };
}

/**
 * A digest of every entry's path, size and modification time: a file written in place (through
 * any hard link to it) changes it. Creating links does not (it changes ctime, not mtime).
 */
export async function treeDigest(root: string): Promise<string> {
  return (await treeStamp(root)).digest;
}

/**
 * `treeDigest`, and the latest change time (ctime, in ns) of any entry: every write, `chmod`,
 * `touch -r` and hard link sets an inode's change time to now, and nobody but root can set it back.
 */
export async function treeStamp(root: string): Promise<{ digest: string; changedNs: bigint }> {
  const lines: string[] = [];
  let changedNs = 0n;
  await eachEntry(root, async (path) => {
    const info = await lstat(path, { bigint: true });
    if (info.ctimeNs > changedNs) changedNs = info.ctimeNs;
    lines.push(digestLine(root, path, info));
  });
  return { digest: digestLines(lines), changedNs };
}

/** Visits every entry under `root` that is not a directory (directories are walked, in parallel). */
async function eachEntry(
  root: string,
  visit: (path: string, entry: Dirent) => Promise<void> | void,
): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return walk(path);
        await visit(path, entry);
      }),
    );
  };
  await walk(root);
}

/**
 * A digest of every regular file's path and content (symbolic links and directories are
 * `treeDigest`'s): a file written in place whose size and modification time were set back
 * (`touch -r`) still changes it. It reads every byte, so it is taken only where sizes and times
 * cannot be trusted: omk's shared copy of node_modules, which every worktree links to.
 */
export async function contentDigest(root: string): Promise<string> {
  const files: string[] = [];
  await eachEntry(root, (path, entry) => {
    if (entry.isFile()) files.push(path);
  });
  return digestLines(await Promise.all(files.map((path) => contentLine(root, path))));
}

/** At most this many files are read at once (each read holds a descriptor and the file's bytes). */
const READS_AT_ONCE = 32;
let reading = 0;
const waiting: (() => void)[] = [];

async function contentLine(root: string, path: string): Promise<string> {
  // A finished read hands its slot straight to the next waiting one.
  if (reading >= READS_AT_ONCE) await new Promise<void>((resume) => waiting.push(resume));
  else reading += 1;
  try {
    const digest = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    return `${relative(root, path)}\0${digest}`;
  } finally {
    const next = waiting.shift();
    if (next) next();
    else reading -= 1;
  }
}

function digestLine(root: string, path: string, info: BigIntStats): string {
  return `${relative(root, path)}\0${info.size}\0${info.mtimeNs}`;
}

function digestLines(lines: string[]): string {
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/**
 * A link's text for the new tree: an absolute link into `source` points at the same place in
 * `target`, and one into the directory holding `source` (the checkout: a workspace package's
 * `node_modules/a -> <checkout>/packages/a`) at the same place beside `target` (the worktree's
 * own package, the agent's code, never the user's).
 */
export function retarget(linkText: string, source: string, target: string, checkout?: string): string {
  if (!isAbsolute(linkText)) return linkText;
  // `checkout`: the tree `source` is a copy of (omk's snapshot, made by an omk that kept such links).
  for (const [from, to] of [
    [source, target],
    [dirname(source), dirname(target)],
    ...(checkout ? [[checkout, dirname(target)] as const] : []),
  ] as const) {
    const inside = relative(from, linkText);
    if (!inside.startsWith('..') && !isAbsolute(inside)) return join(to, inside);
  }
  return linkText;
}
