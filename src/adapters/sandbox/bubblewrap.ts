import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { fileState, findOnPath } from '../../runtime/doctor/path-lookup.js';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../runtime/ports.js';
import type { Confinement, SandboxAvailability, SandboxPort } from '../../runtime/sandbox/port.js';
import { KILL_GRACE_MS, runProcess } from '../process/run-process.js';
import {
  type BubblewrapPlan,
  bubblewrapArgv,
  credentialStores,
  NETWORK_PROBE_ARGS,
  PROBE_ARGS,
} from './bubblewrap-argv.js';
import { type ConnectProxy, startConnectProxy } from './connect-proxy.js';
import { makePrivateTemp, type PrivateTemp } from './private-temp.js';
import { PERL_SANDBOX_INIT } from './sandbox-init.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface BubblewrapOptions {
  /** The host environment: PATH finds bwrap; HOME, XDG_CONFIG_HOME and RUNNER_TEMP say what to hide. */
  env: Env;
  /** Runs the probe (default: runProcess). */
  run?: ProcessRunner;
  /** Where the perl the sandbox's init runs with is looked for (default: the system's own). */
  perls?: readonly string[];
}

/** The sandbox on Linux: bubblewrap, found on the PATH, probed once. */
export interface Bubblewrap extends SandboxPort {
  /** A runner that runs every spec carrying `confine` under bwrap, and the others as `run` does. */
  runner(run: ProcessRunner): ProcessRunner;
}

const PROBE_TIMEOUT_MS = 10_000;
const INSTALL_HINT = 'install it (apt-get install bubblewrap, dnf install bubblewrap)';
const NAMESPACE_HINT =
  'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0), or run where bwrap works';

