import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type {
  IntegrityBaselineScope,
  IntegrityChange,
  IntegrityScope,
  IntegrityWatch,
} from '../../runtime/integrity/port.js';
import { replaceRefs, restoreReplaceRef } from '../git/replace-refs.js';
import { gitCommonDir } from '../git/stale-locks.js';
import { canonicalPath, listWorktrees } from '../git/worktree.js';
import { type OwnBranchesWatch, watchOwnBranches } from './own-branches.js';

/** What one path held: file bytes, a link's text, something else (a directory), or nothing. */
type Content =
  | { kind: 'file'; bytes: Buffer; mode: number }
  | { kind: 'link'; target: string }
  | { kind: 'other' }
  | null;

interface Watched {
  /** Named without machine paths: it goes into findings, the proof and PR bodies. */
  what: string;
  path: string;
  content: Content;
  restorable: boolean;
  /**
   * The worktree whose git files these are (its name under `.git/worktrees/`): compared only when
   * that worktree is there before and after, since omk adds and removes its own while agents run.
   */
  worktree?: string;
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
    scope.repoRoot,
    await watchOwnBranches(scope.repoRoot, scope.worktree),
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
    scope.repoRoot,
  );
}

async function compareWith(
  take: () => Promise<Watched[]>,
  heads: () => Promise<Map<string, string>>,
  repoRoot: string,
  branches?: OwnBranchesWatch,
): Promise<IntegrityWatch> {
  const before = await take();
  const headsBefore = await heads();
  const replaceBefore = await replaceRefs(repoRoot);
  return {
    async check() {
      const after = await take();
      const changes: IntegrityChange[] = [];
      const present = (entries: Watched[]) => new Set(entries.map((entry) => entry.worktree));
      const [was, is] = [present(before), present(after)];
      const both = (entry: Watched) =>
        entry.worktree === undefined || (was.has(entry.worktree) && is.has(entry.worktree));
      const byPath = new Map(after.filter(both).map((entry) => [entry.path, entry]));
      for (const entry of before.filter(both)) {
        const now = byPath.get(entry.path);
        byPath.delete(entry.path);
        const change = compare(entry.content, now?.content ?? null);
        if (change === null || sameIgnoringOmk(entry, now)) continue;
        const restored = entry.restorable && (await restore(entry.path, restoredContent(entry, now)));
        changes.push({ what: entry.what, change, restored });
      }
      // Files that were not there before: planted hooks, new info files, a new ~/.gitconfig.
      for (const entry of byPath.values()) {
        if (sameIgnoringOmk({ ...entry, content: null }, entry)) continue;
        const restored = entry.restorable && (await restore(entry.path, restoredContent(null, entry)));
        changes.push({ what: entry.what, change: 'added', restored });
      }
      const headsAfter = await heads();
      for (const [what, head] of headsBefore) {
        const now = headsAfter.get(what);
        if (now !== head)
          changes.push({ what, change: now === undefined ? 'removed' : 'changed', restored: false });
      }
      changes.push(...(await replaceChanges(repoRoot, replaceBefore)));
      changes.push(...((await branches?.check()) ?? []));
      return changes.sort((a, b) => (a.what < b.what ? -1 : a.what > b.what ? 1 : 0));
    },
  };
}

/**
 * The `refs/replace/` refs added, moved or removed since `before`, each put back (an added one
 * deleted): the user's git would otherwise read another object's content for a commit's blob.
 */
async function replaceChanges(repoRoot: string, before: Map<string, string>): Promise<IntegrityChange[]> {
  const after = await replaceRefs(repoRoot);
  const changes: IntegrityChange[] = [];
  for (const ref of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(ref), after.get(ref)];
    if (was === is) continue;
    const change = was === undefined ? 'added' : is === undefined ? 'removed' : 'changed';
    const restored = await restoreReplaceRef(repoRoot, ref, was ?? null);
    changes.push({ what: `the replace ref ${ref}`, change, restored });
  }
  return changes;
}

async function snapshotFiles(scope: IntegrityScope, commonDir: string): Promise<Watched[]> {
  return [
    ...(await sharedFiles(scope, commonDir)),
    await single(".gitmodules of the slice's worktree", join(scope.worktree, '.gitmodules'), false),
    ...(await worktreeGitFiles(commonDir)),
  ];
}

/**
 * Each linked worktree's git files that decide which config omk's git reads there: its
 * `config.worktree` (read once `extensions.worktreeConfig` is on, which omk itself turns on), its
 * `commondir` and `gitdir`, and the `.git` file in the worktree (a `gitdir:` line an agent could
 * point at a repository of its own, with its own config).
 */
