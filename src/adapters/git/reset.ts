import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResetResult, SliceWorkspace } from '../../runtime/workspace/port.js';
import { assertOwnGitDir, cloneOrigin } from './branch-checkout.js';
import { exactPattern, stageChange } from './prepared-files.js';
import { assertOmkBranch } from './refs.js';
import { runGit } from './run-git.js';

/**
 * Puts a slice workspace back at its base for a fresh attempt, so the slice branch ends with one
 * commit holding the final state. What the workspace held (commits since the base and anything
 * left uncommitted) is written first to `diffPath` as a binary-safe patch; then the branch, the
 * index and the files go back to the base. Ignored files (installed dependencies) stay, and so do
 * the files omk's preparation made that still hold what it left (`workspace.prepared`).
 */
export async function resetToBase(workspace: SliceWorkspace, diffPath: string): Promise<ResetResult> {
  assertOmkBranch(workspace.branch);
  await assertOwnGitDir(workspace);
  const cwd = workspace.path;
  const before = (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd })).stdout.trim();
  // The preparation's files are neither in the patch nor cleaned: the next attempt's install.
  const prepared = await stageChange(workspace);
  const { stdout: patch } = await runGit(
    [
      'diff',
      '--cached',
      '--binary',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--no-color',
      workspace.baseSha,
      '--',
    ],
    { cwd },
  );
  if (patch !== '') {
    await mkdir(dirname(diffPath), { recursive: true });
    await writeFile(diffPath, patch);
  }
  await runGit(['reset', '--quiet', '--hard', workspace.baseSha], { cwd });
  const keep = prepared.flatMap((path) => ['-e', exactPattern(path)]);
  await runGit(['clean', '--quiet', '-d', '--force', ...keep], { cwd });
  // A branch checkout (a clone) is known by its own .git directory, whatever mode it was handed as.
  await rewindMainBranch(workspace);
  return { diffSaved: patch !== '', previousHead: before };
}

/**
 * A branch checkout's captures are fetched back fast-forward only; the main repository's branch is
 * moved back to the base too (its work is in the saved patch), so the next capture fast-forwards.
 */
async function rewindMainBranch(workspace: SliceWorkspace): Promise<void> {
  const origin = await cloneOrigin(workspace.path, workspace.branch);
  if (origin === null) return;
  const ref = `refs/heads/${workspace.branch}`;
  await runGit(['update-ref', ref, workspace.baseSha], { cwd: origin });
}
