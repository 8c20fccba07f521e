import type { IntegrityPort } from '../../runtime/integrity/port.js';
import { worktreeState } from '../git/worktree-state.js';
import type { RunMarks } from '../process/run-marks.js';
import { escapingLinks } from './links.js';
import { endLeftovers, endStrays } from './processes.js';
import { baselineIntegrity, watchIntegrity } from './snapshot.js';
import { dirNames, stateTree } from './state-tree.js';
import { watchNames } from './watch-names.js';

/**
 * Integrity checks on this machine's filesystem and processes; `marks` are those the host's runner
 * put on every process it started, so what a run left is found also outside its worktree.
 */
export function createLocalIntegrity(marks: RunMarks): IntegrityPort {
  return {
    watch: watchIntegrity,
    baseline: baselineIntegrity,
    endStrays: (worktree) => endStrays(worktree, { marks }),
    endLeftovers: (places) => endLeftovers(marks, places),
    escapingLinks,
    worktreeState,
    stateTree,
    dirNames,
    watchNames,
  };
}
