import { basename } from 'node:path';
import { heldHere } from '../goal/made-here.js';
import type { GoalStore } from '../goal/store.js';
import { heldByOtherOmk, parseHolder } from './new-goals.js';

// The files omk's store makes for a moment beside the state it writes: a goal's `.lock` (held
// while a process writes goal.json, by the controller or another omk command), the marker and
// the moved-aside copy of a stale lock being broken, and an atomic write's temp file
// (`.<name>.<pid>.<hex>.tmp`, renamed over `<name>`). Seen by a check while another omk process
// holds or writes them, they are not an agent's doing; left behind by a process that is gone
// (the agent's processes are ended before the check), they are. A lock is omk's only while this
// process holds it (its memory says so) or it names a live omk process that is not this one nor
// one of its descendants (an agent can name any live pid: its own omk's, pid 1, a daemon's).

const TEMP_FILE = /^\.[^/]+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether the change to `path` is one of omk's own store's passing files. */
export async function transientOfOmk(
  store: GoalStore,
  path: string,
  change: 'added' | 'changed' | 'removed',
): Promise<boolean> {
  const name = basename(path);
  const temp = TEMP_FILE.exec(name);
  const lockish = name === '.lock' || name.startsWith('.lock.');
  // Gone again: a lock released, a write renamed into place (the file it wrote is compared itself).
  if (change === 'removed') return lockish || temp !== null;
  if (temp !== null) return store.deps.host.isAlive(Number(temp[1]));
  if (name !== '.lock') return false;
  if (heldHere(path)) return true;
  // A lock is created empty and its holder written next: read again until it says who holds it.
  for (let tries = 0; tries < LOCK_READS; tries++) {
    const text = await store.deps.files.readText(path);
    // Released since the check's stat.
    if (text === null) return true;
    const holder = parseHolder(text);
    if (holder !== null) return heldByOtherOmk(store.deps.host, holder);
    await new Promise((resolve) => setTimeout(resolve, LOCK_READ_PAUSE_MS));
  }
  return false;
}

/** How often, and how far apart, a lock still being written is read again (2 s in all). */
const LOCK_READS = 100;
const LOCK_READ_PAUSE_MS = 20;
