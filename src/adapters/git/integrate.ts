import { GitError } from '../../runtime/errors.js';
import { INTEGRATION_ID } from '../../runtime/graph/branches.js';
import type {
  CreateWorkspaceInput,
  IntegrateInput,
  IntegrationResult,
  SliceWorkspace,
} from '../../runtime/workspace/port.js';
import { assertOwnGitDir, fetchBack, fetchGoalBranches } from './branch-checkout.js';
import { diffRange } from './capture.js';
import { COMMIT_CONFIG, commitEnv, type GitIdentity } from './identity.js';
import { assertId, assertOmkBranch, integrationBranch } from './refs.js';
import { runGit } from './run-git.js';
import { worktreeChanges } from './tree-facts.js';

export interface IntegrateDeps {
  /** Creates or reuses a workspace; allowed to use the reserved integration id. */
  open(input: CreateWorkspaceInput): Promise<SliceWorkspace>;
  identity: GitIdentity;
  /** Bound on IntegrationResult.diff. */
  diffLimitBytes: number;
  /** The workspace prepareIntegration opened for this goal, if it did. */
  prepared?: Promise<SliceWorkspace> | undefined;
}

export type IntegrationWorkspaceInput = Pick<
  IntegrateInput,
  'repoRoot' | 'workspaceRoot' | 'goalId' | 'baseSha'
>;

/**
 * Creates (or reuses) the integration worktree and undoes a merge a crashed run left half done
 * (it was never committed).
 */
export async function openIntegration(
  input: IntegrationWorkspaceInput,
  open: IntegrateDeps['open'],
): Promise<SliceWorkspace> {
  assertId(input.goalId, 'goal id');
  const workspace = await open({
    repoRoot: input.repoRoot,
    goalId: input.goalId,
    sliceId: INTEGRATION_ID,
    baseSha: input.baseSha,
    workspaceRoot: input.workspaceRoot,
    sparsePaths: null,
  });
  if (await mergeInProgress(workspace.path)) await runGit(['merge', '--abort'], { cwd: workspace.path });
  return workspace;
}

type Conflict = NonNullable<IntegrationResult['conflict']>;

/**
 * Merges slice branches in order into the goal's integration branch and describes the result
 * against the base. Re-running only merges what the target does not contain yet, so a retry after
 * a crash or a conflict fix picks up where it stopped. A conflict aborts that merge and stops:
 * nothing is ever resolved for the user.
 */
export async function integrateBranches(
  input: IntegrateInput,
  deps: IntegrateDeps,
): Promise<IntegrationResult> {
  assertId(input.goalId, 'goal id');
  const expected = integrationBranch(input.goalId);
  if (input.target !== expected) {
    throw new GitError(`Integration target must be ${expected}, not ${JSON.stringify(input.target)}.`);
  }
  for (const branch of input.branches) {
    assertOmkBranch(branch, input.goalId);
    if (branch === expected) throw new GitError(`Cannot integrate ${expected} into itself.`);
  }
  // Opened ahead of time when it could be; if that failed, opening it here reports why.
  const ahead = (await deps.prepared?.catch(() => null)) ?? null;
  const workspace = ahead ?? (await openIntegration(input, deps.open));
  const cwd = workspace.path;
  // Made while the agents ran, it sat beside their worktrees: what it holds besides its commit
  // (an `.npmrc` whose script-shell passes every gate) is theirs. Named, and gone before the merge.
  const foreign = ahead === null ? [] : await dropForeign(cwd);
  const clone = workspace.mode === 'branch-checkout';
  if (clone) await fetchGoalBranches(workspace, input.goalId);

  const refOf = (branch: string) => (clone ? `refs/remotes/origin/${branch}` : `refs/heads/${branch}`);
  const refs = input.branches.map(refOf);
  // Two listings instead of two git calls per branch: which exist, and which HEAD already has.
  const [present, contained] = await Promise.all([listRefs(cwd, refs), listRefs(cwd, refs, 'HEAD')]);
  const missing = input.branches.find((branch) => !present.has(refOf(branch)));
  if (missing) {
    throw new GitError(`Cannot integrate ${missing}: the branch does not exist.`, {
      hint: 'Capture the slice first (its branch is created with its workspace).',
    });
  }
  // A branch moved since omk captured it holds commits no review of its slice saw. The runs'
  // integrity checks put it back first (own-heads.ts); this catches what they cannot see, such as
  // a move made when no agent or gate ran after it (between two omk processes, before integrating).
  for (const branch of input.branches) {
    refuseMoved(branch, present.get(refOf(branch)) ?? null, input.heads?.[branch] ?? null);
  }
  const merged: string[] = [];
  let conflict: Conflict | null = null;
  for (const branch of input.branches) {
    if (!contained.has(refOf(branch))) {
      const result = await mergeSlice(cwd, branch, refOf(branch), deps.identity);
      if (result.exitCode !== 0) {
        conflict = await abortConflict(cwd, branch, input.target, result.stderr || result.stdout);
        break;
      }
    }
    merged.push(branch);
  }
  if (clone) await fetchBack(workspace);
  const headSha = (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd })).stdout.trim();
  const change = await diffRange(cwd, workspace.baseSha, headSha, deps.diffLimitBytes);
  return { workspace, headSha, merged, conflict, ...change, ...(foreign.length > 0 ? { foreign } : {}) };
}

