import { join } from 'node:path';
import { controllerAlive } from '../goal/actions.js';
import { controlledHere, createdHere } from '../goal/made-here.js';
import type { GoalRecord } from '../goal/schema.js';
import { CREATOR_FILE, setAsideText, UNTRUSTED_FILE } from '../goal/set-aside.js';
import type { GoalStore } from '../goal/store.js';
import type { HostInfo } from '../ports.js';
import { goalsDir } from '../state/paths.js';
import type { IntegrityPort } from './port.js';

// Who made a goal directory, or holds a lock or a goal, that came or changed while an agent or
// gate ran. Nothing on disk can say it (an unsandboxed agent writes any file there, and can name
// any live pid in it: its own omk's, pid 1, a daemon's): what counts is this process's memory
// (what its own stores created, hold or run) and a live omk process the host vouches for (not
// this one, none of its descendants: `HostInfo.isOtherOmk`). A new goal directory is watched as
// it appears, so a second omk that made one and has ended since (`omk goal plan` in another
// terminal) was seen alive while it made it.

/** A holder a file names: a lock's, a goal's creator or controller. */
export interface Holder {
  pid: number;
  host: unknown;
}

/** Whether `pid` is a live omk process other than this one and its descendants. */
export function isOtherOmk(host: HostInfo, pid: number): boolean {
  if (host.isOtherOmk) return host.isOtherOmk(pid);
  return pid !== host.pid && host.isAlive(pid);
}

/** Whether `holder` names a live omk process of this host other than this one. */
export function heldByOtherOmk(host: HostInfo, holder: Holder): boolean {
  return holder.host === host.hostname && isOtherOmk(host, holder.pid);
}

/**
 * Whether a live controller of another omk process, or one of this process, runs goal `goal`
 * (its files change as it works). A controller that names this process's pid is this process's
 * only if this process runs the goal.
 */
export function runElsewhere(store: GoalStore, goal: GoalRecord): boolean {
  const controller = goal.controller;
  if (goal.status !== 'running' || !controller || !controllerAlive(store, goal)) return false;
  if (controller.host !== store.deps.host.hostname) return true;
  if (controller.pid === store.deps.host.pid) return controlledHere(store.paths(goal.id).dir);
  return isOtherOmk(store.deps.host, controller.pid);
}

/** How long a new goal directory's creator file is waited for (its creator writes it next). */
const CREATOR_READS = 100;
const CREATOR_READ_PAUSE_MS = 20;

export interface NewGoals {
  /** Whether omk made goal directory `id`: this process, or another omk seen alive making it. */
  madeByOmk(id: string): Promise<boolean>;
  stop(): void;
}

/** Watches the goal directories that appear from now on (where the host can watch a directory). */
export function watchNewGoals(store: GoalStore, integrity: Pick<IntegrityPort, 'watchNames'>): NewGoals {
  const seen = new Map<string, Promise<boolean>>();
  const stop =
    integrity.watchNames?.(goalsDir(store.deps.stateRoot), (name) => {
      if (!seen.has(name)) seen.set(name, creatorIsOmk(store, name));
    }) ?? (() => {});
  return {
    async madeByOmk(id) {
      if (createdHere(store.paths(id).dir)) return true;
      if ((await seen.get(id)) === true) return true;
      // Not seen (or seen before its creator wrote who it is): its creator may still be alive.
      return creatorIsOmk(store, id, 1);
    },
    stop,
  };
}

async function creatorIsOmk(store: GoalStore, id: string, reads = CREATOR_READS): Promise<boolean> {
  const path = join(store.paths(id).dir, CREATOR_FILE);
  for (let tries = 0; tries < reads; tries++) {
    if (createdHere(store.paths(id).dir)) return true;
    const holder = parseHolder(await store.deps.files.readText(path).catch(() => null));
    if (holder !== null) return heldByOtherOmk(store.deps.host, holder);
    if (tries + 1 < reads) await new Promise((resolve) => setTimeout(resolve, CREATOR_READ_PAUSE_MS));
  }
  return false;
}

/** A holder's pid and host from a lock's or a creator file's JSON; null when it says none. */
export function parseHolder(text: string | null): Holder | null {
  if (text === null) return null;
  try {
    const holder = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof holder.pid === 'number' ? { pid: holder.pid, host: holder.host } : null;
  } catch {
    return null;
  }
}

/**
 * Sets goal `id` aside: no omk process made it, so the store never lists, resolves or acts on
 * it again (`goal/set-aside.ts`). Left in place for the user to look at.
 */
export async function setAside(store: GoalStore, id: string, foundBy: string): Promise<void> {
  const text = setAsideText({ foundBy, at: store.deps.clock.nowIso() });
  await store.deps.files.writeAtomic(join(store.paths(id).dir, UNTRUSTED_FILE), text);
}
