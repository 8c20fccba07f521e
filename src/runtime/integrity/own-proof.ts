import type { GoalStore } from '../goal/store.js';
import type { Tampering } from '../state/witness.js';
import { appendedSince } from './log-tail.js';

// The run's own proof.json is not one of the files the controller owns while it runs (it writes
// it at the end), so the witness does not keep it. Every proof omk writes comes with a
// `proof_built` event in the goal's log (proof/assemble.ts, `rebuildProof`), whichever omk process
// builds it (the controller, a pause or an accept from another process): a proof.json rewritten
// while a run went on with no such event added is someone else's.

export interface OwnProofWatch {
  check(): Promise<Tampering[]>;
}

const PROOF_BUILT = /"type"\s*:\s*"proof_built"/g;

/**
 * Takes goal `goalId`'s proof.json identity and its log's size before a run (two stats, nothing
 * read); `check` after it says whether the proof changed without a `proof_built` event added
 * meanwhile. The log is read only when the proof changed, and then only what it gained since:
 * the cost does not grow with the log. Read past the witness (`store.deps.files`): this look takes
 * nothing as seen.
 */
export async function watchOwnProof(store: GoalStore, goalId: string): Promise<OwnProofWatch> {
  const paths = store.paths(goalId);
  const files = store.deps.files;
  const identity = await files.identity(paths.proof);
  const logSize = (await files.readRange(paths.events, Number.MAX_SAFE_INTEGER, 0))?.size ?? 0;
  return {
    async check() {
      const now = await files.identity(paths.proof);
      if (now === identity) return [];
      const gained = await appendedSince(files, paths.events, logSize);
      if ((gained?.match(PROOF_BUILT)?.length ?? 0) > 0) return [];
      return [
        {
          file: 'proof.json',
          path: paths.proof,
          what: now === null ? 'removed' : 'rewritten (no `proof_built` event with it)',
          restored: false,
        },
      ];
    },
  };
}
