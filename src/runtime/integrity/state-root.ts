import { join, resolve } from 'node:path';
import { TOOLCHAIN_DIRS } from '../gates/toolchain-caches.js';
import type { GoalStore } from '../goal/store.js';
import { OUTSIDER_EVENTS, SEALS_FILE } from '../state/witness.js';
import { watchCheckoutDeps } from './checkout-deps.js';
import { type CrateSources, watchCrateSources } from './crate-sources.js';
import { watchGoalCache } from './goal-cache.js';
import { appendedSince, eventTypes, sizeOf } from './log-tail.js';
import { type ModuleSources, watchModuleSources } from './module-sources.js';
import { type NewGoals, runElsewhere, setAside, watchNewGoals } from './new-goals.js';
import { type DigestMark, otherLogsOf, typesGainedSince } from './other-logs.js';
import type { IntegrityPort, StateTree } from './port.js';
import { transientOfOmk } from './transient-files.js';

// Around every agent and gate run, every path of the state root is compared by a stat taken
// before and after (`IntegrityPort.stateTree`): whatever changed that omk did not write is named,
// whatever the file (a goal's delivery.json, its plan, an artifact of an earlier run, a file
// dropped there, another goal's directory, the local forge's records, `private/`). What omk writes
// meanwhile is told apart: the run's own goal's evidence is compared by the controller's own
// checks (`state/witness.ts`, the goal.json guard, `own-proof.ts`) and its new artifacts are the
// ones the witness keeps; a goal another live controller runs is left out (its files change as it
// works); what other omk commands write meanwhile (a user's pause or accept of another goal, its
// delivery) comes with an event of theirs in that goal's log; the store's locks and temp files
// belong to a live omk process. Who made a new goal directory, runs a goal or holds a lock is told
// by this process's memory or a live omk process the host vouches for (`new-goals.ts`); a goal
// directory no omk made is set aside.

/**
 * The other goals (the last by id) whose whole log is compared by digest (`other-logs.ts`: read
 * again only when it changed); older ones by what they gained.
 */
export const MAX_OTHER_GOALS = 64;

/**
 * Top-level directories of the state root not compared: the worktrees (the agent's own among
 * them; the rest of the repository's are checked by `IntegrityPort.watch`), and the build caches
 * and shared dependency copies that agents and gates write on purpose.
 */
export const NOT_COMPARED: readonly string[] = ['worktrees', 'cache', 'shared-cache'];

/**
 * What is not compared in a state root that is omk's HOME too (`--state-dir ~`, or a test's
 * HOME): the toolchains' caches there, which gates write on purpose (npm's logs and cache).
 */
function notCompared(root: string, home: string | null): readonly string[] {
  if (home === null || resolve(home) !== resolve(root)) return NOT_COMPARED;
  return [...NOT_COMPARED, ...TOOLCHAIN_DIRS.map((dir) => dir.under)];
}

/** What the run's own goal's checks compare (the witness, the goal.json guard, own-proof.ts). */
const OWN_COMPARED_ELSEWHERE: readonly string[] = [
  'goal.json',
  'proof.json',
  'execution.json',
  'task-graph.json',
  'events.jsonl',
  'decisions.jsonl',
  'budget.jsonl',
  SEALS_FILE,
];

/** What a lifecycle command or a delivery of another goal rewrites, with an event of its own. */
const WRITTEN_WITH_AN_EVENT: readonly string[] = [
  'goal.json',
  'proof.json',
  'task-graph.json',
  'budget.jsonl',
  'failure.json',
  'delivery.json',
  SEALS_FILE,
];

/**
 * A worktree's install log, which omk rewrites at every preparation of that worktree (a parallel
 * slice's among them) and never reads back into a verdict.
 */
const OMK_LOG = /^artifacts\/prepare\/[^/]+\.log$/;

/**
 * A test report omk asks a gate's runner to write (`{file}` of a gate's report: JUnit XML, Jest
 * JSON) and reads as that run's evidence. omk removes it before each gate run (confined, it
 * leaves it empty for the runner to fill), so one planted there earlier is never read.
 */
