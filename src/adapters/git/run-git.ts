import { execFile } from 'node:child_process';
import { GitError } from '../../runtime/errors.js';
import { isSecretName } from '../../runtime/gates/env.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunGitOptions {
  cwd: string;
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`). */
  okExitCodes?: readonly number[];
  timeoutMs?: number;
  input?: string;
  /** Extra environment; the non-interactive settings below always win. */
  env?: Readonly<Record<string, string>>;
}

/**
 * The one place omk runs git. argv only (never a shell), no prompts, C locale so messages are
 * stable, bounded by a timeout. Callers put `--` before paths.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = {
    // Git runs repository hooks (a tracked .husky/ an agent can edit): it never sees a secret-named
    // variable from omk's environment. Auth arrives only through `options.env` (GIT_CONFIG_*).
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !isSecretName(name))),
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GCM_INTERACTIVE: 'never',
    LANG: 'C',
    LC_ALL: 'C',
  };
  const ok = options.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env,
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && (typeof error.code !== 'number' || !ok.includes(exitCode))) {
          const what = `git ${args.join(' ')}`;
          const detail = stderr.trim() || error.message;
          reject(
            new GitError(
              error.killed
                ? `${what} timed out in ${options.cwd}.`
                : `${what} failed (exit ${exitCode}): ${detail}`,
              { cause: error },
            ),
          );
          return;
        }
        resolve({ stdout, stderr, exitCode });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
