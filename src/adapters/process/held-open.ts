import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isOtherOmkProcess } from './omk-process.js';

// A goal's controller keeps its goal directory open while it runs it. An unsandboxed agent can
// write anything in goal.json (a dead pid as its controller), but it cannot make another
// process hold a file open nor make one look like omk's: `/proc/<pid>/fd` says which omk process
// holds the directory, whatever goal.json says (see docs/security.md, "The takeover window").

/** Opens `path` (a directory) and keeps it open until the release is called. */
export async function holdOpen(path: string): Promise<() => Promise<void>> {
  const handle = await open(path, 'r');
  return () => handle.close();
}

/**
 * The pid of a live omk process of this host, other than this one and none of its descendants,
 * that holds `path` open; null when none does; undefined where there is no `/proc` to ask.
 */
export function otherOmkHolding(path: string): number | null | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const target = realOrSame(path);
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid || isOtherOmkProcess(pid) !== true) continue;
    if (holds(pid, target)) return pid;
  }
  return null;
}

function holds(pid: number, target: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
