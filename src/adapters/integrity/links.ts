import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { EscapingLink } from '../../runtime/integrity/port.js';
import { canonicalPath } from '../git/worktree.js';

/**
 * The changed paths that are symbolic links resolving outside the worktree (a source file replaced
 * by a link to /etc/passwd or the user's keys): gates and reviewers would read a file the commit
 * does not hold, and a merged link points every checkout there.
 */
export async function escapingLinks(worktree: string, paths: readonly string[]): Promise<EscapingLink[]> {
  const root = await canonicalPath(worktree);
  const inside = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  const found: EscapingLink[] = [];
  for (const path of paths) {
    const absolute = join(root, path);
    const info = await lstat(absolute).catch(() => null);
    if (info === null || !info.isSymbolicLink()) continue;
    const target = await readlink(absolute);
    // A dangling link resolves as written: its text alone says where it would lead.
    const lexical = isAbsolute(target) ? resolve(target) : resolve(dirname(absolute), target);
    const real = await realpath(absolute).catch(() => canonicalPath(lexical));
    if (!inside(real) || !inside(await canonicalPath(lexical))) found.push({ path, target });
  }
  return found;
}
