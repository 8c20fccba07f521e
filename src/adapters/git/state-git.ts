import { type GitResult, runGit } from './run-git.js';

/** git bound to the repository and the caller's extra environment (auth headers and the like). */
export type StateGit = (
  args: readonly string[],
  extra?: { input?: string; okExitCodes?: readonly number[]; cwd?: string; env?: Record<string, string> },
) => Promise<GitResult>;

export function bindStateGit(repoRoot: string, env: Readonly<Record<string, string>>): StateGit {
  return (args, extra = {}) =>
    runGit(args, {
      cwd: extra.cwd ?? repoRoot,
      env: { ...env, ...extra.env },
      ...(extra.input === undefined ? {} : { input: extra.input }),
      ...(extra.okExitCodes === undefined ? {} : { okExitCodes: extra.okExitCodes }),
    });
}

/** Who state commits are by: the tool, not whoever happens to be configured on the runner. */
export const STATE_AUTHOR_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: 'omk',
  GIT_AUTHOR_EMAIL: 'omk@localhost',
  GIT_COMMITTER_NAME: 'omk',
  GIT_COMMITTER_EMAIL: 'omk@localhost',
};

/**
 * Quotes a path for `--stdin-paths` the way git unquotes it (C style), so names with newlines,
 * quotes or backslashes survive the line-based protocol.
 */
export function cQuote(path: string): string {
  const escaped = path.replace(/[\\"\n\r\t]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\${char}`;
    }
  });
  return `"${escaped}"`;
}