/** What the worktree holds besides HEAD (worktreeChanges), then removed and put back as committed. */
async function dropForeign(cwd: string): Promise<string[]> {
  const found = await worktreeChanges(cwd);
  const paths = [...found.tracked, ...found.untracked.map((file) => file.path)].sort();
  if (paths.length === 0) return [];
  await runGit(['reset', '--hard', '--quiet', 'HEAD'], { cwd });
  await runGit(['clean', '-ffdxq'], { cwd });
  return paths;
}

/** Throws when `branch` is not at `recorded` (where omk captured it; null: not known, not compared). */
function refuseMoved(branch: string, tip: string | null, recorded: string | null): void {
  if (recorded === null || tip === recorded) return;
  throw new GitError(
    `Cannot integrate ${branch}: it is at ${tip ?? 'no commit (it was removed)'}, not at ${recorded} where omk captured it and its slice was reviewed. Something moved it since; nothing was merged.`,
    {
      hint: `Look at what it holds ('git log ${recorded}..${branch}'). If none of it is yours, put it back ('git update-ref refs/heads/${branch} ${recorded}${tip === null ? '' : ` ${tip}`}') and resume the goal.`,
    },
  );
}

/** One slice branch merged into the integration (exit 1: a conflict, left for the caller). */
function mergeSlice(cwd: string, branch: string, ref: string, identity: GitIdentity) {
  return runGit(
    [
      ...COMMIT_CONFIG,
      'merge',
      '--no-ff',
      '--no-stat',
      '--no-edit',
      '--no-verify',
      '-m',
      `omk: integrate ${branch}`,
      ref,
    ],
    { cwd, env: commitEnv(identity), okExitCodes: [0, 1] },
  );
}

async function abortConflict(cwd: string, branch: string, target: string, output: string): Promise<Conflict> {
  const unmerged = await runGit(['diff', '--name-only', '-z', '--diff-filter=U'], { cwd });
  const paths = unmerged.stdout.split('\0').filter((path) => path.length > 0);
  if (await mergeInProgress(cwd)) await runGit(['merge', '--abort'], { cwd });
  if (paths.length === 0) {
    // The merge failed before it could conflict (e.g. untracked files in the way): not a conflict.
    throw new GitError(`Merging ${branch} into ${target} failed: ${output.trim()}`, {
      hint: `Look at ${cwd} with 'git status'; omk left it as it was before the merge.`,
    });
  }
  return {
    branch,
    paths,
    detail: `Merging ${branch} into ${target} conflicts in ${paths.length} path(s): ${paths.join(', ')}. The merge was aborted; nothing was resolved automatically.`,
  };
}

async function mergeInProgress(cwd: string): Promise<boolean> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'], {
    cwd,
    okExitCodes: [0, 1],
  });
  return result.exitCode === 0;
}

/** Each of `refs` that exists (and is merged into `mergedInto`, if given), with the commit it is at. */
async function listRefs(
  cwd: string,
  refs: readonly string[],
  mergedInto?: string,
): Promise<Map<string, string>> {
  const merged = mergedInto ? [`--merged=${mergedInto}`] : [];
  const { stdout } = await runGit(
    ['for-each-ref', '--format=%(objectname) %(refname)', ...merged, '--', ...refs],
    { cwd },
  );
  // A pattern also matches refs below it (refs/heads/a matches refs/heads/a/b): keep exact names.
  const wanted = new Set(refs);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    const ref = line.slice(space + 1);
    if (space > 0 && wanted.has(ref)) found.set(ref, line.slice(0, space));
  }
  return found;
}

/**
 * Starts merging `branch` (refused unless it is at `head`, where omk captured it) into the
 * integration workspace and leaves the conflicts in the worktree (markers in the files,
 * MERGE_HEAD set) for an agent to resolve; the next capture commits the merge. Returns the
 * conflicting paths (none when the merge went through on its own).
 */
export async function mergeForRepair(
  workspace: SliceWorkspace,
  goalId: string,
  { branch, head }: { branch: string; head: string | null },
  identity: GitIdentity,
): Promise<{ paths: string[] }> {
  assertOmkBranch(workspace.branch, goalId);
  assertOmkBranch(branch, goalId);
  await assertOwnGitDir(workspace);
  const cwd = workspace.path;
  const clone = workspace.mode === 'branch-checkout';
  if (clone) await fetchGoalBranches(workspace, goalId);
  if (await mergeInProgress(cwd)) await runGit(['merge', '--abort'], { cwd });
  const ref = clone ? `refs/remotes/origin/${branch}` : `refs/heads/${branch}`;
  // Checked as the integration just before checked it: what moved it since is not merged either.
  const tip = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd,
    okExitCodes: [0, 1],
  });
  refuseMoved(branch, tip.exitCode === 0 ? tip.stdout.trim() : null, head);
  const result = await mergeSlice(cwd, branch, ref, identity);
  if (result.exitCode === 0) {
    if (clone) await fetchBack(workspace);
    return { paths: [] };
  }
  const unmerged = await runGit(['diff', '--name-only', '-z', '--diff-filter=U'], { cwd });
  const paths = unmerged.stdout.split('\0').filter((path) => path.length > 0);
  if (paths.length === 0) {
    if (await mergeInProgress(cwd)) await runGit(['merge', '--abort'], { cwd });
    throw new GitError(
      `Merging ${branch} into ${workspace.branch} failed: ${(result.stderr || result.stdout).trim()}`,
      {
        hint: `Look at ${cwd} with 'git status'; omk left it as it was before the merge.`,
      },
    );
  }
  return { paths };
}
