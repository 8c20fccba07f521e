import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type {
  IntegrityBaselineScope,
  IntegrityChange,
  IntegrityScope,
  IntegrityWatch,
} from '../../runtime/integrity/port.js';
import { gitCommonDir } from '../git/stale-locks.js';
import { canonicalPath, listWorktrees } from '../git/worktree.js';

/** What one path held: file bytes, a link's text, or nothing. */
type Content = { kind: 'file'; bytes: Buffer; mode: number } | { kind: 'link'; target: string } | null;

interface Watched {
  /** Named without machine paths: it goes into findings, the proof and PR bodies. */
  what: string;
  path: string;
  content: Content;
  restorable: boolean;
}

/** Bounds on a planted tree of hooks or info files, so a flood costs a bounded snapshot. */
const MAX_FILES_PER_DIR = 500;
const MAX_DEPTH = 4;

/**
 * Snapshots the shared git directory's config, hooks and info, the checkouts' .gitmodules, the
 * HOME's git config and the other worktrees' HEADs; `check` compares, restores config, hooks and
 * info to the snapshot and reports every difference.
 */
export async function watchIntegrity(scope: IntegrityScope): Promise<IntegrityWatch> {
  const commonDir = await gitCommonDir(scope.repoRoot);
  return compareWith(
    () => snapshotFiles(scope, commonDir),
    () => otherHeads(scope),
  );
}

/**
 * The goal run's baseline: what must never change (the shared git directory's config, hooks and
 * info, the repository's .gitmodules, HOME's git config), taken once; no worktree's own files or
 * HEADs, which omk itself moves between runs.
 */
export async function baselineIntegrity(scope: IntegrityBaselineScope): Promise<IntegrityWatch> {
  const commonDir = await gitCommonDir(scope.repoRoot);
  return compareWith(
    () => sharedFiles(scope, commonDir),
    async () => new Map(),
  );
}

async function compareWith(
  take: () => Promise<Watched[]>,
  heads: () => Promise<Map<string, string>>,
): Promise<IntegrityWatch> {
  const before = await take();
  const headsBefore = await heads();
  return {
    async check() {
      const after = await take();
      const changes: IntegrityChange[] = [];
      const byPath = new Map(after.map((entry) => [entry.path, entry]));
      for (const entry of before) {
        const now = byPath.get(entry.path);
        byPath.delete(entry.path);
        const change = compare(entry.content, now?.content ?? null);
        if (change === null || sameIgnoringOmk(entry, now)) continue;
        const restored = entry.restorable && (await restore(entry.path, entry.content));
        changes.push({ what: entry.what, change, restored });
      }
      // Files that were not there before: planted hooks, new info files, a new ~/.gitconfig.
      for (const entry of byPath.values()) {
        const restored = entry.restorable && (await restore(entry.path, null));
        changes.push({ what: entry.what, change: 'added', restored });
      }
      const headsAfter = await heads();
      for (const [what, head] of headsBefore) {
        const now = headsAfter.get(what);
        if (now !== head)
          changes.push({ what, change: now === undefined ? 'removed' : 'changed', restored: false });
      }
      return changes.sort((a, b) => (a.what < b.what ? -1 : a.what > b.what ? 1 : 0));
    },
  };
}

async function snapshotFiles(scope: IntegrityScope, commonDir: string): Promise<Watched[]> {
  return [
    ...(await sharedFiles(scope, commonDir)),
    await single(".gitmodules of the slice's worktree", join(scope.worktree, '.gitmodules'), false),
  ];
}

async function sharedFiles(scope: IntegrityBaselineScope, commonDir: string): Promise<Watched[]> {
  const files: Watched[] = [
    await single('.git/config', join(commonDir, 'config'), true),
    ...(await tree('.git/hooks', join(commonDir, 'hooks'))),
    ...(await tree('.git/info', join(commonDir, 'info'))),
    await single('.gitmodules of the repository', join(scope.repoRoot, '.gitmodules'), false),
  ];
  if (scope.home !== null) {
    files.push(await single('~/.gitconfig', join(scope.home, '.gitconfig'), true));
    files.push(await single('~/.config/git/config', join(scope.home, '.config', 'git', 'config'), true));
  }
  return files;
}

