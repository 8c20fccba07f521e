import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { silentReporter, systemClock } from '../ports.js';
import type { RemoteStateStore } from '../state/remote.js';
import type { AppDeps } from './deps.js';
import type { ThreadCheckout, ThreadNote, ThreadPhase } from './thread-host.js';
import type { ThreadRunHost } from './thread-run.js';

/** A thread host for the thread use cases' tests, with what it was asked and what it showed. */
export interface FakeThreadHost {
  host: ThreadRunHost;
  /** What the host was asked, in order. */
  log: string[];
  shown: Array<{ phase: ThreadPhase; notes: readonly ThreadNote[]; issue?: number }>;
  /** Runs queued with `queue: 'run'`, started at once. */
  queued: Promise<void>[];
}

export interface FakeThreadHostOptions {
  executesHere?: boolean;
  /** What queueing a run answers; `run` queues it and starts it at once. */
  queue?: 'queued' | 'full' | 'run';
  phase?: ThreadPhase | null;
}

/**
 * A thread host over one local store in `root`, its state branch holding `goals` (null: no
 * branch): a pull copies a goal the store does not have yet, a push records its message.
 */
export function fakeThreadHost(
  root: string,
  store: GoalStore,
  app: () => AppDeps,
  goals: GoalRecord[] | null,
  options: FakeThreadHostOptions = {},
): FakeThreadHost {
  const log: string[] = [];
  const shown: FakeThreadHost['shown'] = [];
  const queued: Promise<void>[] = [];
  const remote: RemoteStateStore = {
    async pull(goalId) {
      log.push('pull');
      if (goals === null) return null;
      for (const goal of goals) {
        if (goalId !== null && goal.id !== goalId) continue;
        if (!(await store.has(goal.id))) await store.create(goal);
        // A goal on the branch has its opening events, as omk pushes it (checkSharedGoal asks).
        const events = store.eventLog(goal.id);
        if ((await events.lastSeq()) === 0) await events.append([{ type: 'goal_created', data: {} }]);
      }
      const pulled = goals.filter((goal) => goalId === null || goal.id === goalId).map((goal) => goal.id);
      return { commit: 'a'.repeat(40), goals: pulled };
    },
    async push(_goalId, message) {
      log.push(`push ${message}`);
      return 'b'.repeat(40);
    },
    peek: () => Promise.resolve(null),
    read: () => Promise.resolve(null),
  };
  const ws: ThreadCheckout = { repoRoot: root, store, remote };
  const host: ThreadRunHost = {
    checkout: (kind, fn) => {
      log.push(`checkout ${kind}`);
      return fn(ws);
    },
    lock: async (_goalId, fn) => {
      log.push('lock');
      try {
        return await fn();
      } finally {
        log.push('unlock');
      }
    },
    bringBranches: async () => {
      log.push('branches');
    },
    runs: new Map(),
    app,
    reporter: silentReporter,
    clock: systemClock,
    executesHere: options.executesHere ?? true,
    operatorAgent: null,
    show: async (_store, _goalId, phase, notes = [], shownOptions = {}) => {
      shown.push({
        phase,
        notes,
        ...(shownOptions.issue === undefined ? {} : { issue: shownOptions.issue }),
      });
    },
    follow: () => ({ stop: async () => {} }),
    dispatch: async (goalId) => {
      log.push(`dispatch ${goalId}`);
    },
    queueRun: (key, run) => {
      log.push(`queue ${key}`);
      if (options.queue === 'run') {
        queued.push(run());
        return 'queued';
      }
      return options.queue ?? 'queued';
    },
    shownPhase: async () => options.phase ?? null,
  };
  return { host, log, shown, queued };
}
