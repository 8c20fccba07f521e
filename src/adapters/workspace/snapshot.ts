import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isPidAlive } from '../process/host.js';
import {
  cloneTree,
  contentDigest,
  copyTreeWithDigests,
  type DigestedCopy,
  retarget,
  treeDigest,
  treeStamp,
} from './copy-tree.js';

/** How a worktree's node_modules was made. */
export interface GivenTree {
  files: number;
  how: string;
}

/** Why the host may refuse a hard link to a checkout's file; the worktree then gets a copy. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'EMLINK']);

/** How many snapshots of one checkout are kept (other lockfiles, other branches), newest first. */
const KEEP_PER_CHECKOUT = 3;

/**
 * Snapshots under the state root's shared cache, one per checkout and manifests: omk's own copy
 * of the checkout's node_modules, which worktrees of every goal hard-link to (ten times faster
 * than copying). The user's files are never linked: with no intact snapshot, the worktree gets a
 * real copy of the checkout's, and the snapshot is then made of links to that copy's files, in the
 * background, while the worktree is already in use. A snapshot is used only while the digests
 * taken when its copy was made still hold: the checkout's node_modules (a reinstall or an edit
 * there makes a new copy; checked once per `scope`, the goal, in this process) and the copy's own,
 * by sizes and times and then by content (a file written in place through any worktree's link
 * changes it, its time set back or not, and the next worktree gets a fresh copy).
 */
export function createSnapshots() {
  const queue = new Map<string, Promise<unknown>>();
  const sourceChecked = new Set<string>();
  /** Runs `work` after what is queued for the snapshot at `dir` (errors there are not this one's). */
  const after = <T>(dir: string, work: () => Promise<T>): Promise<T> =>
    (queue.get(dir) ?? Promise.resolve()).catch(() => {}).then(work);
  return {
    /**
     * Makes `partial` the checkout's node_modules (`source`) for a worktree whose node_modules it
     * becomes, `target`: linked from the intact snapshot at `dir`, else copied. `seal` runs on
     * `partial` before it is renamed to `target`.
     */
    give(request: TreeRequest): Promise<GivenTree> {
      // One at a time per snapshot in this process (a wave's slices would otherwise all copy),
      // and after the background fill of the snapshot an earlier call started.
      const { dir, scope } = request;
      const key = `${scope}\0${dir}`;
      const next = after(dir, () => give(request, sourceChecked.has(key)));
      const given = next.then(({ given }) => {
        sourceChecked.add(key);
        return given;
      });
      queue.set(
        dir,
        next.then(({ filling }) => filling),
      );
      return given;
    },
    /**
     * For the base worktree, whose gates run only the checkout's own code: `target` made of hard
     * links to the checkout's files at once, and the snapshot at `dir`, unless intact, copied
     * from the checkout in the background (the next `give` waits for it). Null when the host
     * refuses the links (another filesystem, files of another user): `give` copies instead.
     */
    async lend(request: TreeRequest): Promise<GivenTree | null> {
      const { source, dir, partial, target } = request;
      await rm(partial, { recursive: true, force: true });
      let files: number;
      try {
        files = await cloneTree(source, partial, 'link', target);
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        // Another filesystem, a file of another user's (protected_hardlinks), too many links.
        if (LINK_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) return null;
        throw error;
      }
      await request.seal(partial);
      await rename(partial, target);
      queue.set(
        dir,
        after(dir, () => copyFromCheckout(source, dir)).catch(() => {}),
      );
      return { files, how: "hard links to the checkout's files, for the base's gates only" };
    },
    /** Settles once no snapshot is being made in the background. */
    async idle(): Promise<void> {
      await Promise.all([...queue.values()].map((work) => work.catch(() => {})));
    },
  };
}

/** A worktree's node_modules to make (see `give`). */
export interface TreeRequest {
  /** The checkout's node_modules. */
  source: string;
  /** The snapshot's directory in the shared cache. */
  dir: string;
  /** The checkout's digest is taken once per scope (the goal) in this process. */
  scope: string;
  partial: string;
  target: string;
  seal: (tree: string) => Promise<void>;
  /** The files `seal` writes at the top of the tree (replacing the checkout's of that name). */
  sealed: readonly string[];
}