async function worktreeGitFiles(commonDir: string): Promise<Watched[]> {
  const admin = join(commonDir, 'worktrees');
  const names = (await readdir(admin).catch(() => [])).sort().slice(0, MAX_FILES_PER_DIR);
  const files: Watched[] = [];
  for (const name of names) {
    const dir = join(admin, name);
    const gitdir = await readFile(join(dir, 'gitdir'), 'utf8').catch(() => null);
    const checkout = gitdir === null ? null : gitdir.trim();
    // A worktree omk removed (or is removing) is no longer there to be read through.
    if (checkout === null || (await lstat(dirname(checkout)).catch(() => null)) === null) continue;
    const label = `.git/worktrees/${name}`;
    for (const file of ['config.worktree', 'commondir', 'gitdir'])
      files.push({ ...(await single(`${label}/${file}`, join(dir, file), true)), worktree: name });
    files.push({
      ...(await single(`the .git file of worktree ${name}`, checkout, true)),
      worktree: name,
    });
  }
  return files;
}

async function sharedFiles(scope: IntegrityBaselineScope, commonDir: string): Promise<Watched[]> {
  const files: Watched[] = [
    await single('.git/config', join(commonDir, 'config'), true),
    // The repository's own checkout reads it once `extensions.worktreeConfig` is on.
    await single('.git/config.worktree', join(commonDir, 'config.worktree'), true),
    ...(await tree('.git/hooks', join(commonDir, 'hooks'))),
    ...(await tree('.git/info', join(commonDir, 'info'))),
    // Where git also reads objects from (another directory's, or a URL's), and where a git
    // directory's refs and objects are (a `commondir` file in the checkout's own .git).
    await single('.git/objects/info/alternates', join(commonDir, 'objects', 'info', 'alternates'), true),
    await single(
      '.git/objects/info/http-alternates',
      join(commonDir, 'objects', 'info', 'http-alternates'),
      true,
    ),
    await single('.git/commondir', join(commonDir, 'commondir'), true),
    // Commits git takes to have no parents: history, merge bases and ancestry checks stop there.
    // Only a fetch with a depth writes it (a shallow checkout's, before omk starts); omk's pass none.
    await single('.git/shallow', join(commonDir, 'shallow'), true),
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
    if (!info.isFile()) return { kind: 'other' };
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
  if (before.kind === 'other' && after.kind === 'other') return null;
  return 'changed';
}

// omk's own git writes these into the shared config while agents run (the first sparse worktree of
// a goal turns on per-worktree config): not the agent's doing.
const OMK_CONFIG_LINES =
  /^\s*(?:\[extensions\]|worktreeconfig\s*=\s*true|repositoryformatversion\s*=\s*[01])\s*$/i;

// What `git sparse-checkout` writes into a worktree's config.worktree (and blank lines).
const OMK_WORKTREE_LINES =
  /^\s*(?:\[core\]|\[index\]|sparsecheckout\s*=\s*(?:true|false)|sparsecheckoutcone\s*=\s*(?:true|false)|sparse\s*=\s*(?:true|false))?\s*$/i;

/** omk's own lines of a config it writes into while agents run, or null for any other file. */
function omkLines(what: string): RegExp | null {
  if (what === '.git/config') return OMK_CONFIG_LINES;
  if (what.endsWith('config.worktree')) return OMK_WORKTREE_LINES;
  return null;
}

function withoutLines(content: Content, lines: RegExp, keep: boolean): string {
  if (content?.kind !== 'file') return '';
  return content.bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => lines.test(line) === keep)
    .join('\n');
}

function sameIgnoringOmk(before: Watched, after: Watched | undefined): boolean {
  const lines = omkLines(before.what);
  if (lines === null || after === undefined) return false;
  if (before.content?.kind === 'link' || after.content?.kind === 'link') return false;
  if (before.content?.kind === 'other' || after.content?.kind === 'other') return false;
  // A config.worktree holding only omk's lines is as good as none; .git/config must stay a file.
  if (lines === OMK_CONFIG_LINES && (before.content === null || after.content === null)) return false;
  return withoutLines(before.content, lines, false) === withoutLines(after.content, lines, false);
}

/**
 * What a changed file goes back to: the snapshot, except a config.worktree that held nothing but
 * omk's lines, which keeps the lines omk's sparse checkout wrote since and loses the rest.
 */
function restoredContent(before: Watched | null, after: Watched | undefined): Content {
  const what = before?.what ?? after?.what ?? '';
  const lines = what.endsWith('config.worktree') ? OMK_WORKTREE_LINES : null;
  if (lines === null || (before !== null && withoutLines(before.content, lines, false).trim() !== ''))
    return before?.content ?? null;
  const kept = withoutLines(after?.content ?? null, lines, true).trim();
  // Section headers alone are nothing of omk's to keep.
  if (kept.split('\n').every((line) => /^\s*(?:\[[a-z]+\])?\s*$/i.test(line))) return null;
  const mode = after?.content?.kind === 'file' ? after.content.mode : 0o644;
  return { kind: 'file', bytes: Buffer.from(`${kept}\n`), mode };
}

/** Puts `path` back as it was (nothing, a file with its mode, or a link); false when it could not. */
async function restore(path: string, content: Content): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true });
    if (content === null) return true;
    if (content.kind === 'other') return false;
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
