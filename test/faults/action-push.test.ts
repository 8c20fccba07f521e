import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type ActionEnv, createActionEnv, NO_CI_CONFIG, separateJob } from '../action/harness.js';
import { duplicatesOn } from './harness.js';

// The Action killed while it saves a new goal to the state branch (the first push of `run`,
// before any slice runs): held by the fake GitHub before the push is carried out and after it
// (the answer lost), and right after the push returned (OMK_FAULT_AT=goal_planned). Then the same
// `run` again in a job of its own, as "Re-run jobs" does (same GITHUB_RUN_ID): it must find the goal
// its killed attempt saved and continue it, not create a second. Every goal on the state branch must
// end settled with a proof, nothing made twice. Another workflow run (another GITHUB_RUN_ID) with
// the same goal text must still create a goal of its own.

const RUN = { goal: DEMO_GOAL, agent: 'demo', policy: 'auto-pr', 'merge-policy': 'gated' };
/** The workflow run every attempt belongs to: a rerun keeps GITHUB_RUN_ID (only the attempt changes). */
const RUN_ID = { GITHUB_RUN_ID: '7001', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'omk' };
const RERUN = { ...RUN_ID, GITHUB_RUN_ATTEMPT: '2' };
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
  const killed = await current.run(
    RUN,
    point.kind === 'step' ? { ...RUN_ID, OMK_FAULT_AT: 'goal_planned' } : RUN_ID,
  );
  const before = goalsOnStateBranch(current.repo.origin);
  // The rerun is another job: its own checkout and RUNNER_TEMP, as "Re-run jobs" gets.
  const recovery = await separateJob(current, RUN, RERUN);
  const goals = goalsOnStateBranch(current.repo.origin).map((id) => {
    const record = onStateBranch(current.repo.origin, `goals/${id}/goal.json`);
    return {
      id,
      status: record === null ? 'missing' : (JSON.parse(record) as { status: string }).status,
      proof: onStateBranch(current.repo.origin, `goals/${id}/proof.json`) !== null,
    };
  });
  return { env: current, killed, before, recovery, goals, duplicates: duplicatesOn(current.server) };
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
          env: null,
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
      if (saved === 1) {
        expect(result.recovery.stdout, why).toContain(
          `goal ${result.before[0]} is on the state branch already`,
        );
      }
      if (point.kind !== 'step') return;
      // Another workflow run, same goal text: a goal of its own (planned only, to stay cheap).
      const other = await separateJob(
        result.env,
        { ...RUN, command: 'plan' },
        { ...RUN_ID, GITHUB_RUN_ID: '7002' },
      );
      expect(other.code, other.stdout.slice(-1500)).toBe(0);
      const after = goalsOnStateBranch(result.env.repo.origin);
      expect(after, other.stdout.slice(-1500)).toHaveLength(2);
      expect(after, other.stdout.slice(-1500)).toContain(result.before[0]);
    },
    180_000,
  );
});