async function give(
  request: TreeRequest,
  sourceChecked: boolean,
): Promise<{ given: GivenTree; filling: Promise<void> }> {
  const { source, dir, partial, target } = request;
  const done = async (given: GivenTree, filling: Promise<void> = Promise.resolve()) => {
    await request.seal(partial);
    await rename(partial, target);
    return { given, filling };
  };
  await rm(partial, { recursive: true, force: true });
  if (await intact(source, dir, sourceChecked)) {
    try {
      const files = await cloneTree(join(dir, 'node_modules'), partial, 'link', target, dirname(source));
      await markLinked(dir);
      return await done({ files, how: "linked from omk's shared cache" });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EXDEV: the state root spans filesystems; ENOENT: another omk process set it aside.
      if (code !== 'EXDEV' && code !== 'ENOENT') throw error;
      await rm(partial, { recursive: true, force: true });
    }
  }
  if (await exists(dir)) await setAside(dir);
  const copied = await copyTreeWithDigests(source, partial, target);
  const given = await done({ files: copied.files, how: 'copied' });
  return { ...given, filling: fill(dir, target, copied, request.sealed).catch(() => {}) };
}

/**
 * Whether the snapshot at `dir` was made completely and its digests still hold: the checkout's
 * and the snapshot's sizes and times, then the snapshot's content. Sizes and times alone do not
 * do: a process of the user's (an unsandboxed agent) can write a linked file in place and set its
 * time back, and every later worktree would get that file. The content is read only when some
 * file's change time is past `changed-mark`, the latest one omk saw when it last knew the content
 * whole (after reading it, or right after its own links, which change every file's change time):
 * a write, even with its times set back, moves the change time, which only root can set back.
 */
async function intact(source: string, dir: string, sourceChecked: boolean): Promise<boolean> {
  const [stamp, sourceStamp, contentStamp, mark] = await Promise.all([
    readOrNull(join(dir, 'digest')),
    readOrNull(join(dir, 'source-digest')),
    readOrNull(join(dir, 'content-digest')),
    readOrNull(join(dir, 'changed-mark')),
  ]);
  if (stamp === null || sourceStamp === null || contentStamp === null) return false;
  const tree = join(dir, 'node_modules');
  const [now, sourceNow] = await Promise.all([
    treeStamp(tree).catch(() => null),
    sourceChecked ? sourceStamp : treeDigest(source).catch(() => null),
  ]);
  if (now === null || stamp !== now.digest || sourceStamp !== sourceNow) return false;
  if (mark !== null && /^[0-9]+$/.test(mark) && now.changedNs <= BigInt(mark)) return true;
  if (contentStamp !== (await contentDigest(tree).catch(() => null))) return false;
  // A write while the content was read moves a change time past `now`'s: the next look reads again.
  await writeMark(dir, now.changedNs);
  return true;
}

/**
 * After omk linked the intact snapshot into a worktree (every file's change time is now): the
 * latest change time, unless a size or time changed meanwhile (then the next look reads the
 * content). What is written in place with its times set back while omk links is not seen.
 */
async function markLinked(dir: string): Promise<void> {
  const [stamp, now] = await Promise.all([
    readOrNull(join(dir, 'digest')),
    treeStamp(join(dir, 'node_modules')).catch(() => null),
  ]);
  if (now !== null && stamp === now.digest) await writeMark(dir, now.changedNs);
}

