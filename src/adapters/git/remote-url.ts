import { runGit } from './run-git.js';

/**
 * The URL of a remote, or null when the repository has no such remote (git exits 2) or `repoRoot`
 * is no repository (128): callers decide what a missing remote means for them.
 */
export async function readRemoteUrl(repoRoot: string, remote: string): Promise<string | null> {
  const result = await runGit(['remote', 'get-url', remote], { cwd: repoRoot, okExitCodes: [0, 2, 128] });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}
