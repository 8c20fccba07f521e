import { runGit } from './run-git.js';

export interface PushRefSpec {
  /** The repository that holds `sha`. */
  repoRoot: string;
  /** Where to push. Never carries credentials: those arrive in `env`. */
  url: string;
  sha: string;
  /** The full ref on the remote, e.g. refs/heads/omk/g1/s1. */
  ref: string;
  /**
   * Absent: fast-forward only. Otherwise a force, but only while the remote ref is at this SHA
   * (null: only while it does not exist).
   */
  lease?: string | null;
  /** Auth as GIT_CONFIG_* variables: argv is visible in `ps` and echoed in git's errors. */
  env: Readonly<Record<string, string>>;
}

export interface PushRefResult {
  /** 0 when the ref was updated; 1 when the remote refused it (see `rejected` and `stderr`). */
  exitCode: number;
  /** Why each refused ref was refused, as git reports it. */
  rejected: string[];
  stderr: string;
}

/** Pushes one commit to one ref. Throws a GitError when git fails for other reasons (network, auth). */
export async function pushRef(spec: PushRefSpec): Promise<PushRefResult> {
  const args = [
    'push',
    '--porcelain',
    // A pre-push hook is repository code (husky & co. live in tracked files an agent may edit) and
    // would run with the auth header in its environment.
    '--no-verify',
    ...(spec.lease === undefined ? [] : [`--force-with-lease=${spec.ref}:${spec.lease ?? ''}`]),
    spec.url,
    `${spec.sha}:${spec.ref}`,
  ];
  const result = await runGit(args, { cwd: spec.repoRoot, okExitCodes: [0, 1], env: spec.env });
  // Porcelain: one `<flag>\t<from>:<to>\t<summary>` line per ref; `!` means rejected.
  const rejected = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('!\t'))
    .map((line) => line.split('\t').slice(2).join(' ').trim());
  return { exitCode: result.exitCode, rejected, stderr: result.stderr };
}

export type PushRef = typeof pushRef;
