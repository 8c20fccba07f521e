// What this process itself did in the state root, kept in memory (nothing on disk can say it:
// an unsandboxed agent can write any file there): the goal directories its stores created and the
// goal locks they hold right now. The state-root check takes these as omk's without asking who
// a file names (an agent can name this process's pid as well as any other).

const created = new Set<string>();
const controlled = new Set<string>();
const held = new Map<string, number>();

/** Records that this process created the goal directory `dir`. */
export function noteCreated(dir: string): void {
  created.add(dir);
}

/** Whether this process created the goal directory `dir`. */
export function createdHere(dir: string): boolean {
  return created.has(dir);
}

/** Runs `fn` with `lockPath` counted as held by this process (from before it is taken until after it is released). */
export async function holdingHere<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  held.set(lockPath, (held.get(lockPath) ?? 0) + 1);
  try {
    return await fn();
  } finally {
    const count = (held.get(lockPath) ?? 1) - 1;
    if (count <= 0) held.delete(lockPath);
    else held.set(lockPath, count);
  }
}

/** Whether this process is taking, holding or releasing the lock at `lockPath`. */
export function heldHere(lockPath: string): boolean {
  return held.has(lockPath);
}

/** Records that a controller of this process runs the goal whose directory is `dir`. */
export function noteControlled(dir: string): void {
  controlled.add(dir);
}

/** Whether a controller of this process runs (or ran) the goal whose directory is `dir`. */
export function controlledHere(dir: string): boolean {
  return controlled.has(dir);
}
