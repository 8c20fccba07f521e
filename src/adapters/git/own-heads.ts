// Where omk itself last left each goal branch it moved in this process (a capture's commit, a
// reset to the base, an integration's merges), so that an agent run's integrity check can tell a
// branch of its goal that something else moved: another slice's agent rewriting a finished
// slice's branch (loose or packed ref), which the integration would then merge unreviewed.
// A branch is not compared while omk is moving it, nor while a run is going in its own worktree
// (an agent commits on its own branch; omk captures it after).

/** branch (`omk/<goal>/<slice>`) → the commit omk left it at. */
const recorded = new Map<string, string>();
/** branch → how many of omk's moves or runs are going on it now. */
const busy = new Map<string, number>();

function hold(branch: string): () => void {
  busy.set(branch, (busy.get(branch) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (busy.get(branch) ?? 1) - 1;
    if (left <= 0) busy.delete(branch);
    else busy.set(branch, left);
  };
}

/**
 * Runs one of omk's own moves of `branch`; what it returns says where the branch is now (null:
 * not known, so it is not compared until omk records it again).
 */
export async function movingOwnBranch<T>(
  branch: string,
  move: () => Promise<T>,
  headOf: (result: T) => string | null,
): Promise<T> {
  const release = hold(branch);
  recorded.delete(branch);
  try {
    const result = await move();
    const head = headOf(result);
    if (head !== null) recorded.set(branch, head);
    return result;
  } finally {
    release();
  }
}

/** A run in `branch`'s own worktree starts: the branch is not compared until `end`. */
export function ownRunStarted(branch: string): { end(moved: boolean): void } {
  const release = hold(branch);
  return {
    end(moved) {
      // What the run committed there is captured (and recorded) by omk next.
      if (moved) recorded.delete(branch);
      release();
    },
  };
}

/** The branches under `prefix` omk recorded and is not moving or running in now. */
export function settledOwnHeads(prefix: string): Map<string, string> {
  const settled = new Map<string, string>();
  for (const [branch, head] of recorded) {
    if (branch.startsWith(prefix) && !busy.has(branch)) settled.set(branch, head);
  }
  return settled;
}