const GATE_REPORT = /^artifacts\/gates\/[0-9a-f]{12}-[^/]+-\d+\.(xml|json)$/;

/** Events another omk process appends to a goal no controller runs: lifecycle and delivery. */
const DELIVERY_EVENTS: readonly string[] = [
  'pr_opened',
  'pr_updated',
  'pr_ready_for_review',
  'check_run_published',
  'merge_evaluated',
  'merge_requested',
  'goal_merged',
  'goal_cleaned',
];

/** Something of the state root that changed while a run went on, named without machine paths. */
export interface StateRootChange {
  /** e.g. `goal 20260101-abc proof.json`, `forge.json of the local forge`, `delivery.json`. */
  what: string;
  change: 'added' | 'changed' | 'removed';
  /** A file of the run's own goal (`what` is its name in the goal's directory). */
  own?: boolean;
  /** A build cache of the goal (`what` is `cache/<goal>` or `cache/.integration/<goal>`): which files, as `goal-cache.ts` says. */
  cache?: string;
  /**
   * A dependency directory of the user's checkout (`what` is `.venv/`, `node_modules/`): which
   * files, as `checkout-deps.ts` says.
   */
  checkout?: string;
  /** A Go module's extracted source in the module cache (`what` is `module@version`): which files. */
  module?: string;
  /** A registry crate's extracted source under CARGO_HOME (`what` is `name@version`): which files. */
  crate?: string;
}

export interface StateRootWatch {
  /**
   * `overlapped`: another run of the same goal (a parallel slice's agent or gates) was in flight
   * meanwhile, so new or rewritten files of the goal's artifacts may be that run's, not yet kept.
   */
  check(options?: { overlapped?: boolean }): Promise<StateRootChange[]>;
}

type Change = StateRootChange['change'];

/** What was known of another goal's events.jsonl before the run. */
type LogMark = DigestMark | { size: number };

/**
 * Snapshots the state root by stat (one per path), and the other goals' logs: the last
 * MAX_OTHER_GOALS by digest, older ones by size.
 */
