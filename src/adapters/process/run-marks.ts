import { randomBytes } from 'node:crypto';
import type { EndedProcess, ProcessRunner } from '../../runtime/ports.js';
import { canonicalPath } from '../git/worktree.js';

/** The variable every process omk starts carries: `<this omk's nonce>.<run number>`. */
export const RUN_MARK = 'OMK_RUN_MARK';

/**
 * Marks on the processes omk starts (agents, gates, installs), so what one of them leaves behind
 * is found wherever it went: a process inherits its parent's environment, also across `setsid`,
 * a double fork and a `cd /`. Not a secret, only unique to this omk and run; a process that
 * clears its environment (`env -i`, an `exec` after `unset`) drops it (docs/security.md).
 */
export interface RunMarks {
  /** Runs each spec with a mark of its own in its environment, remembered with its cwd. */
  runner(inner: ProcessRunner): ProcessRunner;
  /**
   * The run a process environment (`/proc/<pid>/environ`: NUL-separated) was marked by, if it is
   * one of this omk's runs and has ended: its canonical working directory. Null otherwise (no
   * mark, another omk's, or a run still going).
   */
  endedRun(environ: string): string | null;
  /**
   * What the subreaper ended after ended runs whose canonical working directory `matches`: each
   * once (it is forgotten as it is taken).
   */
  takeEnded(matches: (cwd: string) => boolean): EndedProcess[];
}

interface MarkedRun {
  cwd: string;
  running: boolean;
  ended: EndedProcess[];
}

/** `nonce`: random per omk process unless a test fixes it. */
export function createRunMarks(nonce: string = randomBytes(12).toString('hex')): RunMarks {
  const runs = new Map<string, MarkedRun>();
  let next = 0;
  return {
    runner: (inner) => async (spec) => {
      next += 1;
      const mark = `${nonce}.${next}`;
      const run: MarkedRun = { cwd: await canonicalPath(spec.cwd), running: true, ended: [] };
      runs.set(mark, run);
      try {
        const result = await inner({ ...spec, env: { ...spec.env, [RUN_MARK]: mark } });
        run.ended.push(...(result.ended ?? []));
        return result;
      } finally {
        run.running = false;
      }
    },
    takeEnded: (matches) => {
      const taken: EndedProcess[] = [];
      for (const run of runs.values()) {
        if (run.running || run.ended.length === 0 || !matches(run.cwd)) continue;
        taken.push(...run.ended.splice(0));
      }
      return taken;
    },
    endedRun: (environ) => {
      const entry = environ.split('\0').find((line) => line.startsWith(`${RUN_MARK}=`));
      const run = entry === undefined ? undefined : runs.get(entry.slice(RUN_MARK.length + 1));
      return run === undefined || run.running ? null : run.cwd;
    },
  };
}