async function writeMark(dir: string, changedNs: bigint): Promise<void> {
  const temp = join(dir, `changed-mark.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await writeFile(temp, String(changedNs));
  await rename(temp, join(dir, 'changed-mark'));
}

/**
 * Makes the snapshot at `dir` of hard links to the files of a worktree's fresh copy (`from`),
 * entry by entry as the copy recorded them: what a gate added to the worktree since is not taken,
 * and a file written or replaced there since no longer matches the copy's digest, so the next
 * worktree makes a fresh copy instead. Symbolic links are made anew, pointing into the snapshot.
 */
function fill(dir: string, from: string, copied: DigestedCopy, sealed: readonly string[]): Promise<void> {
  // What the seal wrote over in the worktree (a `.gitignore` of the checkout's) is the checkout's
  // again in the snapshot, copied from it: linked, it would never match the copy's digest.
  const own = copied.filePaths.filter((path) => sealed.includes(path));
  return publish(dir, async (tree) => {
    await mkdir(tree, { recursive: true });
    for (const path of copied.dirs) await mkdir(join(tree, path));
    await Promise.all([
      ...copied.filePaths.map((path) =>
        own.includes(path)
          ? copyFile(join(copied.source, path), join(tree, path))
          : link(join(from, path), join(tree, path)),
      ),
      ...copied.symlinks.map(({ path, text }) =>
        symlink(retarget(text, copied.source, join(dir, 'node_modules')), join(tree, path)),
      ),
    ]);
    return { ...copied, copyDigest: (at) => copied.copyDigest(at, own) };
  });
}

/**
 * Makes the snapshot at `dir` a copy of the checkout's node_modules (`source`) made straight into
 * the shared cache, unless the one there is intact: what the base worktree's hard links to the
 * checkout's files leave for the other worktrees to link to.
 */
async function copyFromCheckout(source: string, dir: string): Promise<void> {
  if (await intact(source, dir, false)) return;
  if (await exists(dir)) await setAside(dir);
  await publish(dir, async (tree) => {
    await mkdir(dirname(tree), { recursive: true });
    return copyTreeWithDigests(source, tree, join(dir, 'node_modules'));
  });
}

/**
 * Makes the snapshot in `dir.partial-<pid>` (its tree by `make`), writes its digests and renames
 * it to `dir`; half of one is never left under `dir`.
 */
async function publish(dir: string, make: (tree: string) => Promise<DigestedCopy>): Promise<void> {
  const partial = `${dir}.partial-${process.pid}`;
  const tree = join(partial, 'node_modules');
  try {
    await rm(partial, { recursive: true, force: true });
    const copied = await make(tree);
    await writeFile(join(partial, 'source-digest'), copied.sourceDigest);
    // Of the copy as it was made: a file written in the worktree before the snapshot links to it
    // does not match.
    await writeFile(join(partial, 'content-digest'), copied.contentDigest);
    // The snapshot's digest last: a snapshot without one is made again.
    await writeFile(join(partial, 'digest'), await copied.copyDigest(tree));
    await mkdir(dirname(dir), { recursive: true });
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another omk process made it meanwhile: theirs is as good.
    if (await exists(join(dir, 'digest'))) return;
    throw error;
  }
  await pruneSiblings(dir);
}

/**
 * Stale, half made, or written to through a worktree's link: renamed away (worktrees linked to it
 * keep their files), and removed in the background.
 */
async function setAside(dir: string): Promise<void> {
  const stale = `${dir}.stale-${process.pid}-${Date.now()}`;
  await rename(dir, stale).catch((error: NodeJS.ErrnoException) => {
    // Another omk process set it aside first.
    if (error.code !== 'ENOENT') throw error;
  });
  void rm(stale, { recursive: true, force: true }).catch(() => {});
}

/**
 * Keeps the checkout's newest snapshots (by when they were made); older ones are set aside. Half
 * made ones of an omk process that is gone (killed while making one) are removed.
 */
async function pruneSiblings(dir: string): Promise<void> {
  const parent = dirname(dir);
  const all = await readdir(parent);
  await Promise.all(
    all
      .filter((name) => !isPidAlive(Number(/\.partial-(\d+)$/.exec(name)?.[1] ?? process.pid)))
      .map((name) => rm(join(parent, name), { recursive: true, force: true })),
  );
  const names = all.filter((name) => !name.includes('.'));
  const made = await Promise.all(
    names.map(async (name) => ({
      path: join(parent, name),
      at: (await stat(join(parent, name, 'digest')).catch(() => null))?.mtimeMs ?? null,
    })),
  );
  const old = made
    .filter((entry) => entry.at !== null && basename(entry.path) !== basename(dir))
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))
    .slice(KEEP_PER_CHECKOUT - 1);
  await Promise.all(old.map((entry) => setAside(entry.path)));
}

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
