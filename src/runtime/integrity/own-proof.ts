import type { GoalStore } from '../goal/store.js';
import type { Tampering } from '../state/witness.js';

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
 * Takes goal `goalId`'s proof.json identity and its log's count of `proof_built` events before a
 * run; `check` after it says whether the proof changed without a new one. Read past the witness
 * (`store.deps.files`): this look takes nothing as seen.
 */
export async function watchOwnProof(store: GoalStore, goalId: string): Promise<OwnProofWatch> {
  const paths = store.paths(goalId);
  const files = store.deps.files;
  const built = async () => ((await files.readText(paths.events)) ?? '').match(PROOF_BUILT)?.length ?? 0;
  const before = { identity: await files.identity(paths.proof), built: await built() };
  return {
    async check() {
      const identity = await files.identity(paths.proof);
      if (identity === before.identity || (await built()) > before.built) return [];
      return [
        {
          file: 'proof.json',
          path: paths.proof,
          what: identity === null ? 'removed' : 'rewritten (no `proof_built` event with it)',
          restored: false,
        },
      ];
    },
  };
}
