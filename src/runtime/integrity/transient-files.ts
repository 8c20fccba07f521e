import { basename } from 'node:path';
import type { GoalStore } from '../goal/store.js';

// The files omk's store makes for a moment beside the state it writes: a goal's `.lock` (held
// while a process writes goal.json, by the controller or another omk command), the marker and
// the moved-aside copy of a stale lock being broken, and an atomic write's temp file
// (`.<name>.<pid>.<hex>.tmp`, renamed over `<name>`). Seen by a check while another omk process
// holds or writes them, they are not an agent's doing; left behind by a process that is gone
// (the agent's processes are ended before the check), they are.

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
  try {
    const holder = JSON.parse((await store.deps.files.readText(path)) ?? '') as {
      pid?: unknown;
      host?: unknown;
    };
    return (
      typeof holder.pid === 'number' &&
      holder.host === store.deps.host.hostname &&
      store.deps.host.isAlive(holder.pid)
    );
  } catch {
    return false;
  }
}
