import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { EscapingLink } from '../../runtime/integrity/port.js';
import { canonicalPath } from '../git/worktree.js';

/**
 * The changed paths that are symbolic links resolving outside the worktree (a source file replaced
 * by a link to /etc/passwd or the user's keys): gates and reviewers would read a file the commit
 * does not hold, and a merged link points every checkout there. Then the hard links (below).
 */
export async function escapingLinks(worktree: string, paths: readonly string[]): Promise<EscapingLink[]> {
  const root = await canonicalPath(worktree);
  const inside = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  const found: EscapingLink[] = [];
  const files: { path: string; id: string; links: number }[] = [];
  for (const path of paths) {
    const absolute = join(root, path);
    const info = await lstat(absolute).catch(() => null);
    if (info === null) continue;
    if (info.isFile() && info.nlink > 1)
      files.push({ path, id: `${info.dev}:${info.ino}`, links: info.nlink });
    if (!info.isSymbolicLink()) continue;
    const target = await readlink(absolute);
    // A dangling link resolves as written: its text alone says where it would lead.
    const lexical = isAbsolute(target) ? resolve(target) : resolve(dirname(absolute), target);
    const real = await realpath(absolute).catch(() => canonicalPath(lexical));
    if (!inside(real) || !inside(await canonicalPath(lexical))) found.push({ path, target });
  }
  return [...found, ...hardLinks(files)];
}

/**
 * The regular files with more names on disk than the changed paths give them. git commits a hard
 * link's content like any file's, so a link to the user's `~/.bashrc` or a key under the state root
 * (same filesystem, unsandboxed) would carry that file into the branch and its pull request. Where
 * the other names are among the changed paths too (the agent linked two files of its change), nothing
 * left the worktree. Checkouts and omk's own copies never hard-link tracked files.
 */
function hardLinks(files: readonly { path: string; id: string; links: number }[]): EscapingLink[] {
  const named = new Map<string, number>();
  for (const file of files) named.set(file.id, (named.get(file.id) ?? 0) + 1);
  return files
    .filter((file) => (named.get(file.id) ?? 0) < file.links)
    .map((file) => ({ path: file.path, hardLinks: file.links }));
}