async function single(what: string, path: string, restorable: boolean): Promise<Watched> {
  return { what, path, content: await read(path), restorable };
}

/** Every file under `dir` (links as links, never followed), bounded in depth and count. */
async function tree(label: string, dir: string): Promise<Watched[]> {
  const found: Watched[] = [];
  const walk = async (at: string, depth: number): Promise<void> => {
    let entries: string[];
    try {
      entries = (await readdir(at)).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (found.length >= MAX_FILES_PER_DIR) return;
      const path = join(at, name);
      const info = await lstat(path).catch(() => null);
      if (info === null) continue;
      if (info.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(path, depth + 1);
        continue;
      }
      const what = `${label}/${relative(dir, path).split(sep).join('/')}`;
      found.push({ what, path, content: await read(path), restorable: true });
    }
  };
  await walk(dir, 0);
  return found;
}

async function read(path: string): Promise<Content> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return { kind: 'link', target: await readlink(path) };
    if (!info.isFile()) return null;
    return { kind: 'file', bytes: await readFile(path), mode: info.mode & 0o777 };
  } catch {
    return null;
  }
}

function compare(before: Content, after: Content): IntegrityChange['change'] | null {
  if (before === null && after === null) return null;
  if (before === null) return 'added';
  if (after === null) return 'removed';
  if (before.kind === 'link' && after.kind === 'link')
    return before.target === after.target ? null : 'changed';
  if (before.kind === 'file' && after.kind === 'file')
    return before.bytes.equals(after.bytes) && before.mode === after.mode ? null : 'changed';
  return 'changed';
}

// omk's own git writes these into the shared config while agents run (the first sparse worktree of
// a goal turns on per-worktree config): not the agent's doing.
const OMK_CONFIG_LINES =
  /^\s*(?:\[extensions\]|worktreeconfig\s*=\s*true|repositoryformatversion\s*=\s*[01])\s*$/i;

function sameIgnoringOmk(before: Watched, after: Watched | undefined): boolean {
  if (before.what !== '.git/config' || before.content?.kind !== 'file' || after?.content?.kind !== 'file')
    return false;
  const strip = (bytes: Buffer) =>
    bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => !OMK_CONFIG_LINES.test(line))
      .join('\n');
  return strip(before.content.bytes) === strip(after.content.bytes);
}

/** Puts `path` back as it was (nothing, a file with its mode, or a link); false when it could not. */
async function restore(path: string, content: Content): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true });
    if (content === null) return true;
    await mkdir(dirname(path), { recursive: true });
    if (content.kind === 'link') await symlink(content.target, path);
    else await writeFile(path, content.bytes, { mode: content.mode });
    return true;
  } catch {
    return false;
  }
}

/** HEADs of the repository's worktrees other than the slice's and omk's own for this goal. */
async function otherHeads(scope: IntegrityScope): Promise<Map<string, string>> {
  const self = await canonicalPath(scope.worktree);
  const main = await canonicalPath(scope.repoRoot);
  const own =
    scope.ownWorktreesUnder === null ? null : `${await canonicalPath(scope.ownWorktreesUnder)}${sep}`;
  const heads = new Map<string, string>();
  for (const entry of await listWorktrees(scope.repoRoot)) {
    if (entry.path === self || (own !== null && entry.path.startsWith(own)) || entry.prunable) continue;
    const name =
      entry.path === main
        ? "the repository's checkout"
        : `worktree ${entry.branch?.replace(/^refs\/heads\//, '') ?? relative(dirname(main), entry.path)}`;
    heads.set(`HEAD of ${name}`, `${entry.branch ?? ''} ${entry.head ?? ''}`);
  }
  return heads;
}
