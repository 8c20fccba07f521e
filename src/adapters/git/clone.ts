import { dirname } from 'node:path';
import { runGit } from './run-git.js';

export interface CloneBranchInput {
  url: string;
  branch: string;
  /** Where the clone goes; its parent must exist. */
  path: string;
  /** Auth for the fetch (GIT_CONFIG_* variables), never in the URL or argv. */
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

/** A clone of one branch's history only: no other branches, no tags. */
export async function cloneBranch(input: CloneBranchInput): Promise<void> {
  await runGit(
    [
      'clone',
      '--quiet',
      '--no-tags',
      '--single-branch',
      '--branch',
      input.branch,
      '--',
      input.url,
      input.path,
    ],
    {
      cwd: dirname(input.path),
      ...(input.env === undefined ? {} : { env: input.env }),
      ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
    },
  );
}
