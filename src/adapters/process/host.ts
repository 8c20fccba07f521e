import { hostname } from 'node:os';
import type { HostInfo } from '../../runtime/ports.js';
import { holdOpen, otherOmkHolding } from './held-open.js';
import { isOtherOmkProcess } from './omk-process.js';

/** Whether `pid` runs (EPERM: it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process, for goal locks and controller records; composed once by each front door. */
export function processHost(): HostInfo {
  return {
    pid: process.pid,
    hostname: hostname(),
    isAlive: isPidAlive,
    isOtherOmk(pid: number): boolean {
      return isOtherOmkProcess(pid) ?? (pid !== process.pid && isPidAlive(pid));
    },
    holdOpen,
    otherOmkHolding,
    killGroup(pid: number): boolean {
      try {
        // A negative pid signals the whole group: agents run detached, as group leaders.
        process.kill(-pid, 'SIGKILL');
        return true;
      } catch {
        return false;
      }
    },
  };
}
