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
 * core.hooksPath), an fsmonitor command, an ssh command, a credential helper, a proxy, a pager, an
 * editor, a signing program, an askpass, the `ext::` transport, a global attributes file, and any
 * of these in the user's global or the system config (an agent can write ~/.gitconfig). omk's git
 * reads neither global nor system config and overrides the rest on every call; it needs none of
 * them: it names its identity, and its auth is an extra header in the environment. Keys named by
 * a driver (filters, merge drivers, textconv) cannot be listed here: `driverOverrides` finds them.
 * `diff.external` and `diff.<x>.command` have no harmless value: omk's diffs pass `--no-ext-diff`.
 */
export const HARDENED_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.sshCommand=ssh',
  'credential.helper=',
  'http.proxy=',
  'core.pager=cat',
  'core.editor=:',
  'sequence.editor=:',
  'core.askPass=',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'push.gpgSign=false',
  'protocol.ext.allow=never',
  'core.attributesFile=/dev/null',
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
  /^(url\..*\.(insteadof|pushinsteadof)|http\..+\.proxy|remote\..+\.proxy|http\.(.+\.)?curloptresolve)$/s;

/**
 * The one place omk runs git. argv only (never a shell), no prompts, C locale so messages are
 * stable, bounded by a timeout, hardened against planted config (HARDENED_CONFIG). A call that
 * carries auth refuses to send the token through a redirect or a proxy the repository's config
 * sets; a call that can hand a file to a driver switches off every driver the config defines. Both
 * checks read the config this call would read, once, before it. Callers put `--` before paths.
 */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const auth = carriesAuth(options.env);
  const drivers = mayRunDrivers(args);
  if (!auth && !drivers) return spawnGit(args, options);
  const keys = await configKeys(options.cwd);
  if (auth) refuseRedirects(keys);
  return spawnGit([...(drivers ? driverOverrides(keys) : []), ...args], options);
}

function carriesAuth(env: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(env ?? {}).some(
    ([name, value]) => name.startsWith('GIT_CONFIG_KEY_') && /\.extraheader$/i.test(value),
  );
}

/**
 * Every key the config a git call in `cwd` reads defines (the repository's config, a worktree's
 * `config.worktree`, what they include, omk's own `-c` settings), as git spells it: section and
 * name in lower case, a subsection as written. One git process, whatever is looked for in it, or
 * none when the files it came from have not changed since.
 */
async function configKeys(cwd: string): Promise<string[]> {
  // An answer kept while its files are provably unchanged (config-keys-cache.ts) saves a git. Loaded
  // at its first use: what only cleans up (the Action's post step) loads no more than it needs.
  const { keepConfigKeys, keptConfigKeys } = await import('./config-keys-cache.js');
  const kept = await keptConfigKeys(cwd);
  if (kept.keys !== null) return kept.keys;
  // -z: each entry is its key, then a newline and its value (none for a bare `key` line), then a
  // NUL, whatever the value holds. A key holds no newline: git refuses one in a key.
  const listed = await spawnGit(['config', '-z', '--list'], { cwd });
  const keys = [...new Set(listed.stdout.split('\0').map((entry) => entry.split('\n')[0] ?? ''))];
  const found = keys.filter((key) => key !== '');
  await keepConfigKeys(cwd, kept.stamp, found);
  return found;
}

function refuseRedirects(keys: readonly string[]): void {
  const found = keys.filter((key) => REDIRECTS.test(key));
  if (found.length === 0) return;
  throw new GitError(
    `The repository's git config sends requests elsewhere (${found.join(', ')}); omk does not send its token through a redirect or a proxy it did not choose.`,
    { hint: `If you set it yourself, remove it for this run: git config --unset ${found[0]}` },
  );
}

/**
 * Commands that may hand a file to a filter (clean, smudge, process), a merge driver or a textconv
 * program, which `.gitattributes` (a file the agent commits) names and the config defines.
 */
