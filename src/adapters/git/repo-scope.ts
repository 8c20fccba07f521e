import { resolve } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { RepoScope } from '../../runtime/goal/repo-scope.js';
import { repositoryOf } from './own-heads.js';
import { gitRepo } from './repo.js';

/**
 * The repository a command runs in (`repo`, as --repo gave it, else `cwd`): its top level's real
 * path and its shared `.git`, so a goal made in a linked worktree of it counts as its own. Null
 * when `cwd` is inside no repository; a `repo` that is not one is refused.
 */
export async function repoScopeAt(cwd: string, repo: string | undefined): Promise<RepoScope | null> {
  let root: string;
  try {
    ({ root } = await gitRepo.inspect(resolve(cwd, repo ?? '.')));
  } catch (error) {
    if (error instanceof GitError && repo === undefined) return null;
    throw error;
  }
  const shared = repositoryOf(root);
  return {
    root,
    // A goal's checkout that is gone (or no repository now) reads as its own path: its root alone decides.
    holds: (goalRoot) => goalRoot === root || repositoryOf(goalRoot) === shared,
  };
}
