import { readdir, readFile, readlink } from 'node:fs/promises';
import { sep } from 'node:path';
import type { StrayProcess, StrayScan } from '../../runtime/integrity/port.js';
import { canonicalPath } from '../git/worktree.js';

const PROC = '/proc';

/**
 * Ends every process (but this one) whose working directory is inside `worktree`: after an agent's
 * process group is gone, whatever still runs there escaped it (`setsid`, a double fork) and could
 * change the worktree after omk's commit. Linux only: elsewhere it says it did not look.
 */
export async function endStrays(worktree: string, proc = PROC): Promise<StrayScan> {
  let pids: number[];
  try {
    pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return { checked: false, reason: `this platform has no ${proc} to find processes by working directory` };
  }
  const root = await canonicalPath(worktree);
  const inside = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  const killed: StrayProcess[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    // Another user's process, or one gone in between: not readable, not ours.
    const cwd = await readlink(`${proc}/${pid}/cwd`).catch(() => null);
    if (cwd === null || !inside(cwd.replace(/ \(deleted\)$/, ''))) continue;
    const command = await commandLine(proc, pid);
    try {
      process.kill(pid, 'SIGKILL');
      killed.push({ pid, command });
    } catch {
      // Exited before the signal: nothing left to stop.
    }
  }
  return { checked: true, killed };
}

async function commandLine(proc: string, pid: number): Promise<string> {
  const raw = await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '');
  const text = raw.split('\0').filter(Boolean).join(' ');
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
