import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { EndedProcess, ProcessResult, ProcessSpec } from '../../runtime/ports.js';
import { BoundedLog } from './bounded-log.js';
import { hostSubreaper, type SubreaperAvailability } from './subreaper.js';

/** How long a stopped process group has between SIGTERM and SIGKILL, unless the spec says. */
export const KILL_GRACE_MS = 2_000;

/**
 * How long past the grace a supervised run's group is SIGKILLed anyway: the subreaper ends the
 * command at the grace and what it left 300 ms later; this only stops a supervisor that hangs.
 */
const SUPERVISOR_MARGIN_MS = 5_000;

/**
 * Runs one process as `runProcessWith` does, under this host's subreaper where there is one
 * (Linux with perl): whatever the command leaves running when it ends is ended with it.
 */
export async function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const subreaper = await hostSubreaper();
  return runProcessWith(spec, subreaper.available ? subreaper : null);
}

/**
 * Runs one process in its own process group, so a timeout or an abort kills everything it
 * started (agents spawn shells, test runners spawn workers): SIGTERM to the group first, so an
 * agent or a test runner can save its work and remove its own temp files, then SIGKILL once
 * `killGraceMs` has passed (also when the leader exits at SIGTERM but one of its children stays).
 * Output is decoded as UTF-8 per stream across chunks (a character split between two reads of
 * the pipe stays whole). The log keeps the head and tail of the output within spec.logMaxBytes
 * (BoundedLog). Resolves; never rejects.
 */