const DRIVER_COMMANDS = new Set([
  'add',
  'am',
  'apply',
  'archive',
  'blame',
  'cat-file',
  'checkout',
  'checkout-index',
  'cherry-pick',
  'commit',
  'diff',
  'diff-files',
  'diff-index',
  'diff-tree',
  'format-patch',
  'grep',
  'hash-object',
  'log',
  'merge',
  'merge-tree',
  'pull',
  'read-tree',
  'rebase',
  'reset',
  'restore',
  'revert',
  'show',
  'sparse-checkout',
  'stash',
  'status',
  'switch',
  'update-index',
  'worktree',
]);

/** The git command in `args`, past global options such as `-c name=value` and `-C dir`. */
function commandOf(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

function mayRunDrivers(args: readonly string[]): boolean {
  const command = commandOf(args);
  if (command === null || !DRIVER_COMMANDS.has(command)) return false;
  const rest = args.slice(args.indexOf(command) + 1);
  // Only these forms write or read files through a driver; `worktree list` and `cat-file -t` do
  // not, nor `worktree add --no-checkout`: it writes the new worktree's admin files and HEAD, and
  // checks no file out (no `reset --hard` runs in it), so no filter sees a file.
  if (command === 'worktree') {
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    return rest.includes('add') && !options.includes('--no-checkout');
  }
  if (command === 'cat-file') return rest.some((arg) => arg === '--filters' || arg === '--textconv');
  return true;
}

const DRIVER_KEYS = /^(filter\..+\.(clean|smudge|process)|merge\..+\.driver|diff\..+\.textconv)$/s;

/**
 * `-c` overrides that turn every driver the config this call would read defines (the repository's
 * config, a worktree's `config.worktree`, what they include) into no program, or into git's own
 * behaviour: filters off, a merge driver that is git's text merge, a textconv that is `cat`. omk's
 * git runs no filter, whoever defined it (an LFS filter in the repository's config included).
 */
function driverOverrides(keys: readonly string[]): string[] {
  const overrides: string[] = [];
  for (const key of keys.filter((each) => DRIVER_KEYS.test(each))) {
    if (key.includes('=')) {
      throw new GitError(
        `The repository's git config defines a driver omk cannot switch off (${key}); omk runs no filter or merge driver.`,
        { hint: `Remove it from the repository's config: git config --unset-all '${key}'` },
      );
    }
    const driver = key.slice(0, key.lastIndexOf('.'));
    if (key.startsWith('filter.')) overrides.push(`${key}=`, `${driver}.required=false`);
    else if (key.startsWith('merge.'))
      overrides.push(`${key}=git merge-file --quiet --marker-size=%L %A %O %B`);
    else overrides.push(`${key}=cat`);
  }
  return overrides.flatMap((setting) => ['-c', setting]);
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
    // These beat the config: no pager, no editor, no proxy command for git://, no system attributes.
    GIT_PAGER: 'cat',
    GIT_EDITOR: ':',
    GIT_SEQUENCE_EDITOR: ':',
    GIT_PROXY_COMMAND: '',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Objects are read as stored: a `refs/replace/` ref (which an agent can write in the shared
    // .git) would show reviews, diffs and merges other content than the commit holds, and a
    // `.git/info/grafts` file other parents. Neither is honoured by omk's git.
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_GRAFT_FILE: '/dev/null',
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

/**
 * What git said first when a call failed (as `runGit` words its error): its first `fatal:` or
 * `error:` line, else its first line; the error's first line when it is not a git failure. What a
 * reason shown to the user quotes.
 */
export function gitFailureLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const said = /\(exit -?\d+\): ([\s\S]*)$/.exec(message)?.[1];
  const lines = (said ?? message).split('\n').map((line) => line.trim());
  return lines.find((line) => /^(?:fatal|error):/.test(line)) ?? lines.find((line) => line !== '') ?? '';
}
