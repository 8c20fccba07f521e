import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { controllerAlive } from '../goal/actions.js';
import type { GoalStore } from '../goal/store.js';
import { goalsDir } from '../state/paths.js';
import { OUTSIDER_EVENTS } from '../state/witness.js';

// Around every agent and gate run, the rest of the state root is compared too: the other goals'
// evidence and the local forge's records, which no agent has any business writing. A goal another
// live controller runs is left out (its files change as it works), and what other omk commands
// write meanwhile (a user's pause or accept of another goal, its delivery) comes with an event of
// theirs in that goal's log, so it is told apart from an agent's edit.

/** At most this many other goals (the last by id) are compared: the check stays cheap. */
export const MAX_OTHER_GOALS = 64;

/** The files of another goal compared by identity (any rewrite changes it). */
const GOAL_FILES = [
  'goal.json',
  'proof.json',
  'execution.json',
  'task-graph.json',
  'decisions.jsonl',
  'delivery.json',
  'budget.jsonl',
  'failure.json',
] as const;

/** What a lifecycle command or a delivery of that goal rewrites, with an event of its own. */
const WRITTEN_WITH_AN_EVENT: readonly string[] = [
  'goal.json',
  'proof.json',
  'task-graph.json',
  'budget.jsonl',
  'failure.json',
  'delivery.json',
];

/** Events another omk process appends to a goal no controller runs: lifecycle and delivery. */
const DELIVERY_EVENTS: readonly string[] = [
  'pr_opened',
  'pr_updated',
  'check_run_published',
  'merge_evaluated',
  'merge_requested',
  'goal_merged',
  'goal_cleaned',
];

/** Something of the state root outside the run's own goal that changed, named without machine paths. */
export interface StateRootChange {
  /** e.g. `goal 20260101-abc proof.json`, `forge.json of the local forge`. */
  what: string;
  change: 'added' | 'changed' | 'removed';
}

interface GoalMark {
  id: string;
  files: Map<string, string | null>;
  events: { length: number; digest: string };
}

export interface StateRootWatch {
  check(): Promise<StateRootChange[]>;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Snapshots the other goals (not run by a live controller) and the local forge's records. */
export async function watchStateRoot(store: GoalStore, ownGoalId: string): Promise<StateRootWatch> {
  const { files } = store;
  const names = ((await files.list(goalsDir(store.deps.stateRoot))) ?? [])
    .filter((name) => name !== ownGoalId)
    .sort()
    .slice(-MAX_OTHER_GOALS);
  const goals: GoalMark[] = [];
  for (const id of names) {
    if (await runByAnother(store, id)) continue;
    const paths = store.paths(id);
    const marks = new Map<string, string | null>();
    for (const name of GOAL_FILES) marks.set(name, await files.identity(join(paths.dir, name)));
    const events = (await files.readText(paths.events)) ?? '';
    goals.push({ id, files: marks, events: { length: events.length, digest: sha(events) } });
  }
  const forgeRoot = join(store.deps.stateRoot, 'forge');
  const forges = new Map<string, string | null>();
  for (const key of (await files.list(forgeRoot)) ?? []) {
    const path = join(forgeRoot, key, 'forge.json');
    forges.set(path, await files.identity(path));
  }

  return {
    async check() {
      const changes: StateRootChange[] = [];
      let delivered = false;
      for (const goal of goals) {
        if (await runByAnother(store, goal.id)) continue;
        const paths = store.paths(goal.id);
        const events = (await files.readText(paths.events)) ?? '';
        const gained = appendedTypes(events, goal.events);
        if (
          gained === null ||
          gained.some((t) => !OUTSIDER_EVENTS.includes(t) && !DELIVERY_EVENTS.includes(t))
        )
          changes.push({ what: `goal ${goal.id} events.jsonl`, change: 'changed' });
        if (gained?.some((t) => DELIVERY_EVENTS.includes(t))) delivered = true;
        const withEvent = gained !== null && gained.length > 0;
        for (const [name, before] of goal.files) {
          const after = await files.identity(join(paths.dir, name));
          if (after === before || (withEvent && WRITTEN_WITH_AN_EVENT.includes(name))) continue;
          changes.push({
            what: `goal ${goal.id} ${name}`,
            change: before === null ? 'added' : after === null ? 'removed' : 'changed',
          });
        }
      }
      for (const [path, before] of forges) {
        const after = await files.identity(path);
        // A delivery of another goal (its own events say so) writes the forge's records.
        if (after === before || delivered) continue;
        changes.push({
          what: 'forge.json of the local forge',
          change: before === null ? 'added' : after === null ? 'removed' : 'changed',
        });
      }
      return changes;
    },
  };
}

/** Whether a live controller (another run) holds goal `id`: its files change as it works. */
async function runByAnother(store: GoalStore, id: string): Promise<boolean> {
  try {
    const goal = await store.read(id);
    return goal.status === 'running' && controllerAlive(store, goal);
  } catch {
    // Unreadable: compared like any other (a damaged goal.json is a change worth naming).
    return false;
  }
}

/**
 * The types of the whole lines added after what was seen; [] when nothing was added; null when
 * what was seen changed (or a line is not an event).
 */
function appendedTypes(text: string, seen: { length: number; digest: string }): string[] | null {
  if (text.length < seen.length || sha(text.slice(0, seen.length)) !== seen.digest) return null;
  const types: string[] = [];
  for (const line of text.slice(seen.length).split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as { type?: unknown };
      if (typeof value?.type !== 'string') return null;
      types.push(value.type);
    } catch {
      return null;
    }
  }
  return types;
}
