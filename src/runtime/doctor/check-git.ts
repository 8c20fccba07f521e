import { formatVersion, isAtLeast, MIN_GIT_VERSION, parseGitVersion } from './git-version.js';
import type { DoctorCheck, DoctorProbes, DoctorWords } from './types.js';

const MIN = `${MIN_GIT_VERSION[0]}.${MIN_GIT_VERSION[1]}`;

export async function checkGitVersion(probes: DoctorProbes): Promise<DoctorCheck> {
  const base = { id: 'git', title: 'git' };
  const output = await probes.gitVersion();
  if (!output.ok) {
    return {
      ...base,
      status: 'fail',
      detail: `git could not be run: ${output.error}`,
      fix: `install git ${MIN} or newer and make sure \`git\` is on PATH`,
    };
  }
  const version = parseGitVersion(output.value);
  if (version === null) {
    return {
      ...base,
      status: 'warn',
      detail: `cannot read a version from \`git --version\`: ${JSON.stringify(output.value.trim().slice(0, 200))}`,
      fix: `make sure the \`git\` on PATH is git ${MIN} or newer`,
    };
  }
  if (!isAtLeast(version, MIN_GIT_VERSION)) {
    return {
      ...base,
      status: 'fail',
      detail: `git ${formatVersion(version)} is older than ${MIN}: slice worktrees need \`git sparse-checkout\``,
      fix: `upgrade git to ${MIN} or newer`,
    };
  }
  return { ...base, status: 'ok', detail: `git ${formatVersion(version)} (${MIN} or newer needed)` };
}

/** The repository check; `root` is null when there is no usable repository to check further. */
export async function checkRepository(
  repoPath: string,
  probes: DoctorProbes,
  words: DoctorWords,
): Promise<{ check: DoctorCheck; root: string | null }> {
  const base = { id: 'repository', title: 'repository' };
  const repo = await probes.inspectRepo(repoPath);
  if (!repo.ok) {
    return {
      root: null,
      check: {
        ...base,
        status: 'fail',
        detail: repo.error,
        fix: `run omk in your repository or pass ${words.repo} PATH; to start one: git init && git add -A && git commit -m "initial commit"`,
      },
    };
  }
  const { root, headSha } = repo.value;
  if (headSha === null) {
    return {
      root,
      check: {
        ...base,
        status: 'fail',
        detail: `${root} has no commits: a goal needs a base commit to branch its slices from`,
        fix: 'commit once: git add -A && git commit -m "initial commit"',
      },
    };
  }
  return { root, check: { ...base, status: 'ok', detail: `${root} at ${headSha.slice(0, 12)}` } };
}

export async function checkWorktrees(root: string, probes: DoctorProbes): Promise<DoctorCheck> {
  const base = { id: 'worktrees', title: 'git worktrees' };
  const listed = await probes.listWorktrees(root);
  if (!listed.ok) {
    return {
      ...base,
      status: 'fail',
      detail: `\`git worktree list\` failed: ${listed.error}`,
      fix: 'each slice runs in a git worktree: repair the repository until `git worktree list` works (`git worktree prune` clears entries whose directory was deleted)',
    };
  }
  const count = listed.value;
  return {
    ...base,
    status: 'ok',
    detail: `\`git worktree list\` works (${count} worktree${count === 1 ? '' : 's'})`,
  };
}
