import { dirname, join } from 'node:path';
import { rebuildProof } from '../proof/assemble.js';
import type { GoalReconciler, RemoteGoalFiles } from '../state/remote.js';
import { type AdoptedDecision, type GoalTexts, mergeGoalTexts } from './merge.js';
import type { GoalStore } from './store.js';

export interface ReconcileResult {
  /** Decisions of the remote copy brought into the local goal, in order. */
  adopted: AdoptedDecision[];
  /** Something local changed (and the proof was rebuilt). */
  changed: boolean;
}

const MERGED_FILES: Record<keyof GoalTexts, string> = {
  goal: 'goal.json',
  events: 'events.jsonl',
  decisions: 'decisions.jsonl',
  budget: 'budget.jsonl',
  failure: 'failure.json',
};

/**
 * Brings the remote's copy of a goal into the local one, under the goal lock (mergeGoalTexts says
 * how each file merges): what another writer recorded is kept and, for lifecycle decisions,
 * obeyed. Files only the remote has (a matrix runner's slice result, its artifacts) are added;
 * other files stay as this machine has them. The proof is rebuilt when anything changed, since it
 * is derived from the rest.
 */
export async function reconcileGoal(
  store: GoalStore,
  goalId: string,
  theirs: RemoteGoalFiles,
): Promise<ReconcileResult> {
  if (!theirs.has(MERGED_FILES.goal)) return { adopted: [], changed: false };
  return store.withGoalLock(goalId, async () => {
    const paths = store.paths(goalId);
    const ours = await readTexts((name) => store.files.readText(join(paths.dir, name)));
    const remote = await readTexts(async (name) => {
      const content = theirs.get(name);
      return content === undefined ? null : Buffer.from(content).toString('utf8');
    });
    const merged = mergeGoalTexts(ours, remote, `goal ${goalId}`);
    let changed = false;
    for (const key of ['events', 'decisions', 'budget', 'failure'] as const) {
      const text = merged.writes[key];
      if (text === undefined) continue;
      await store.files.writeAtomic(join(paths.dir, MERGED_FILES[key]), text);
      changed = true;
    }
    for (const [name, content] of theirs) {
      if (Object.values(MERGED_FILES).includes(name) || name === 'proof.json') continue;
      const target = join(paths.dir, ...name.split('/'));
      if (await store.files.exists(target)) continue;
      await store.files.makeDirs(dirname(target));
      await store.files.writeAtomic(target, content);
      changed = true;
    }
    let goal = await store.read(goalId);
    if (merged.writes.goal !== undefined) {
      goal = await store.write({ ...merged.goal, revision: goal.revision });
      changed = true;
    }
    if (changed) await rebuildProof(store, goal, store.eventLog(goalId));
    return { adopted: merged.adopted, changed };
  });
}

async function readTexts(read: (name: string) => Promise<string | null>): Promise<GoalTexts> {
  const get = async (name: string) => {
    try {
      return await read(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  return {
    goal: await get(MERGED_FILES.goal),
    events: await get(MERGED_FILES.events),
    decisions: await get(MERGED_FILES.decisions),
    budget: await get(MERGED_FILES.budget),
    failure: await get(MERGED_FILES.failure),
  };
}

/** reconcileGoal bound to a store: what a state branch merges with before it pushes. */
export function goalReconciler(store: GoalStore): GoalReconciler {
  return async (goalId, theirs) => {
    await reconcileGoal(store, goalId, theirs);
  };
}
