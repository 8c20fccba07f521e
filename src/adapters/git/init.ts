import { dirname } from 'node:path';
import { commitEnv, type GitIdentity } from './identity.js';
import { runGit } from './run-git.js';

/** An empty repository at `path` (created with its parent's help) whose origin is `url`. */
export async function initWithRemote(path: string, url: string): Promise<void> {
  await runGit(['init', '--quiet', path], { cwd: dirname(path) });
  await runGit(['remote', 'add', 'origin', url], { cwd: path });
}

export interface InitFromDirectoryInput {
  branch: string;
  message: string;
  author: GitIdentity;
}

/**
 * Makes the directory `root` a repository whose first commit on `branch` holds every file in it.
 * Automatic gc is off for good: such repositories are fixtures, short-lived and small.
 */
export async function initFromDirectory(root: string, input: InitFromDirectoryInput): Promise<void> {
  await runGit(['init', '--quiet', `--initial-branch=${input.branch}`], { cwd: root });
  await runGit(['config', 'gc.auto', '0'], { cwd: root });
  await runGit(['add', '--all'], { cwd: root });
  await runGit(['-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', input.message], {
    cwd: root,
    env: commitEnv(input.author),
  });
}
