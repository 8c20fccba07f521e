import { readdir, readFile, readlink } from 'node:fs/promises';
import { sep } from 'node:path';
import type { StrayProcess, StrayScan } from '../../runtime/integrity/port.js';
import type { EndedProcess } from '../../runtime/ports.js';
import { canonicalPath } from '../git/worktree.js';
import type { RunMarks } from '../process/run-marks.js';

const PROC = '/proc';

export interface StrayOptions {
  /** Where processes are listed (a test's fake). */
  proc?: string;
  /** The marks omk put on the processes it started: absent, processes are found by directory only. */
  marks?: RunMarks;
}

/**
 * Ends every process (but this one) left by runs in `worktree`: its working directory is inside
 * it, or it carries the mark of an ended run omk started inside it (one that changed directory
 * out). After an agent's or gates' process group is gone, whatever still runs there escaped it
 * (`setsid`, a double fork) and could change the worktree or the shared `.git` after omk's
 * commit. Linux only: elsewhere it says it did not look.
 */
export async function endStrays(worktree: string, options: StrayOptions = {}): Promise<StrayScan> {
  const root = await canonicalPath(worktree);
  const inside = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  // What the subreaper or a sandbox already ended after those runs (whatever its environment or
  // directory), said where it ran when its directory is known.
  const ended = (options.marks?.takeEnded(inside) ?? []).map((process) => located(process, inside));
  const scan = await endMatching(options.proc ?? PROC, async (pid, proc) => {
    const cwd = await cwdOf(proc, pid);
    if (cwd !== null && inside(cwd)) return { inWorktree: true };
    const ran = await endedRunOf(pid, proc, options.marks);
    if (ran === null || !inside(ran)) return null;
    return cwd === null ? {} : { inWorktree: false };
  });
  return withEnded(scan, ended);
}

/** An ended process as a stray: in the worktree or not, when its directory was read. */
function located(process: EndedProcess, inside: (path: string) => boolean): StrayProcess {
  const { cwd, ...rest } = process;
  return cwd === undefined ? rest : { ...rest, inWorktree: inside(cwd.replace(DELETED, '')) };
}

const DELETED = / \(deleted\)$/;

async function cwdOf(proc: string, pid: number): Promise<string | null> {
  const cwd = await readlink(`${proc}/${pid}/cwd`).catch(() => null);
  return cwd === null ? null : cwd.replace(DELETED, '');
}

/** The scan's kills with what the subreaper ended first (a scan that could not look still says so). */
function withEnded(scan: StrayScan, ended: readonly StrayProcess[]): StrayScan {
  if (ended.length === 0) return scan;
  return { checked: true, killed: [...ended, ...(scan.checked ? scan.killed : [])] };
}

/**
 * Ends every process that carries the mark of an ended run of this omk started in one of `places`
 * (or below), wherever it runs now: what the checks after each run missed (a run outside them)
 * must not outlive omk, nor see a push.
 */
export async function endLeftovers(
  marks: RunMarks,
  places: readonly string[],
  proc = PROC,
): Promise<StrayScan> {
  const roots = await Promise.all(places.map(canonicalPath));
  const within = (path: string, root: string) => path === root || path.startsWith(`${root}${sep}`);
  const inPlaces = (path: string) => roots.some((root) => within(path, root));
  // Each run's leftovers with where it ran, as the caller spells its places (a sandbox's pids are
  // its own numbering: the same pid from two sandboxes is two processes).
  const ended: StrayProcess[] = [];
  for (;;) {
    // The first run with leftovers in the places, and every other run in the same directory.
    const chosen: { cwd: string | null } = { cwd: null };
    const taken = marks.takeEnded((cwd) => {
      if (chosen.cwd === null && inPlaces(cwd)) chosen.cwd = cwd;
      return cwd === chosen.cwd;
    });
    const ranIn = chosen.cwd;
    if (ranIn === null) break;
    const index = roots.findIndex((root) => within(ranIn, root));
    const shown = `${places[index] ?? ''}${ranIn.slice((roots[index] ?? '').length)}`;
    ended.push(...taken.map(({ cwd: _cwd, ...process }) => ({ ...process, ranIn: shown })));
  }
  const scan = await endMatching(proc, async (pid, dir) => {
    const ran = await endedRunOf(pid, dir, marks);
    return ran !== null && inPlaces(ran) ? {} : null;
  });
  return withEnded(scan, ended);
}

/** How a matched process is described (where it ran), or null when it is not one to end. */
type Match = Pick<StrayProcess, 'inWorktree'> | null;

async function endMatching(
  proc: string,
  matches: (pid: number, proc: string) => Promise<Match>,
): Promise<StrayScan> {
  let pids: number[];
  try {
    pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return { checked: false, reason: `this platform has no ${proc} to find processes by working directory` };
  }
  const killed: StrayProcess[] = [];
  for (const pid of pids) {
    // Another user's process, or one gone in between: not readable, not ours.
    if (pid === process.pid) continue;
    const match = await matches(pid, proc);
    // Read a process's threads only once it matched: most of /proc is not ours to look at twice.
    if (match === null || (await ending(proc, pid))) continue;
    const command = await commandLine(proc, pid);
    try {
      process.kill(pid, 'SIGKILL');
      killed.push({ pid, command, ...match });
    } catch {
      // Exited before the signal: nothing left to stop.
    }
  }
  return { checked: true, killed };
}

/**
 * Whether a process can run none of its code again, as the supervisors judge it (`PERL_ENDING`):
 * each of its threads a zombie, exiting, or holding a pending SIGKILL. One killed as its run ended
 * (its heap still being freed) is not left running; one whose first thread alone has ended is.
 * Without a task list to read (gone, a test's fake) it is not ending: the match and the kill say.
 */
async function ending(proc: string, pid: number): Promise<boolean> {
  const tasks = await readdir(`${proc}/${pid}/task`).catch(() => null);
  if (tasks === null) return false;
  for (const task of tasks) {
    const stat = await readFile(`${proc}/${pid}/task/${task}/stat`, 'latin1').catch(() => null);
    if (stat === null) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, flags, pending] = [fields[0], Number(fields[6]), Number(fields[28])];
    if (state !== 'Z' && state !== 'X' && (flags & PF_EXITING) === 0 && (pending & SIGKILL_BIT) === 0)
      return false;
  }
  return true;
}

/** The kernel's flag of a task in `do_exit`, and SIGKILL's bit in a pending-signal mask. */
const PF_EXITING = 0x4;
const SIGKILL_BIT = 1 << 8;

/** The working directory of the ended run whose mark the process carries, if any. */
async function endedRunOf(pid: number, proc: string, marks: RunMarks | undefined): Promise<string | null> {
  if (marks === undefined) return null;
  // Readable for this user's own processes only: another user's is not ours to end.
  const environ = await readFile(`${proc}/${pid}/environ`, 'latin1').catch(() => null);
  return environ === null ? null : marks.endedRun(environ);
}

async function commandLine(proc: string, pid: number): Promise<string> {
  const raw = await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '');
  const text = raw.split('\0').filter(Boolean).join(' ');
  // Long enough to compare a daemon's command between the base and a slice; findings show it cut.
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text;
}
