import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { BusyError, StateError } from '../../runtime/errors.js';
import type { Clock } from '../../runtime/ports.js';
import type { LockInfo, LockOptions } from '../../runtime/state/port.js';

export type { LockInfo, LockOptions };

const lockInfoSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  acquiredAt: z.string(),
  token: z.string().min(1),
});

const DEFAULT_WAIT_MS = 5000;
const DEFAULT_STALE_MS = 10 * 60 * 1000;
/** The lock file exists for a moment before its JSON lands; only an old unreadable one is abandoned. */
const GARBAGE_GRACE_MS = 3000;
/** Breaking takes a few syscalls; a break marker this old was left by a breaker that died. */
const ABANDONED_MARKER_MS = 10_000;
const MAX_POLL_MS = 100;

type Holder =
  | { kind: 'gone' }
  | { kind: 'valid'; raw: string; info: LockInfo; mtimeMs: number }
  | { kind: 'garbage'; raw: string; mtimeMs: number };

/**
 * Runs fn while holding the lock file at lockPath (created with O_EXCL, so exactly one process
 * wins), then releases it only if it still holds our token: a lock that was broken as stale and
 * re-acquired by someone else is theirs now.
 */
export async function withLock<T>(lockPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString('hex');
  await acquire(lockPath, options, token);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // fn's error is the one the user needs; a failed release is secondary.
    await release(lockPath, token).catch(() => {});
    throw error;
  }
  await release(lockPath, token);
  return result;
}

async function acquire(lockPath: string, options: LockOptions, token: string): Promise<void> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const started = performance.now();
  let delay = 5;
  for (;;) {
    const mine: LockInfo = {
      pid: options.host.pid,
      host: options.host.hostname,
      acquiredAt: options.clock.nowIso(),
      token,
    };
    if (await tryCreate(lockPath, `${JSON.stringify(mine)}\n`)) return;
    const holder = await readHolder(lockPath);
    // Released between our create and our read: try again at once.
    if (holder.kind === 'gone') continue;
    const why = staleReason(holder, options);
    if (why !== null && (await breakStale(lockPath, holder.raw, token, options.clock))) {
      options.onRecovered?.(holder.kind === 'valid' ? holder.info : null, why);
      continue;
    }
    if (performance.now() - started >= waitMs) throw busyError(lockPath, holder, waitMs, options);
    // Jitter keeps waiters that started together from polling in lockstep.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
}

function staleReason(holder: Exclude<Holder, { kind: 'gone' }>, options: LockOptions): string | null {
  const now = options.clock.nowMs();
  if (holder.kind === 'valid') {
    const { info } = holder;
    // Liveness can only be checked for a pid on this host; elsewhere only age tells.
    if (info.host === options.host.hostname && !options.host.isAlive(info.pid)) {
      return `pid ${info.pid} on ${info.host} is no longer running`;
    }
    const acquired = Date.parse(info.acquiredAt);
    const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    const age = now - (Number.isNaN(acquired) ? holder.mtimeMs : acquired);
    if (age > staleMs) {
      return `lock held by pid ${info.pid} on ${info.host} since ${info.acquiredAt} is older than ${duration(staleMs)}`;
    }
    return null;
  }
  if (now - holder.mtimeMs > GARBAGE_GRACE_MS) {
    return `lock file was unreadable or not written by omk (unchanged for ${duration(now - holder.mtimeMs)})`;
  }
  return null;
}

/**
 * Removes the stale lock whose content was `observed`; true when this call removed it. Breakers
 * serialize on a marker file, and re-check the lock under it, so two waiters that both saw the
 * same stale lock cannot both break it (the second would delete the first one's fresh lock).
 */
async function breakStale(lockPath: string, observed: string, token: string, clock: Clock): Promise<boolean> {
  const marker = `${lockPath}.break`;
  if (!(await tryCreate(marker, token))) {
    await clearAbandonedMarker(marker, clock);
    return false;
  }
  try {
    if ((await readRaw(lockPath)) !== observed) return false;
    // Move it aside and look again: its holder may have released and someone re-acquired in between.
    const aside = `${lockPath}.stale-${token}`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
    const moved = await readRaw(aside);
    if (moved !== observed) {
      // Not the stale lock: give it back; link fails rather than overwrite if the path was retaken.
      await link(aside, lockPath).catch(() => {});
    }
    await unlink(aside).catch(() => {});
    return moved === observed;
  } finally {
    if ((await readRaw(marker)) === token) await unlink(marker).catch(() => {});
  }
}

async function clearAbandonedMarker(marker: string, clock: Clock): Promise<void> {
  try {
    const { mtimeMs } = await stat(marker);
    if (clock.nowMs() - mtimeMs > ABANDONED_MARKER_MS) await unlink(marker);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  const raw = await readRaw(lockPath);
  if (raw === null || parseInfo(raw)?.token !== token) return;
  try {
    await unlink(lockPath);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw new StateError(`Cannot create lock file ${path}.`, {
      cause: error,
      hint: 'Check that the goal directory exists and is writable.',
    });
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => {});
    throw new StateError(`Cannot write lock file ${path}.`, { cause: error });
  }
  await handle.close();
  return true;
}

async function readHolder(lockPath: string): Promise<Holder> {
  let mtimeMs: number;
  try {
    ({ mtimeMs } = await stat(lockPath));
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { kind: 'gone' };
    throw error;
  }
  const raw = await readRaw(lockPath);
  if (raw === null) return { kind: 'gone' };
  const info = parseInfo(raw);
  return info === null ? { kind: 'garbage', raw, mtimeMs } : { kind: 'valid', raw, info, mtimeMs };
}

async function readRaw(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

function parseInfo(raw: string): LockInfo | null {
  try {
    const result = lockInfoSchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

function busyError(
  lockPath: string,
  holder: Exclude<Holder, { kind: 'gone' }>,
  waitMs: number,
  options: LockOptions,
): BusyError {
  const stale = duration(options.staleMs ?? DEFAULT_STALE_MS);
  if (holder.kind === 'valid') {
    const { pid, host, acquiredAt } = holder.info;
    return new BusyError(
      `The goal is locked by pid ${pid} on ${host} since ${acquiredAt} (waited ${duration(waitMs)}; lock ${lockPath}).`,
      {
        hint: `Retry when that run has finished. If that process is gone, omk recovers the stale lock automatically (a dead pid on this host at once, any lock after ${stale}).`,
      },
    );
  }
  return new BusyError(
    `The goal is locked, but lock file ${lockPath} is unreadable (waited ${duration(waitMs)}).`,
    {
      hint: `It is probably being written; retry. omk recovers an unreadable lock automatically once it is ${duration(GARBAGE_GRACE_MS)} old.`,
    },
  );
}

function duration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms)} ms`;
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
