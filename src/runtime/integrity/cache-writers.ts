import type { VerifyFn } from '../gates/port.js';
import type { WorkspacePreparer } from '../workspace/port.js';

// A goal's build cache (`cache/<goal>` under the state root: CARGO_TARGET_DIR, confined installs'
// download caches) is written on purpose by its gates and installs, and by nothing else. While
// none of them runs, a change there is someone else's: an agent run's check compares the cache
// then (`state-root.ts`). Runs are counted per cache directory, in this process (one controller
// runs a goal at a time).

interface Writers {
  /** Gate runs and installs writing the cache now. */
  running: number;
  /** How many have started so far: a run that started and ended within a window moved it. */
  started: number;
}

const writers = new Map<string, Writers>();

function of(cacheDir: string): Writers {
  const found = writers.get(cacheDir);
  if (found !== undefined) return found;
  const fresh = { running: 0, started: 0 };
  writers.set(cacheDir, fresh);
  return fresh;
}

/** Runs `run` as a writer of the cache (a gate run, an install). */
export async function writingCache<T>(cacheDir: string, run: () => Promise<T>): Promise<T> {
  const counts = of(cacheDir);
  counts.running += 1;
  counts.started += 1;
  try {
    return await run();
  } finally {
    counts.running -= 1;
  }
}

/** Whether, since the window opened, no writer of the cache ran: a change there is then no gate's. */
export function cacheWindow(cacheDir: string): { quiet(): boolean } {
  const counts = of(cacheDir);
  const busy = counts.running > 0;
  const started = counts.started;
  return { quiet: () => !busy && counts.running === 0 && counts.started === started };
}

/** The gate verifier, each call counted as a writer of the goal's cache. */
export function cacheWritingVerify(verify: VerifyFn, cacheDir: string): VerifyFn {
  return (gates, context) => writingCache(cacheDir, () => verify(gates, context));
}

/**
 * The worktree preparer, each preparation that runs a command (an install, `workspace.setup`)
 * counted as a writer of the goal's cache; one that only sets variables (CARGO_TARGET_DIR) writes
 * nothing there.
 */
export function cacheWritingPreparer(preparer: WorkspacePreparer, cacheDir: string): WorkspacePreparer {
  return {
    prepare: (input) =>
      input.plan.steps.length === 0
        ? preparer.prepare(input)
        : writingCache(cacheDir, () => preparer.prepare(input)),
  };
}
