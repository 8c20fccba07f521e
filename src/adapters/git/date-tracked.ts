import { lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from './run-git.js';

/** How many files are dated at once. */
const AT_ONCE = 64;

/**
 * Dates every file `worktree` tracks (its index: `git ls-files`, so never target/ or .git) now,
 * the link itself for a symbolic link (what it points to may be anyone's). A file the index lists
 * but the worktree lacks (deleted, or outside a sparse cone) is passed over. Returns how many were
 * dated.
 */
export async function dateTrackedNow(worktree: string): Promise<number> {
  const listed = await runGit(['ls-files', '-z'], { cwd: worktree });
  const paths = listed.stdout.split('\0').filter((path) => path !== '');
  const now = new Date();
  let dated = 0;
  for (let i = 0; i < paths.length; i += AT_ONCE) {
    const done = await Promise.all(
      paths.slice(i, i + AT_ONCE).map((path) =>
        lutimes(join(worktree, path), now, now).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
            throw error;
          },
        ),
      ),
    );
    dated += done.filter(Boolean).length;
  }
  return dated;
}
