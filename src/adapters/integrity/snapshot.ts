import { lstat, readdir, readFile } from 'node:fs/promises';
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
import {
  type Content,
  compare,
  MAX_FILES_PER_DIR,
  restore,
  single,
  tree,
  type Watched,
} from './watched-files.js';

/** A repository whose `refs/replace/` refs are compared, and how its refs are named. */
interface ReplaceRefsOf {
  repo: string;
  label: string;
  /**
   * A branch checkout's: compared only while its `.git` is still a directory (one replaced is
   * named with the clone's files; listing its refs would run git in the repository it names).
   */
  clone?: true;
}

/** How the files of a branch checkout's own git directory are named in findings. */
const CLONE_GIT = "the branch checkout's .git";

/**
 * Snapshots the shared git directory's config, hooks and info (and a branch checkout's own, when
 * the slice runs in one), the checkouts' .gitmodules, the HOME's git config and the other
 * worktrees' HEADs; `check` compares, restores config, hooks and info to the snapshot and reports
 * every difference.
 */
export async function watchIntegrity(scope: IntegrityScope): Promise<IntegrityWatch> {
  const commonDir = await gitCommonDir(scope.repoRoot);
  const clone = await cloneGitDir(scope.worktree, commonDir);
  const replace: ReplaceRefsOf[] = [{ repo: scope.repoRoot, label: 'the replace ref' }];
  if (clone !== null)
    replace.push({ repo: scope.worktree, label: "the branch checkout's replace ref", clone: true });
  const siblings = await siblingClones(scope);
  return compareWith(
    async () => [
      ...(await snapshotFiles(scope, commonDir)),
      ...(clone === null ? [] : await cloneGitFiles(clone)),
      ...(await siblingCloneFiles(siblings)),
    ],
    () => otherHeads(scope),
    replace,
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
    [{ repo: scope.repoRoot, label: 'the replace ref' }],
  );
}

async function compareWith(
  take: () => Promise<Watched[]>,
  heads: () => Promise<Map<string, string>>,
  replace: readonly ReplaceRefsOf[],
  branches?: OwnBranchesWatch,
): Promise<IntegrityWatch> {
  const before = await take();
  const headsBefore = await heads();
  const replaceBefore = await Promise.all(replace.map((of) => replaceRefs(of.repo)));
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
      for (const [index, of] of replace.entries())
        changes.push(...(await replaceChanges(of, replaceBefore[index] ?? new Map())));
      changes.push(...((await branches?.check()) ?? []));
      return changes.sort((a, b) => (a.what < b.what ? -1 : a.what > b.what ? 1 : 0));
    },
  };
}

/**
 * The `refs/replace/` refs added, moved or removed since `before`, each put back (an added one
 * deleted): the user's git would otherwise read another object's content for a commit's blob.
 */
async function replaceChanges(of: ReplaceRefsOf, before: Map<string, string>): Promise<IntegrityChange[]> {
  if (of.clone && !(await lstat(join(of.repo, '.git')).catch(() => null))?.isDirectory()) return [];
  const after = await replaceRefs(of.repo);
  const changes: IntegrityChange[] = [];
  for (const ref of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(ref), after.get(ref)];
    if (was === is) continue;
    const change = was === undefined ? 'added' : is === undefined ? 'removed' : 'changed';
    const restored = await restoreReplaceRef(of.repo, ref, was ?? null);
    changes.push({ what: `${of.label} ${ref}`, change, restored });
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
    ...(await gitDirFiles('.git', commonDir)),
    await single('.gitmodules of the repository', join(scope.repoRoot, '.gitmodules'), false),
  ];
  if (scope.home !== null) {
    files.push(await single('~/.gitconfig', join(scope.home, '.gitconfig'), true));
    files.push(await single('~/.config/git/config', join(scope.home, '.config', 'git', 'config'), true));
  }
  return files;
}

/**
 * The files of a git directory (`label` names it) that decide what git runs and reads there: its
 * config, hooks and info, where it also reads objects from, and what history it takes as whole.
 */
async function gitDirFiles(label: string, gitDir: string): Promise<Watched[]> {
  return [
    await single(`${label}/config`, join(gitDir, 'config'), true),
    // The repository's own checkout reads it once `extensions.worktreeConfig` is on.
    await single(`${label}/config.worktree`, join(gitDir, 'config.worktree'), true),
    ...(await tree(`${label}/hooks`, join(gitDir, 'hooks'))),
    ...(await tree(`${label}/info`, join(gitDir, 'info'))),
    // Where git also reads objects from (another directory's, or a URL's), and where a git
    // directory's refs and objects are (a `commondir` file in the checkout's own .git).
    await single(`${label}/objects/info/alternates`, join(gitDir, 'objects', 'info', 'alternates'), true),
    await single(
      `${label}/objects/info/http-alternates`,
      join(gitDir, 'objects', 'info', 'http-alternates'),
      true,
    ),
    await single(`${label}/commondir`, join(gitDir, 'commondir'), true),
    // Commits git takes to have no parents: history, merge bases and ancestry checks stop there.
    // Only a fetch with a depth writes it (a shallow checkout's, before omk starts); omk's pass none.
    await single(`${label}/shallow`, join(gitDir, 'shallow'), true),
  ];
}