export async function watchStateRoot(
  store: GoalStore,
  integrity: Pick<IntegrityPort, 'stateTree' | 'watchNames' | 'dirNames'>,
  ownGoalId: string,
  home: string | null = null,
  /**
   * An agent run's: its goal's build cache is compared too (`goal-cache.ts`); an unsandboxed one's,
   * the dependency directories of the checkout at `checkout` and the module sources its tree's
   * lockfiles name (`modules`, `module-sources.ts`; `crates`, `crate-sources.ts`) too.
   */
  options: { cache?: boolean; checkout?: string; modules?: ModuleSources; crates?: CrateSources } = {},
): Promise<StateRootWatch> {
  const root = store.deps.stateRoot;
  const skip = notCompared(root, home);
  const made = watchNewGoals(store, integrity);
  const snapshots = async () =>
    [
      await integrity.stateTree(root, skip),
      options.cache === true ? await watchGoalCache(integrity, root, ownGoalId) : null,
      options.checkout === undefined
        ? null
        : await watchCheckoutDeps(integrity, options.checkout, join(root, 'cache', ownGoalId)),
      options.modules === undefined
        ? null
        : await watchModuleSources(integrity, options.modules, join(root, 'cache', ownGoalId)),
      options.crates === undefined
        ? null
        : await watchCrateSources(integrity, options.crates, join(root, 'cache', ownGoalId)),
    ] as const;
  const [before, cache, checkout, modules, crates] = await snapshots().catch((error: unknown) => {
    made.stop();
    throw error;
  });
  const others = goalIds(before).filter((id) => id !== ownGoalId);
  const recent = new Set(others.slice(-MAX_OTHER_GOALS));
  const runElsewhere = new Set<string>();
  const logs = new Map<string, LogMark>();
  for (const id of others) {
    if (await runByAnother(store, id)) {
      runElsewhere.add(id);
      continue;
    }
    const events = `goals/${id}/events.jsonl`;
    if (recent.has(id)) logs.set(id, await otherLogsOf(store).mark(join(root, events), before.get(events)));
    else logs.set(id, { size: sizeOf(before.get(events)) });
  }
  const ownEventsSize = sizeOf(before.get(`goals/${ownGoalId}/events.jsonl`));

  return {
    async check({ overlapped = false } = {}) {
      const after = await integrity.stateTree(root, skip).finally(() => made.stop());
      const byGoal = new Map<string, [string, Change][]>();
      const rest: [string, Change][] = [];
      for (const [rel, change] of differences(before, after)) {
        const parts = rel.split('/');
        const id = parts[0] === 'goals' ? parts[1] : undefined;
        // A directory is named only as a goal's that came or went: what matters is the files in it.
        const dir = after.get(rel) === 'dir' || before.get(rel) === 'dir';
        if (dir && (id === undefined || parts.length !== 2)) continue;
        if (id === undefined) rest.push([rel, change]);
        else byGoal.set(id, [...(byGoal.get(id) ?? []), [parts.slice(2).join('/'), change]]);
      }
      const changes: StateRootChange[] = [];
      let delivered = false;
      for (const [id, changed] of byGoal) {
        if (id === ownGoalId) {
          changes.push(...(await ownChanges(store, id, changed, ownEventsSize, overlapped)));
          continue;
        }
        if (runElsewhere.has(id) || (await runByAnother(store, id))) continue;
        const found = await otherChanges(store, id, changed, logs.get(id), made, ownGoalId);
        if (found.delivered) delivered = true;
        changes.push(...found.changes);
      }
      for (const [rel, change] of rest) {
        if (await transientOfOmk(store, join(root, rel), change)) continue;
        if (rel.startsWith('forge/')) {
          // A delivery of another goal (its own events say so) writes the forge's records.
          if (delivered) continue;
          changes.push({ what: rel.endsWith('/forge.json') ? 'forge.json of the local forge' : rel, change });
        } else changes.push({ what: rel, change });
      }
      const cached = await cache?.check();
      if (cached) changes.push(cached);
      if (checkout) changes.push(...(await checkout.check()));
      if (modules) changes.push(...(await modules.check()));
      if (crates) changes.push(...(await crates.check()));
      return changes;
    },
  };
}

/** The goal directories a tree holds. */
function goalIds(tree: StateTree): string[] {
  const ids: string[] = [];
  for (const [rel, entry] of tree) {
    const parts = rel.split('/');
    if (parts.length === 2 && parts[0] === 'goals' && entry === 'dir' && parts[1] !== undefined)
      ids.push(parts[1]);
  }
  return ids.sort();
}

