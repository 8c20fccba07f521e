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
 * What an agent could plant for omk's own git to run or obey: hooks (the shared .git/hooks or a
 * core.hooksPath), an fsmonitor command, an ssh command, a credential helper, a proxy, and any of
 * these in the user's global or the system config (an agent can write ~/.gitconfig). omk's git
 * reads neither global nor system config and overrides the rest on every call; it needs none of
 * them: it names its identity, and its auth is an extra header in the environment.
 */
export const HARDENED_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.sshCommand=ssh',
  'credential.helper=',
  'http.proxy=',
  // Global config is not read, so the repository's owner check would have no exceptions; omk
  // works on the checkout it was pointed at.
  'safe.directory=*',
].flatMap((setting) => ['-c', setting]);

/**
 * Config keys that send a request elsewhere than the URL omk resolved: never with a token. A
 * remote's own `proxy` (`remote.origin.proxy`, or `remote.<url>.proxy`) beats both the general
 * `http.proxy` omk overrides and a URL-specific one, and `curloptResolve` sends the request for
 * the right URL to another address: each would carry the auth header where omk did not choose.
 */
const REDIRECTS =
  '^(url\\..*\\.(insteadof|pushinsteadof)|http\\..+\\.proxy|remote\\..+\\.proxy|http\\.(.+\\.)?curloptresolve)$';

/**
 * The one place omk runs git. argv only (never a shell), no prompts, C locale so messages are
 * stable, bounded by a timeout, hardened against planted config (HARDENED_CONFIG). A call that
 * carries auth first checks the repository's own config for a redirect or a proxy and refuses to
 * send the token through one. Callers put `--` before paths.
 */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  if (carriesAuth(options.env)) await refuseRedirects(options.cwd);
  return spawnGit(args, options);
}

function carriesAuth(env: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(env ?? {}).some(
    ([name, value]) => name.startsWith('GIT_CONFIG_KEY_') && /\.extraheader$/i.test(value),
  );
}

async function refuseRedirects(cwd: string): Promise<void> {
  const found = await spawnGit(['config', '--get-regexp', REDIRECTS], { cwd, okExitCodes: [1] });
  const keys = found.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((key) => key !== '');
  if (keys.length === 0) return;
  throw new GitError(
    `The repository's git config sends requests elsewhere (${keys.join(', ')}); omk does not send its token through a redirect or a proxy it did not choose.`,
    { hint: `If you set it yourself, remove it for this run: git config --unset ${keys[0]}` },
  );
}

function spawnGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = {
    // Git runs repository hooks (a tracked .husky/ an agent can edit): it never sees a secret-named
    // variable from omk's environment. Auth arrives only through `options.env` (GIT_CONFIG_*).
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !isSecretName(name))),
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GCM_INTERACTIVE: 'never',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LANG: 'C',
    LC_ALL: 'C',
  };
  const ok = options.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...HARDENED_CONFIG, ...args],
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