/**
 * The slice's own git directory when it runs in a branch checkout (omk's fallback clone, whose
 * `.git` is a directory of its own, not a file naming `.git/worktrees/<name>`), else null. omk's
 * git reads its config there as it reads a worktree's `config.worktree`.
 */
async function cloneGitDir(worktree: string, commonDir: string): Promise<string | null> {
  const gitDir = join(worktree, '.git');
  if (!(await lstat(gitDir).catch(() => null))?.isDirectory()) return null;
  // The repository's own checkout: its .git is the shared one, watched already.
  return (await canonicalPath(gitDir)) === (await canonicalPath(commonDir)) ? null : gitDir;
}

/**
 * A branch checkout's git files: those of the shared git directory (omk writes none of them in a
 * clone after making it), and the `.git` directory itself, which a link or a `gitdir:` file could
 * replace with a repository of the agent's: named, not put back (its files are not kept, and omk
 * refuses the checkout from then on, branch-checkout.ts), and its files are then neither compared
 * nor restored: a restore would write through the link into whatever it names (the user's own
 * `.git`, say).
 */
async function cloneGitFiles(gitDir: string): Promise<Watched[]> {
  const self = await single(CLONE_GIT, gitDir, false);
  if (self.content?.kind !== 'other') return [self];
  const inside = await gitDirFiles(CLONE_GIT, gitDir);
  return [self, ...inside.map((file) => ({ ...file, worktree: 'the branch checkout/.git' }))];
}

/** A branch checkout of one of the goal's other slices: its directory and how findings name it. */
interface SiblingClone {
  dir: string;
  name: string;
}

/**
 * The goal's other slices' branch checkouts (clones under `ownWorktreesUnder`, beside this one),
 * as they are when the watch starts: only those omk has finished making (HEAD on an omk branch,
 * its last step), so a clone another slice is making meanwhile is not taken for a change.
 */
async function siblingClones(scope: IntegrityScope): Promise<SiblingClone[]> {
  if (scope.ownWorktreesUnder === null) return [];
  const root = scope.ownWorktreesUnder;
  const self = await canonicalPath(scope.worktree);
  const names = (await readdir(root).catch(() => [])).sort().slice(0, MAX_FILES_PER_DIR);
  const found: SiblingClone[] = [];
  for (const name of names) {
    const dir = join(root, name);
    if (!(await lstat(join(dir, '.git')).catch(() => null))?.isDirectory()) continue;
    if ((await canonicalPath(dir)) === self) continue;
    const head = await readFile(join(dir, '.git', 'HEAD'), 'utf8').catch(() => '');
    if (head.startsWith('ref: refs/heads/omk/')) found.push({ dir, name });
  }
  return found;
}

/**
 * Each sibling clone's git files, as its own run compares them (config, hooks, info, alternates,
 * commondir, shallow), its HEAD (omk never moves it off the slice branch), and its `.git` itself.
 * Compared only while the clone is there (omk removes its own); the files inside only while
 * `.git` is still a directory: one an agent replaced with a link is named, and nothing is
 * written through it into the repository it names.
 */
async function siblingCloneFiles(siblings: readonly SiblingClone[]): Promise<Watched[]> {
  const files: Watched[] = [];
  for (const { dir, name } of siblings) {
    if ((await lstat(dir).catch(() => null)) === null) continue;
    const label = `the branch checkout ${name}'s .git`;
    const gitDir = join(dir, '.git');
    const self = await single(label, gitDir, false);
    files.push({ ...self, worktree: `clone ${name}` });
    // A directory reads as `other`; a link, a file or nothing is no git directory of the clone's.
    if (self.content?.kind !== 'other') continue;
    const inside = [
      ...(await gitDirFiles(label, gitDir)),
      await single(`${label}/HEAD`, join(gitDir, 'HEAD'), true),
    ];
    for (const file of inside) files.push({ ...file, worktree: `clone ${name}/.git` });
  }
  return files;
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
  if (sparseWrites(what)) return OMK_WORKTREE_LINES;
  return null;
}

/** A config.worktree omk's sparse checkouts write (never a branch checkout's: clones are full). */
function sparseWrites(what: string): boolean {
  return what === '.git/config.worktree' || /^\.git\/worktrees\/[^/]+\/config\.worktree$/.test(what);
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
  const lines = sparseWrites(what) ? OMK_WORKTREE_LINES : null;
  if (lines === null || (before !== null && withoutLines(before.content, lines, false).trim() !== ''))
    return before?.content ?? null;
  const kept = withoutLines(after?.content ?? null, lines, true).trim();
  // Section headers alone are nothing of omk's to keep.
  if (kept.split('\n').every((line) => /^\s*(?:\[[a-z]+\])?\s*$/i.test(line))) return null;
  const mode = after?.content?.kind === 'file' ? after.content.mode : 0o644;
  return { kind: 'file', bytes: Buffer.from(`${kept}\n`), mode };
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
