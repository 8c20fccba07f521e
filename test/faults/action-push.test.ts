import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG, separateJob } from '../action/harness.js';
import { duplicatesOn } from './harness.js';

// The Action killed while it saves a new goal to the state branch (the first push of `run`,
// before any slice runs): held by the fake GitHub before the push is carried out and after it
// (the answer lost), and right after the push returned (OMK_FAULT_AT=goal_planned). Then the next
// Action run, in a job of its own: `execute` of the goal the log named as saved when it is on the
// branch, else the same `run` again. Every goal on the state branch must end settled with a proof, nothing made twice.

const RUN = { goal: DEMO_GOAL, agent: 'demo', policy: 'auto-pr', 'merge-policy': 'gated' };
const SETTLED = new Set(['merged', 'cancelled', 'rejected', 'failed']);

type Point = { kind: 'push'; phase: 'before' | 'after' } | { kind: 'step' };

let env: ActionEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

/** The processes `pid` started, and theirs (Linux: /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number)) {
      found.push(child, ...descendants(child));
    }
  }
  return found;
}

function onStateBranch(origin: string, path: string): string | null {
  try {
    return execFileSync('git', ['show', `refs/heads/omk/state:${path}`], {
      cwd: origin,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
}

function goalsOnStateBranch(origin: string): string[] {
  const listing = onStateBranch(origin, 'goals/') ?? '';
  return listing
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/\/$/, '').trim())
    .filter((line) => line !== '');
}

async function killedThenRecovered(point: Point) {
  env = await createActionEnv({ files: NO_CI_CONFIG });
  const current = env;
  if (point.kind === 'push') {
    current.server.holdNext('git-receive-pack', point.phase, async () => {
      const child = current.running;
      if (child === null) throw new Error('no Action step runs while its push is held');
      const gone = new Promise((resolve) => child.on('close', resolve));
      // As a runner ends a cancelled job: the step and every process it started (its git push).
      for (const pid of [child.pid ?? 0, ...descendants(child.pid ?? 0)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await gone;
    });
  }
  const killed = await current.run(RUN, point.kind === 'step' ? { OMK_FAULT_AT: 'goal_planned' } : {});
  const before = goalsOnStateBranch(current.repo.origin);
  // The next run is another job: its own checkout and RUNNER_TEMP, as a rerun of the workflow gets.
  const recovery =
    before.length === 1
      ? await separateJob(current, { command: 'execute', 'goal-id': before[0] ?? '', agent: 'demo' })
      : await separateJob(current, RUN);
  const goals = goalsOnStateBranch(current.repo.origin).map((id) => {
    const record = onStateBranch(current.repo.origin, `goals/${id}/goal.json`);
    return {
      id,
      status: record === null ? 'missing' : (JSON.parse(record) as { status: string }).status,
      proof: onStateBranch(current.repo.origin, `goals/${id}/proof.json`) !== null,
    };
  });
  return { killed, before, recovery, goals, duplicates: duplicatesOn(current.server) };
}

describe('the Action killed while it saves a new goal to the state branch', () => {
  it.each([
    ['before the push is carried out', { kind: 'push', phase: 'before' } as Point, 0],
    ['after the push, its answer lost', { kind: 'push', phase: 'after' } as Point, 1],
    ['right after the push returned', { kind: 'step' } as Point, 1],
  ])(
    '%s: the next Action run settles every goal on the branch, with a proof, nothing twice',
    async (_, point, saved) => {
      const result = await killedThenRecovered(point);
      const why = JSON.stringify(
        {
          ...result,
          killed: result.killed.stdout.slice(-1500),
          recovery: result.recovery.stdout.slice(-3000),
        },
        null,
        2,
      );
      expect(result.killed.code, why).not.toBe(0);
      // Killed before anything but the save: no slice branch or PR exists yet.
      expect(result.before, why).toHaveLength(saved);
      expect(result.recovery.code, why).toBe(0);
      expect(result.goals, why).toHaveLength(1);
      for (const goal of result.goals) {
        expect(SETTLED.has(goal.status), why).toBe(true);
        expect(goal.proof, why).toBe(true);
      }
      expect(result.duplicates, why).toEqual([]);
    },
    180_000,
  );
});
