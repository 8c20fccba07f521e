import { GitError } from '../../runtime/errors.js';
import type { CapturedChange, ChangedFile, SliceWorkspace } from '../../runtime/workspace/port.js';
import { assertOwnGitDir, fetchBack } from './branch-checkout.js';
import { forgedObjects } from './forged-objects.js';
import { COMMIT_CONFIG, commitEnv, type GitIdentity } from './identity.js';
import { stageChange } from './prepared-files.js';
import { assertOmkBranch } from './refs.js';
import { runGit } from './run-git.js';

export const DEFAULT_DIFF_LIMIT_BYTES = 200 * 1024;

export interface CaptureOptions {
  identity: GitIdentity;
  diffLimitBytes: number;
}

/**
 * Commits whatever the agent left in the workspace and reports the slice's change against its
 * base: cumulative over retries, and including commits the agent made itself.
 */
export async function captureChange(
  workspace: SliceWorkspace,
  message: string,
  options: CaptureOptions,
): Promise<CapturedChange> {
  assertOmkBranch(workspace.branch);
  await assertOwnGitDir(workspace);
  const cwd = workspace.path;
  // One call: the commit HEAD is at, the branch it is on ("HEAD" when detached), the shared .git.
  const head = await runGit(
    [
      'rev-parse',
      '--path-format=absolute',
      'HEAD^{commit}',
      '--symbolic-full-name',
      'HEAD',
      '--git-common-dir',
    ],
    { cwd },
  );
  const [before = '', ref = '', commonDir = ''] = head.stdout.trim().split('\n');
  if (ref !== `refs/heads/${workspace.branch}`) {
    throw new GitError(`${cwd} is no longer on ${workspace.branch}; nothing was captured.`, {
      hint: `Something switched branches in the workspace. Run 'git switch ${workspace.branch}' there and retry.`,
    });
  }
  // What omk's preparation left there (an install's output the project does not ignore) is not.
  await stageChange(workspace);
  const text = message.trim() === '' ? `omk: ${workspace.sliceId}` : message;
  // --no-verify: the capture records what the agent did; judging it is the gates' job.
  const commit = await runGit([...COMMIT_CONFIG, 'commit', '--quiet', '--no-verify', '-m', text], {
    cwd,
    env: commitEnv(options.identity),
    okExitCodes: [0, 1],
  });
  const committed = commit.exitCode === 0;
  if (!committed && !NOTHING_TO_COMMIT.test(commit.stdout)) {
    // Exit 1 is also how a failing prepare-commit-msg hook ends a commit: that is not "no change".
    throw new GitError(
      `git commit failed in ${cwd}: ${(commit.stderr || commit.stdout).trim() || 'exit 1'}`,
      {
        hint: 'Look at the repository hooks (prepare-commit-msg runs even with --no-verify).',
      },
    );
  }
  if (workspace.mode === 'branch-checkout') await fetchBack(workspace);
  const headSha = committed
    ? (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd })).stdout.trim()
    : before;
  const change =
    headSha === workspace.baseSha
      ? { changedFiles: [], diff: '' }
      : await diffRange(cwd, workspace.baseSha, headSha, options.diffLimitBytes);
  // Whoever made the commits, omk or the agent itself (then omk has nothing left to commit).
  const forged = await forgedObjects(cwd, commonDir, workspace.baseSha, headSha);
  const commitMessages = headSha === workspace.baseSha ? [] : await messages(cwd, workspace.baseSha, headSha);
  return {
    committed,
    headSha,
    ...change,
    ...(forged.length > 0 ? { forgedObjects: forged } : {}),
    ...(commitMessages.length > 0 ? { commitMessages } : {}),
  };
}

/** The raw messages of the commits in `from..to`, each as written. */
async function messages(cwd: string, from: string, to: string): Promise<string[]> {
  const { stdout } = await runGit(['log', '--no-show-signature', '--format=%B%x00', `${from}..${to}`, '--'], {
    cwd,
  });
  return stdout
    .split('\0')
    .map((message) => message.trim())
    .filter((message) => message !== '');
}

/** What `git commit` (C locale) prints when there is nothing staged to commit. */
const NOTHING_TO_COMMIT = /^(nothing to commit|nothing added to commit|no changes added to commit)/m;

/** The files changed from `from` to `to`, with their bounded unified diff, in one git call. */
export async function diffRange(
  cwd: string,
  from: string,
  to: string,
  diffLimitBytes: number,
): Promise<Pick<CapturedChange, 'changedFiles' | 'diff'>> {
  // One diff for both: the -z numstat records, an empty record, then the patch.
  const { stdout } = await runGit(
    [
      'diff',
      '--numstat',
      '-z',
      '--patch',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--no-color',
      from,
      to,
      '--',
    ],
    { cwd },
  );
  const { numstat, patch } = splitNumstatPatch(stdout);
  return {
    changedFiles: parseNumstat(numstat),
    diff: truncateDiff(patch, diffLimitBytes, `git diff ${from} ${to}`),
  };
}

/**
 * `git diff --numstat -z --patch` prints NUL-terminated numstat records, one more NUL, then the
 * patch. Paths cannot hold NUL, so the first empty record ends the numstat part.
 */
export function splitNumstatPatch(output: string): { numstat: string; patch: string } {
  const end = output.indexOf('\0\0');
  if (end === -1) return { numstat: output, patch: '' };
  return { numstat: output.slice(0, end + 1), patch: output.slice(end + 2) };
}

/** `git diff --numstat -z --no-renames`: "added\tdeleted\tpath\0"; binary files show "-". */
export function parseNumstat(output: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const record of output.split('\0')) {
    const match = /^(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(record);
    if (!match) continue;
    const [, added = '-', deleted = '-', path = ''] = match;
    files.push({
      path,
      additions: added === '-' ? 0 : Number(added),
      deletions: deleted === '-' ? 0 : Number(deleted),
    });
  }
  return files;
}

/** Bounds the diff at a line boundary; the marker says how much is missing and how to get it. */
export function truncateDiff(diff: string, limitBytes: number, fullDiffCommand: string): string {
  const bytes = Buffer.from(diff, 'utf8');
  if (bytes.length <= limitBytes) return diff;
  const head = bytes.subarray(0, limitBytes);
  const cut = head.lastIndexOf(0x0a);
  const kept = cut > 0 ? head.subarray(0, cut + 1) : head;
  // A cut inside a multi-byte character decodes to U+FFFD; drop it rather than show garbage.
  const text = kept.toString('utf8').replace(/\uFFFD$/, '');
  const shown = Buffer.byteLength(text, 'utf8');
  const suffix = text.endsWith('\n') ? '' : '\n';
  return `${text}${suffix}[omk: diff truncated: ${shown} of ${bytes.length} bytes shown; full diff: ${fullDiffCommand}]\n`;
}