/** Every path added, changed or removed (a directory's entry changes only when it comes or goes). */
function differences(before: StateTree, after: StateTree): [string, Change][] {
  const found: [string, Change][] = [];
  for (const [rel, entry] of after) {
    const was = before.get(rel);
    if (was === undefined) found.push([rel, 'added']);
    else if (was !== entry) found.push([rel, 'changed']);
  }
  for (const rel of before.keys()) if (!after.has(rel)) found.push([rel, 'removed']);
  return found.sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The run's own goal: what its own checks do not compare (they name their files themselves) and
 * is not an artifact or saved bundle omk kept (the adapter's files of the attempt that ran among them:
 * `agents/run-files.ts`), nor (while another run of the
 * goal overlapped) any new or rewritten artifact, nor a store's passing file, nor a failure.json a
 * `cancel` from another process wrote (its sealed `goal_cancelled` line is judged by the witness).
 */
async function ownChanges(
  store: GoalStore,
  id: string,
  changed: readonly [string, Change][],
  eventsSize: number,
  overlapped: boolean,
): Promise<StateRootChange[]> {
  const dir = store.paths(id).dir;
  const found: StateRootChange[] = [];
  for (const [name, change] of changed) {
    if (name === '') {
      found.push({ what: "the goal's directory", change, own: true });
      continue;
    }
    const path = join(dir, name);
    if (OWN_COMPARED_ELSEWHERE.includes(name)) continue;
    // An artifact, or a slice's saved bundle written meanwhile (a slice finishing while this ran).
    if (store.keepsArtifact(path)) continue;
    if (OMK_LOG.test(name) && change !== 'removed') continue;
    if (GATE_REPORT.test(name) && change !== 'removed') continue;
    // The kept ones among them are still compared by the witness before the proof.
    if (overlapped && name.startsWith('artifacts/') && change !== 'removed') continue;
    if (await transientOfOmk(store, path, change)) continue;
    if (name === 'failure.json') {
      const types = eventTypes(
        (await appendedSince(store.deps.files, store.paths(id).events, eventsSize)) ?? '',
      );
      if (types?.includes('goal_cancelled')) continue;
    }
    found.push({ what: name, change, own: true });
  }
  return found;
}

/**
 * Another goal no live controller runs: every change is named but what an omk command writes
 * with an event of its own (the log gained only lifecycle or delivery events). A goal directory
 * that came during the run holding a readable goal record is another omk's `goal create` (the bot
 * creates goals while others run) when omk made it (`new-goals.ts`); one no omk made is named and
 * set aside, so it is never taken for a goal of the user's (`latest`, its id, a merge).
 */
async function otherChanges(
  store: GoalStore,
  id: string,
  changed: readonly [string, Change][],
  mark: LogMark | undefined,
  made: NewGoals,
  ownGoalId: string,
): Promise<{ changes: StateRootChange[]; delivered: boolean }> {
  const whole = changed.find(([name]) => name === '');
  if (whole !== undefined) {
    if (whole[1] !== 'added')
      return { changes: [{ what: `goal ${id}`, change: whole[1] }], delivered: false };
    if ((await readable(store, id)) && (await made.madeByOmk(id))) return { changes: [], delivered: false };
    await setAside(store, id, ownGoalId);
    return {
      changes: [{ what: `goal ${id} (made by no omk process; omk set it aside)`, change: 'added' }],
      delivered: false,
    };
  }
  const changes: StateRootChange[] = [];
  const gained = mark === undefined ? [] : await gainedTypes(store, id, mark);
  const byCommand = gained?.every((t) => OUTSIDER_EVENTS.includes(t) || DELIVERY_EVENTS.includes(t)) ?? false;
  if (!byCommand) changes.push({ what: `goal ${id} events.jsonl`, change: 'changed' });
  // Only a command's own events vouch for its writes: a forged line vouches for nothing.
  const withEvent = byCommand && gained !== null && gained.length > 0;
  for (const [name, change] of changed) {
    if (name === 'events.jsonl') continue;
    if (withEvent && WRITTEN_WITH_AN_EVENT.includes(name)) continue;
    if (await transientOfOmk(store, join(store.paths(id).dir, name), change)) continue;
    changes.push({ what: `goal ${id} ${name}`, change });
  }
  return { changes, delivered: gained?.some((t) => DELIVERY_EVENTS.includes(t)) ?? false };
}

/**
 * The types of the whole lines another goal's log gained; [] when nothing; null when what was
 * seen changed (or a line is not an event).
 */
async function gainedTypes(store: GoalStore, id: string, mark: LogMark): Promise<string[] | null> {
  const path = store.paths(id).events;
  if ('size' in mark) {
    const text = await appendedSince(store.deps.files, path, mark.size);
    return text === null ? null : eventTypes(text);
  }
  return typesGainedSince(store.deps.files, path, mark);
}

async function readable(store: GoalStore, id: string): Promise<boolean> {
  try {
    await store.read(id);
    return true;
  } catch {
    return false;
  }
}

/** Whether a live controller (another run) holds goal `id`: its files change as it works. */
async function runByAnother(store: GoalStore, id: string): Promise<boolean> {
  try {
    return runElsewhere(store, await store.read(id));
  } catch {
    // Unreadable: compared like any other (a damaged goal.json is a change worth naming).
    return false;
  }
}
