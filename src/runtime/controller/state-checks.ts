import type { CrateSources } from '../integrity/crate-sources.js';
import { tamperingFindings, tamperingGaps } from '../integrity/findings.js';
import type { ModuleSources } from '../integrity/module-sources.js';
import { watchOwnProof } from '../integrity/own-proof.js';
import { type StateRootWatch, watchStateRoot } from '../integrity/state-root.js';
import type { Finding } from '../proof/schema.js';
import type { Tampering } from '../state/witness.js';
import type { ControllerDeps } from './context.js';
import type { ExecutionJournal } from './journal.js';

/** A run (an agent's, its gates') whose state root is compared before and after. */
export interface StateCheck {
  /** What was found before the run started (something earlier changed the goal's files). */
  before: Finding[];
  /** The goal's own evidence against what the controller holds, the rest against the snapshot. */
  check(): Promise<Finding[]>;
  /**
   * Ends the run without a check (it threw before it could be checked), so later runs of the goal
   * are not taken to overlap it. After `check`, nothing more to do; safe to call more than once.
   */
  end(): void;
}

/**
 * Before a run: the goal's own files are compared with what this controller wrote or saw (so
 * the run's check starts from the disk as it is now) and the rest of the state root is
 * snapshotted; after it, `check` compares both again. What is found goes into execution.json as
 * `state_tampered` gaps for good (the next save writes it) and comes back as blocking findings for
 * the run's slice.
 */
export async function watchState(
  deps: Pick<ControllerDeps, 'store' | 'home'> & {
    integrity: Pick<ControllerDeps['integrity'], 'stateTree' | 'dirNames'>;
  },
  journal: Pick<ExecutionJournal, 'goalId' | 'addStateGaps'>,
  what: string,
  /**
   * An agent run's: the goal's build cache, which only its gates and installs write, is compared
   * too; an unsandboxed one's, the checkout's dependency directories (`checkout`, its root) and the
   * module sources its tree's lockfiles name (`modules`, `crates`) too.
   */
  options: { cache?: boolean; checkout?: string; modules?: ModuleSources; crates?: CrateSources } = {},
): Promise<StateCheck> {
  const record = async (
    when: string,
    others: Awaited<ReturnType<StateRootWatch['check']>>,
    proof: Tampering[] = [],
  ) => {
    const own = [...(await deps.store.verifyGoal(journal.goalId)), ...proof];
    const gaps = tamperingGaps(own, others, when);
    if (gaps.length === 0) return [];
    journal.addStateGaps(gaps);
    return tamperingFindings(gaps);
  };
  const before = await record(`before ${what} started`, []);
  const run = beginRun(journal);
  try {
    const root = await watchStateRoot(deps.store, deps.integrity, journal.goalId, deps.home, options);
    const proof = await watchOwnProof(deps.store, journal.goalId);
    return {
      before,
      check: async () => {
        try {
          return await record(
            `while ${what} ran`,
            await root.check({ overlapped: run.overlapped }),
            await proof.check(),
          );
        } finally {
          run.end();
        }
      },
      end: run.end,
    };
  } catch (error) {
    run.end();
    throw error;
  }
}

/** One run of a goal between its snapshot and its check; `overlapped` once another ran meanwhile. */
interface InFlight {
  overlapped: boolean;
  end(): void;
}

/** The runs of each goal run (its journal) in flight now: parallel slices' agents and gates. */
const inFlight = new WeakMap<object, Set<InFlight>>();

/**
 * Marks a run in flight. While two runs of one goal overlap, each writes artifacts of its own
 * (a transcript, gate logs) that the witness keeps only once it has scrubbed them: the other
 * run's check cannot tell them from an agent's (`watchStateRoot`'s `overlapped`).
 */
function beginRun(journal: object): InFlight {
  const runs = inFlight.get(journal) ?? new Set<InFlight>();
  inFlight.set(journal, runs);
  const run: InFlight = {
    overlapped: runs.size > 0,
    end: () => {
      runs.delete(run);
    },
  };
  for (const other of runs) other.overlapped = true;
  runs.add(run);
  return run;
}
