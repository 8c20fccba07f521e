/** `git sparse-checkout` (and its cone mode), which slice worktrees use, arrived in git 2.25. */
export const MIN_GIT_VERSION: readonly [number, number, number] = [2, 25, 0];

/**
 * The version in `git --version` output: "git version 2.39.5", "git version 2.45.1.windows.1",
 * "git version 2.39.3 (Apple Git-146)". Null when the text does not look like that.
 */
export function parseGitVersion(output: string): [number, number, number] | null {
  const match = /\bgit version (\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function isAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i += 1) {
    const have = version[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

export function formatVersion(version: readonly number[]): string {
  return version.join('.');
}
