import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeptBundlePort } from '../../runtime/delivery/kept-bundle.js';
import { GitError } from '../../runtime/errors.js';
import { branchNameProblem } from '../../runtime/graph/branches.js';
import { runGit } from './run-git.js';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Where a bundle's branch is fetched before its head is checked: no user branch is touched. */
const RESTORE_REF = 'refs/omk/kept-restore';

function checkedBranch(branch: string): string {
  const problem = branchNameProblem(branch);
  if (problem !== null) throw new GitError(`Not a safe branch name '${branch}' (${problem}).`);
  return `refs/heads/${branch}`;
}

/** Kept branches saved as git bundles of their new commits, and restored from them (kept-bundle.ts). */
export const gitKeptBundles: KeptBundlePort = {
  async bundle(repoRoot, branch, base) {
    const ref = checkedBranch(branch);
    if (!SHA.test(base)) throw new GitError(`Not a commit SHA: '${base}'.`);
    // Made outside the state root and read back: the goal's store writes it (kept-bundle.ts).
    const dir = await mkdtemp(join(tmpdir(), 'omk-bundle-'));
    try {
      const file = join(dir, 'branch.bundle');
      // Only the commits past the goal's base: the restoring checkout has the base already.
      await runGit(['bundle', 'create', '--quiet', file, ref, `^${base}`], { cwd: repoRoot });
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  async head(repoRoot, branch) {
    const ref = checkedBranch(branch);
    const found = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: repoRoot,
      okExitCodes: [0, 1],
    });
    return found.exitCode === 0 ? found.stdout.trim() : null;
  },

  async restore(repoRoot, branch, file, expected) {
    const ref = checkedBranch(branch);
    await runGit(['update-ref', '-d', RESTORE_REF], { cwd: repoRoot });
    try {
      // A bundle that does not name the branch answers null (list-heads reads only its header).
      const listed = await runGit(['bundle', 'list-heads', '--', file], { cwd: repoRoot });
      const named = listed.stdout.split('\n').some((line) => line.split(' ')[1] === ref);
      if (!named) return null;
      // Only the one ref, into a private name: whatever else the bundle holds is not fetched.
      await runGit(
        ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', file, `${ref}:${RESTORE_REF}`],
        { cwd: repoRoot },
      );
      const head = (
        await runGit(['rev-parse', '--verify', `${RESTORE_REF}^{commit}`], { cwd: repoRoot })
      ).stdout.trim();
      if (head === expected) {
        // Created only where no branch is: an existing branch is never moved here.
        await runGit(['update-ref', ref, head, ''], { cwd: repoRoot });
      }
      return head;
    } finally {
      await runGit(['update-ref', '-d', RESTORE_REF], { cwd: repoRoot });
    }
  },
};