export async function runProcessWith(
  spec: ProcessSpec,
  subreaper: Extract<SubreaperAvailability, { available: true }> | null,
): Promise<ProcessResult> {
  const started = performance.now();
  const tailChars = spec.tailChars ?? 8_000;
  const grace = spec.killGraceMs ?? KILL_GRACE_MS;
  const supervised =
    subreaper !== null && spec.endsWhole !== true && spec.argv.length > 0 && spec.argv[0] !== '';
  const [command, ...args] = supervised ? [...subreaper.prefix(grace), ...spec.argv] : spec.argv;
  // fd 3: what the command left running, from the subreaper or from the command itself.
  const reported = supervised || spec.endsWhole === true;
  return new Promise((resolve) => {
    if (!command) {
      resolve(result(null, null, false, false, 'empty argv', started, '', ''));
      return;
    }
    const log = spec.logPath ? new BoundedLog(spec.logPath, spec.logMaxBytes) : null;
    let stdout = '';
    let tail = '';
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | null = null;
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...spec.env },
      stdio: reported ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    let report = '';
    // A command that ends the rest itself (the sandbox's init) says `!ready` once a stop reaches it.
    let ready = false;
    let heldStop = false;
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      if (report.length < 64 * 1024) report += chunk.toString('utf8');
      const started = supervised && commandGroup === null ? /^!pid\t(\d+)$/m.exec(report) : null;
      if (started?.[1] !== undefined) {
        commandGroup = Number(started[1]);
        spec.onSpawn?.(commandGroup);
      }
      if (spec.endsWhole === true && !ready && /^!ready$/m.test(report)) {
        ready = true;
        if (heldStop) sendHeldStop();
      }
    });
    // Supervised, the command leads a group of its own, whose pid the subreaper reports.
    if (child.pid !== undefined && !supervised) spec.onSpawn?.(child.pid);
    let commandGroup: number | null = null;
    const signalGroup = (pgid: number, signal: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(-pgid, signal);
        return true;
      } catch {
        return false; // Already gone.
      }
    };
    /**
     * Signals the run. Supervised, SIGTERM goes to the subreaper, which passes it to the command's
     * group and kills that at the grace; SIGKILL (a hung subreaper) goes to both groups.
     */
    const signalTree = (signal: NodeJS.Signals | 0): boolean => {
      if (child.pid === undefined) return false;
      // A command that ends the rest itself (the sandbox's init) is asked to stop; bwrap would die
      // of the signal, and its namespace at once, before the init could say what was left. Until
      // the init says it handles the signal (the kernel drops it at a namespace's pid 1 until
      // then), the stop is held and sent at its `!ready`.
      if (spec.endsWhole === true && signal === 'SIGTERM') {
        if (!ready) {
          heldStop = true;
          return true;
        }
        const init = onlyChild(child.pid);
        if (init !== null && signalProcess(init, signal)) return true;
      }
      const sent = signalGroup(child.pid, signal);
      if (signal === 'SIGKILL' && commandGroup !== null) signalGroup(commandGroup, signal);
      return sent;
    };
    let hardKill: NodeJS.Timeout | null = null;
    let stoppedAt = 0;
    // Supervised, the subreaper kills at the grace and ends what is left (a sandbox's init does the
    // same): the group SIGKILL, which would end it before it does, only comes if it hangs.
    const hardKillMs = supervised
      ? grace * 2 + SUPERVISOR_MARGIN_MS
      : spec.endsWhole === true
        ? grace + SUPERVISOR_MARGIN_MS
        : grace;
    /** SIGTERM now, SIGKILL after the grace period (and the margin), both counted from now. */
    const stopNow = () => {
      stoppedAt = performance.now();
      signalTree('SIGTERM');
      hardKill = setTimeout(() => signalTree('SIGKILL'), hardKillMs);
    };
    /** Stops the group (once, however often asked). */
    const killTree = () => {
      if (hardKill === null) stopNow();
    };
    /** The stop held until the init was up: sent now, its grace counted from now. */
    const sendHeldStop = () => {
      heldStop = false;
      if (hardKill === null) return;
      clearTimeout(hardKill);
      stopNow();
    };
    let silent = false;
    const silence =
      spec.silenceMs === undefined
        ? null
        : setTimeout(() => {
            silent = true;
            killTree();
          }, spec.silenceMs);
    let stopped: string | null = null;
    /** Each stream's decoder flush: bytes of a character the stream never finished. */
    const flushes: (() => void)[] = [];
    const collect = (isStdout: boolean) => {
      const decoder = new StringDecoder('utf8');
      const take = (text: string) => {
        if (text === '') return;
        if (spec.watch && stopped === null) {
          stopped = spec.watch(text);
          if (stopped !== null) killTree();
        }
        if (isStdout && stdout.length < 4 * 1024 * 1024) stdout += text;
        tail = (tail + text).slice(-tailChars);
      };
      flushes.push(() => take(decoder.end()));
      return (chunk: Buffer) => {
        if (silence !== null) clearTimeout(silence);
        take(decoder.write(chunk));
        log?.write(chunk);
      };
    };
    child.stdout.on('data', collect(true));
    child.stderr.on('data', collect(false));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, spec.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      killTree();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();
    child.on('error', (error) => {
      // Under the subreaper a missing cwd fails the supervisor's spawn: say it of the command.
      spawnError =
        supervised && command !== undefined
          ? error.message.replace(command, spec.argv[0] ?? '')
          : error.message;
    });
    child.stdin.on('error', () => {
      // The child may exit without reading its input.
    });
    child.stdin.end(spec.input ?? '');
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      if (silence !== null) clearTimeout(silence);
      spec.signal?.removeEventListener('abort', onAbort);
      for (const flush of flushes) flush();
      if (hardKill !== null) {
        // Stopped: the rest of the group has what is left of its grace period to end.
        const deadline = stoppedAt + grace;
        while (performance.now() < deadline && child.pid !== undefined && (await groupAlive(child.pid)))
          await sleep(25);
        clearTimeout(hardKill);
      }
      // Grandchildren that outlived the leader would hold resources: end the group (supervised,
      // the subreaper has ended everything below it; the command's group id may be reused).
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      const parsed = reported
        ? reportOf(report)
        : { ended: [], group: [], execError: null, complete: false, ready: false, signalNumber: null };
      const { ended, group, execError, signalNumber } = parsed;
      // Stopped before the init said `!ready`: it never started the command (it says so before it
      // forks), so nothing of the command's ran to be left. Without an init (no report at all)
      // the sandbox's runner drops this.
      const neverStarted = spec.endsWhole === true && hardKill !== null && !parsed.ready;
      const complete = parsed.complete || neverStarted;
      // The init cannot die of a signal (pid 1): it exits 128 + the signal and says which.
      const bySignal =
        spec.endsWhole === true && parsed.complete && signalNumber !== null && code === 128 + signalNumber
          ? signalName(signalNumber)
          : null;
      // The command could not start under the subreaper: said as spawn says it, without its 127.
      const failed = execError === null ? null : `spawn ${spec.argv[0] ?? ''} ${execError}`;
      const done = () =>
        resolve({
          ...(failed === null
            ? bySignal !== null
              ? result(null, bySignal, timedOut, cancelled, spawnError, started, stdout, tail)
              : result(code, signal, timedOut, cancelled, spawnError, started, stdout, tail)
            : result(null, null, timedOut, cancelled, failed, started, stdout, tail)),
          ...(spec.silenceMs === undefined ? {} : { silent }),
          ...(stopped === null ? {} : { stopped }),
          // The command's own report counts once it says it is complete. What its group still ran
          // at a stop is not left when omk stopped it, and is when something else did (the
          // command signalling the sandbox's init itself).
          ...(supervised || complete ? { ended: hardKill === null ? [...ended, ...group] : ended } : {}),
        });
      if (log) log.end(done);
      else done();
    });
  });
}

