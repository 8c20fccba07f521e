import { readExecution } from '../controller/execution-state.js';
import { EventLog } from '../events/log.js';
import type { GoalEvent } from '../events/schema.js';
import { controllerAlive } from '../goal/actions.js';
import { goalsIn, type RepoScope } from '../goal/repo-scope.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { TASK_STATUSES, taskGraphVersioned } from '../graph/schema.js';
import { readVersioned } from '../state/versioned.js';

type TaskStatus = (typeof TASK_STATUSES)[number];

/** A slice whose agent is running now. */
export interface HudWorker {
  slice: string;
  pid: number;
  host: string;
  attempt: number;
  /** When the agent's current attempt started (null when the event is not in the log). */
  startedAt: string | null;
  elapsedMs: number | null;
}

export interface HudGoal {
  id: string;
  status: GoalRecord['status'];
  goal: string;
  controller: { pid: number; host: string; alive: boolean } | null;
  tasks: Record<TaskStatus, number>;
  /** The graph's review fixes (a fix asked on one of the goal's PRs), with their state and attempts. */
  fixes: { id: string; pr: number; status: TaskStatus; attempts: number }[];
  workers: HudWorker[];
  lastEvent: { seq: number; type: string; ts: string } | null;
}

/** The design's `hud --once` snapshot: what is running, where, for how long, and the last event. */
export interface HudSnapshot {
  at: string;
  goals: HudGoal[];
  /** Active goals of other repositories left out (0 for one goal, or every repository's). */
  otherRepositories: number;
}

/** What a HUD shows: one goal, or the active goals of `scope`'s repository (null: of every repository). */
export type HudTarget = { goalId: string } | { scope: RepoScope | null };

/** Goals a HUD shows by default: the ones a controller may be working on or waiting to continue. */
const ACTIVE: readonly GoalRecord['status'][] = ['running', 'paused', 'interrupted'];

/** Whether a goal of this status is one the HUD keeps watching. */
export function hudActive(status: GoalRecord['status']): boolean {
  return ACTIVE.includes(status);
}

/**
 * One snapshot of the goals that are active (or of the goal asked for): task counts by state from
 * the task graph, its review fixes, the agents running with their process, attempt and elapsed time from
 * execution.json and the event log, and the last event. It reads; it never takes the goal lock.
 */
export async function hudSnapshot(store: GoalStore, target: HudTarget): Promise<HudSnapshot> {
  const now = store.deps.clock.nowMs();
  const active =
    'goalId' in target
      ? [await store.read(target.goalId)]
      : (await store.list()).filter((goal) => hudActive(goal.status));
  const goals = 'scope' in target ? goalsIn(active, target.scope) : active;
  return {
    at: new Date(now).toISOString(),
    goals: await Promise.all(goals.map((goal) => hudGoal(store, goal, now))),
    otherRepositories: active.length - goals.length,
  };
}

async function hudGoal(store: GoalStore, goal: GoalRecord, now: number): Promise<HudGoal> {
  const paths = store.paths(goal.id);
  const [graph, execution, log] = await Promise.all([
    readVersioned(store.files, taskGraphVersioned, paths.taskGraph),
    readExecution(store.files, paths.execution),
    new EventLog(store.files, paths.events, store.deps.clock, store.deps.host).read(),
  ]);
  const tasks = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const task of graph.tasks) tasks[task.status] += 1;
  const starts = lastAgentStarts(log.events);
  const workers = execution.slices.flatMap((slice): HudWorker[] => {
    if (slice.agentProcess === null) return [];
    // execution.json is written before the event log: a just-started agent may have no
    // agent_started event yet, and an older attempt's event would give a wrong elapsed time.
    const start = slice.agentProcess.startedAt
      ? { ts: slice.agentProcess.startedAt, attempt: slice.agentProcess.attempt ?? 0 }
      : starts.get(slice.id);
    const startedAt = start?.ts ?? null;
    return [
      {
        slice: slice.id,
        pid: slice.agentProcess.pid,
        host: slice.agentProcess.host,
        attempt: start?.attempt ?? graph.tasks.find((task) => task.id === slice.id)?.attempts ?? 0,
        startedAt,
        elapsedMs: startedAt === null ? null : Math.max(0, now - Date.parse(startedAt)),
      },
    ];
  });
  const fixRun = execution.fixRun;
  if (fixRun?.agentProcess) {
    const startedAt = fixRun.agentProcess.startedAt ?? starts.get(fixRun.taskId)?.ts ?? null;
    workers.push({
      slice: fixRun.taskId,
      pid: fixRun.agentProcess.pid,
      host: fixRun.agentProcess.host,
      attempt: fixRun.attempt,
      startedAt,
      elapsedMs: startedAt === null ? null : Math.max(0, now - Date.parse(startedAt)),
    });
  }
  const last = log.events.at(-1);
  return {
    id: goal.id,
    status: goal.status,
    goal: goal.goal.normalized,
    controller: goal.controller
      ? { pid: goal.controller.pid, host: goal.controller.host, alive: controllerAlive(store, goal) }
      : null,
    tasks,
    fixes: (graph.fixes ?? []).map(({ id, pr, status, attempts }) => ({ id, pr, status, attempts })),
    workers,
    lastEvent: last ? { seq: last.seq, type: last.type, ts: last.ts } : null,
  };
}

function lastAgentStarts(events: readonly GoalEvent[]): Map<string, { ts: string; attempt: number }> {
  const starts = new Map<string, { ts: string; attempt: number }>();
  for (const event of events) {
    if (event.type !== 'agent_started') continue;
    const { taskId, attempt } = event.data;
    if (typeof taskId !== 'string') continue;
    starts.set(taskId, { ts: event.ts, attempt: typeof attempt === 'number' ? attempt : 0 });
  }
  return starts;
}
