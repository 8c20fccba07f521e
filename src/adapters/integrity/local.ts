import type { IntegrityPort } from '../../runtime/integrity/port.js';
import { worktreeState } from '../git/worktree-state.js';
import { escapingLinks } from './links.js';
import { endStrays } from './processes.js';
import { baselineIntegrity, watchIntegrity } from './snapshot.js';

/** Integrity checks on this machine's filesystem and processes. */
export const localIntegrity: IntegrityPort = {
  watch: watchIntegrity,
  baseline: baselineIntegrity,
  endStrays: (worktree) => endStrays(worktree),
  escapingLinks,
  worktreeState,
};