/**
 * The subreaper's (or a sandbox init's) report: one `pid<TAB>cwd<TAB>command` line per process it
 * ended, `!exec<TAB>errno` when the command could not start (named as Node names it: ENOENT,
 * EACCES, ...), and, from a sandbox init, `!ready` once a stop reaches it (before it starts the
 * command), `!group<TAB>pid<TAB>cwd<TAB>command` for each process of the command's group it killed
 * at a stop's grace, `!signal<TAB>number` when a signal ended the command (or a stop came before
 * it started), and `!end` once it has listed all.
 */
function reportOf(report: string): {
  ended: EndedProcess[];
  group: EndedProcess[];
  execError: string | null;
  complete: boolean;
  ready: boolean;
  signalNumber: number | null;
} {
  const ended: EndedProcess[] = [];
  const group: EndedProcess[] = [];
  let execError: string | null = null;
  let complete = false;
  let ready = false;
  let signalNumber: number | null = null;
  for (const line of report.split('\n')) {
    if (line === '!end') complete = true;
    if (line === '!ready') ready = true;
    const signalled = /^!signal\t([1-9]\d?)$/.exec(line)?.[1];
    if (signalled !== undefined) signalNumber = Number(signalled);
    const grouped = line.startsWith('!group\t');
    const entry = grouped ? line.slice('!group\t'.length) : line;
    const tab = entry.indexOf('\t');
    if (tab <= 0) continue;
    const head = entry.slice(0, tab);
    const rest = entry.slice(tab + 1);
    if (head === '!pid' || head === '!signal') continue;
    if (head === '!exec') {
      const errno = Number(rest);
      execError =
        Object.entries(constants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${rest}`;
      continue;
    }
    const pid = Number(head);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    const cut = rest.indexOf('\t');
    const cwd = cut < 0 ? '' : rest.slice(0, cut);
    const command = rest.slice(cut + 1);
    (grouped ? group : ended).push({
      pid,
      // Long enough to compare a daemon's command between the base and a slice; shown cut.
      command: command.length > 1_000 ? `${command.slice(0, 1_000)}…` : command,
      ...(cwd === '' ? {} : { cwd }),
    });
  }
  return { ended, group, execError, complete, ready, signalNumber };
}

/** A signal's name from its number, as Node names a child's (`SIGTERM`), or null if unknown. */
function signalName(number: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, value]) => value === number);
  return found === undefined ? null : (found[0] as NodeJS.Signals);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The single child of `pid` (bwrap's: the sandbox's pid 1), or null when it has none or several. */
function onlyChild(pid: number): number | null {
  let listed: string;
  try {
    listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return null;
  }
  const children = listed.split(' ').filter((entry) => /^\d+$/.test(entry));
  return children.length === 1 ? Number(children[0]) : null;
}

/**
 * Whether a process group still has a running member. Where /proc exists, a zombie (an ended
 * orphan whose reaper has not come, as in a container whose init does not reap) does not count;
 * elsewhere any member does.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z') return true;
  }
  return false;
}

function result(
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  timedOut: boolean,
  cancelled: boolean,
  spawnError: string | null,
  started: number,
  stdout: string,
  tail: string,
): ProcessResult {
  return {
    exitCode,
    signal,
    timedOut,
    cancelled,
    spawnError,
    durationMs: Math.round(performance.now() - started),
    stdout,
    tail,
  };
}