export function createBubblewrap(options: BubblewrapOptions): Bubblewrap {
  const run = options.run ?? runProcess;
  let probed: Promise<SandboxAvailability> | null = null;
  const probe = () => {
    probed ??= probeBubblewrap(options.env, run);
    return probed;
  };
  let perl: Promise<string | null> | null = null;
  const init = () => {
    perl ??= systemPerl(options.perls ?? PERLS);
    return perl;
  };
  return {
    probe,
    runner: (inner) => async (spec) => {
      if (spec.confine === undefined) return inner(spec);
      const availability = await probe();
      // A spec asked to be confined never runs unconfined.
      if (!availability.available) return notStarted(`the sandbox is unavailable: ${availability.reason}`);
      const allow = spec.confine.network === 'allow';
      const socat = allow ? await findOnPath('socat', options.env) : null;
      if (allow && socat === null) {
        return notStarted(`sandbox network allow needs socat, which is not on the PATH (${SOCAT_HINT})`);
      }
      let temp: PrivateTemp;
      try {
        temp = await makePrivateTemp(options.env);
      } catch (error) {
        return notStarted(
          `the sandbox's private temp: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const tmp = temp.path;
      let proxy: ConnectProxy | null = null;
      try {
        const plan = await planFor(spec, spec.confine, temp, options.env);
        const initPerl = await init();
        const grace = String(spec.killGraceMs ?? KILL_GRACE_MS);
        const socket = join(tmp, 'proxy.sock');
        if (socat !== null) proxy = await startConnectProxy(socket, spec.confine.allowedHosts ?? []);
        const bridge = socat === null ? [''] : [socat, String(PROXY_PORT), socket];
        // The init starts the bridge itself, a stop honoured meanwhile; without it, a shell does.
        const argv =
          initPerl !== null
            ? [initPerl, '-e', PERL_SANDBOX_INIT, '--', grace, ...bridge, ...spec.argv]
            : socat !== null
              ? proxiedArgv(socat, socket, spec.argv)
              : spec.argv;
        const proxyEnv = socat === null ? {} : proxyVariables(`http://127.0.0.1:${PROXY_PORT}`);
        const result = await inner({
          ...spec,
          argv: bubblewrapArgv(availability.tool, plan, argv, initPerl !== null),
          // Its pid namespace ends with it: a subreaper around bwrap would only see bwrap's own
          // processes end a moment after the command's (and report them as left running). The
          // init inside (sandbox-init.ts) says on fd 3 what the namespace is about to end, and is
          // the one a stop signals (bwrap's only child).
          endsWhole: true,
          // HOME is read-only: Go's build cache (under ~/.cache by default) goes to the private temp.
          env: { GOCACHE: join(tmp, 'go-build'), ...spec.env, ...proxyEnv, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
        });
        const reported = initPerl === null ? withoutReport(result) : unreported(result);
        return asUnconfined(endedBySandbox(execFailure(reported, availability.tool, spec.argv[0] ?? '')));
      } finally {
        await proxy?.close();
        await temp.remove();
      }
    },
  };
}

const SOCAT_HINT = 'apt-get install socat, or set sandbox.network to open or none';
/** The port the bridge listens on inside the sandbox's own network namespace (nothing else is there). */
const PROXY_PORT = 3128;

/**
 * The command under `network: allow` when there is no init (no system perl; the init starts the
 * bridge itself otherwise): socat listens on the sandbox's own loopback and relays to
 * the proxy's unix socket (bound in with the private temp); once it answers, the command replaces
 * the shell. Ends with the command (the pid namespace ends socat). A missing command is said as
 * bwrap says it, so it reads as "not installed" as it does without the bridge.
 */
function proxiedArgv(socat: string, socket: string, argv: readonly string[]): string[] {
  const script = [
    '"$1" "TCP-LISTEN:$2,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$3" 2>/dev/null 3>&- &',
    'i=0',
    'until "$1" -u OPEN:/dev/null "TCP:127.0.0.1:$2" 2>/dev/null; do',
    '  i=$((i+1)); if [ "$i" -ge 250 ]; then echo "omk sandbox: the proxy bridge did not start" >&2; exit 125; fi',
    '  sleep 0.02',
    'done',
    'shift 3',
    'command -v "$1" >/dev/null 2>&1 || { echo "bwrap: execvp $1: No such file or directory" >&2; exit 1; }',
    'exec "$@"',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'omk-sandbox-proxy', socat, String(PROXY_PORT), socket, ...argv];
}

/** Every spelling of the proxy variables CLIs read (curl, Node's undici agents, Python, Go). */
function proxyVariables(url: string): Record<string, string> {
  return {
    HTTPS_PROXY: url,
    https_proxy: url,
    HTTP_PROXY: url,
    http_proxy: url,
    ALL_PROXY: url,
    all_proxy: url,
  };
}

async function probeBubblewrap(env: Env, run: ProcessRunner): Promise<SandboxAvailability> {
  const tool = await findOnPath('bwrap', env);
  if (tool === null) return { available: false, reason: 'bwrap not found on the PATH', hint: INSTALL_HINT };
  const result = await run({
    argv: [tool, ...PROBE_ARGS, '--', 'true'],
    cwd: '/',
    env: env.PATH === undefined ? {} : { PATH: env.PATH },
    timeoutMs: PROBE_TIMEOUT_MS,
    tailChars: 2_000,
  });
  if (result.exitCode !== 0) {
    return {
      available: false,
      reason: `bwrap cannot create namespaces: ${firstLine(result)}`,
      hint: NAMESPACE_HINT,
    };
  }
  // A network namespace of its own (bwrap configures its loopback), as `network: none` asks.
  const isolated = await run({
    argv: [tool, ...NETWORK_PROBE_ARGS, '--', 'true'],
    cwd: '/',
    env: env.PATH === undefined ? {} : { PATH: env.PATH },
    timeoutMs: PROBE_TIMEOUT_MS,
    tailChars: 2_000,
  });
  const socat = await findOnPath('socat', env);
  return {
    available: true,
    tool,
    proxy: socat === null ? { available: false, reason: 'socat not found on the PATH' } : { available: true },
    network:
      isolated.exitCode === 0
        ? { isolated: true }
        : { isolated: false, reason: `bwrap cannot create a network namespace: ${firstLine(isolated)}` },
  };
}

/** What bwrap said first, or how it ended. */
function firstLine(result: ProcessResult): string {
  return (
    result.spawnError ??
    (result.tail
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ||
      `exit ${result.exitCode ?? result.signal}`)
  );
}

async function planFor(
  spec: ProcessSpec,
  confine: Confinement,
  temp: PrivateTemp,
  env: Env,
): Promise<BubblewrapPlan> {
  const tmp = temp.path;
  // The goal's build cache may not exist yet; a bind needs it. A read-only directory inside it is
  // made too: left out, the run could make it and fill what a later run reads there.
  for (const path of [...confine.writable, ...(confine.readOnly ?? [])]) {
    if (!(await exists(path))) await mkdir(path, { recursive: true });
  }
  const homes = new Set([env.HOME, spec.env.HOME].filter((home): home is string => !!home));
  const dirs: string[] = [];
  const files: string[] = [];
  for (const home of homes) {
    const stores = credentialStores(home);
    dirs.push(...stores.dirs);
    files.push(...stores.files);
  }
  if (env.XDG_CONFIG_HOME) dirs.push(join(env.XDG_CONFIG_HOME, 'gh'));
  // omk's own private state (a stashed credential), as the run asks.
  dirs.push(...(confine.hidden ?? []));
  // Other runs' private temps and their proxy sockets (this run's own is bound back in).
  dirs.push(...temp.hidden);
  // The runner's temp holds its file commands (GITHUB_ENV, GITHUB_OUTPUT) and checkout's credentials.
  if (env.RUNNER_TEMP) dirs.push(env.RUNNER_TEMP);
  return {
    cwd: spec.cwd,
    network: confine.network ?? 'open',
    writable: await real([spec.cwd, tmp, ...confine.writable]),
    readable: await real([...confine.readable, ...(confine.readOnly ?? []), ...(await ownGitDir(spec.cwd))]),
    hiddenDirs: await real(dirs),
    hiddenFiles: await real(files),
  };
}

/** Where perl is looked for: the system's own, never the agent's PATH (as the subreaper's). */
const PERLS = ['/usr/bin/perl', '/bin/perl'];

async function systemPerl(perls: readonly string[]): Promise<string | null> {
  for (const candidate of perls) if ((await fileState(candidate)) === 'ok') return candidate;
  return null;
}

/**
 * The init could not exec the command (its report came, so bwrap ran): said of the command, as
 * spawn says it unconfined ("spawn <command> ENOENT"), not of bwrap.
 */
function execFailure(result: ProcessResult, tool: string, command: string): ProcessResult {
  const failed = result.spawnError?.startsWith(`spawn ${tool} `) === true && result.ended !== undefined;
  if (!failed || result.spawnError === null) return result;
  return { ...result, spawnError: `spawn ${command} ${result.spawnError.slice(`spawn ${tool} `.length)}` };
}

/**
 * The init's report did not complete (something killed it, or bwrap, before its `!end`): what the
 * run left in its sandbox is not known, which the proof says (a blocking finding), never nothing.
 */
function unreported(result: ProcessResult): ProcessResult {
  if (result.ended !== undefined || result.spawnError !== null) return result;
  return { ...result, ended: [{ pid: 0, command: '', unreported: true }] };
}

/**
 * Without the init nothing in the sandbox says what it left: not even a run stopped before it
 * started (which the runner reads as nothing left, from the init's missing `!ready`) says so.
 */
function withoutReport(result: ProcessResult): ProcessResult {
  if (result.ended === undefined) return result;
  const { ended: _, ...rest } = result;
  return rest;
}

/** What the sandbox's init listed is what its pid namespace ended, not omk. */
function endedBySandbox(result: ProcessResult): ProcessResult {
  if (result.ended === undefined) return result;
  return { ...result, ended: result.ended.map((process) => ({ ...process, endedBy: 'sandbox' as const })) };
}

/**
 * bwrap reports an executable it cannot find as its own failure; said as a spawn error, the agent's
 * and the gates' "not installed" reading holds as it does unconfined.
 */
function asUnconfined(result: ProcessResult): ProcessResult {
  const missing = /^bwrap: execvp (.+?): No such file or directory$/m.exec(result.tail);
  if (result.exitCode !== 1 || missing === null) return result;
  return { ...result, exitCode: null, spawnError: `spawn ${missing[1]} ENOENT` };
}

function notStarted(why: string): ProcessResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    spawnError: why,
    durationMs: 0,
    stdout: '',
    tail: '',
  };
}

/** The existing paths, symbolic links resolved (a mount over a link would follow it anyway). */
async function real(paths: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    paths.map((path) =>
      realpath(path).then(
        (resolved) => resolved,
        () => null,
      ),
    ),
  );
  return [...new Set(found.filter((path): path is string => path !== null))];
}

/**
 * The git directory of the checkout the command runs in, when it is a directory inside it (a
 * branch checkout, omk's fallback clone): bound read-only over the writable checkout, as a
 * worktree's git directory (in the shared `.git`, outside the worktree) already is. Nothing inside
 * can then plant config, hooks or info there, nor move or replace the directory (a mount point);
 * reading it (`git status`, `git diff`, `git log`) works. omk's own git runs outside the sandbox.
 * A link is not followed: the directory a link names is not the checkout's.
 */
async function ownGitDir(cwd: string): Promise<string[]> {
  const gitDir = join(cwd, '.git');
  const info = await lstat(gitDir).catch(() => null);
  return info?.isDirectory() ? [gitDir] : [];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
