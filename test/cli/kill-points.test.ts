import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { OMK_BIN, runOmk, tempStateDir } from '../helpers/omk.js';

/**
 * SIGKILL a real `omk goal run` as soon as its goal's events.jsonl holds an event of a given type
 * (a sample of the points where a kill can land: during creation, planning, execution and
 * settling), then ask for the proof with no execute in between: every goal a kill leaves behind
 * has one.
 */
const KILL_POINTS = [
  'goal_created',
  'plan_written',
  'graph_validated',
  'execution_started',
  'task_done',
  'integration_done',
] as const;

let repo: TempRepo;
const states: { dir: string; cleanup: () => Promise<void> }[] = [];

beforeAll(async () => {
  repo = await createTempRepo({
    'src/math.js': 'export const add = (a, b) => a - b;\n',
    'test/math.test.js': 'import { add } from "../src/math.js";\nif (add(1, 2) !== 3) process.exit(1);\n',
    'package.json': '{"type":"module","scripts":{"test":"node test/math.test.js"}}\n',
  });
});
afterAll(async () => {
  await repo.cleanup();
  for (const state of states) await state.cleanup();
});

/** Event types of the one goal under stateDir (empty until its log exists). */
async function eventTypes(stateDir: string): Promise<{ goalId: string | null; types: string[] }> {
  const goals = await readdir(join(stateDir, 'goals')).catch(() => [] as string[]);
  const goalId = goals[0] ?? null;
  if (goalId === null) return { goalId, types: [] };
  const text = await readFile(join(stateDir, 'goals', goalId, 'events.jsonl'), 'utf8').catch(() => '');
  const types: string[] = [];
  for (const line of text.split('\n')) {
    try {
      types.push((JSON.parse(line) as { type: string }).type);
    } catch {
      // a line being written
    }
  }
  return { goalId, types };
}

/** Runs the goal and kills it (SIGKILL) once `point` is in its log; resolves with the goal id. */
async function runKilledAt(point: string, stateDir: string): Promise<{ goalId: string; killed: boolean }> {
  const child = spawn(
    process.execPath,
    [OMK_BIN, 'goal', 'run', 'fix the failing test in src/math.js', '--agent', 'demo', '--json'],
    {
      cwd: repo.root,
      env: { PATH: process.env.PATH ?? '', HOME: stateDir, OMK_STATE_DIR: stateDir },
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  let killed = false;
  while (!done) {
    const { types } = await eventTypes(stateDir);
    if (types.includes(point)) {
      killed = child.kill('SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await exited;
  const { goalId } = await eventTypes(stateDir);
  return { goalId: goalId ?? '', killed };
}

describe('omk goal run killed with SIGKILL right after an event', () => {
  it.each(KILL_POINTS)(
    'leaves a goal whose proof omk goal proof shows, killed after %s',
    async (point) => {
      const state = await tempStateDir();
      states.push(state);
      const { goalId, killed } = await runKilledAt(point, state.dir);
      expect(goalId).not.toBe('');
      expect(killed, `the run ended before ${point} was written`).toBe(true);
      const shown = await runOmk(['goal', 'proof', goalId, '--json'], {
        cwd: repo.root,
        stateDir: state.dir,
      });
      expect(shown.code, shown.stderr).toBe(0);
      const proof = JSON.parse(shown.stdout) as { goalId: string; status: string; digest: string };
      expect(proof.goalId).toBe(goalId);
      expect(proof.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const status = await runOmk(['goal', 'status', goalId, '--json'], {
        cwd: repo.root,
        stateDir: state.dir,
      });
      expect(status.code, status.stderr).toBe(0);
    },
    30_000,
  );
});

describe('omk goal run killed during planning (OMK_FAULT_AFTER_EVENT)', () => {
  // Found by the fault harness (bench/faults.mjs): killed after the opening events, the goal had
  // no task-graph.json, so `execute` failed for good and the goal could never be finished.
  it.each(['goal_created', 'graph_validated'])(
    'killed right after %s, the planned goal is finished by omk goal execute',
    async (point) => {
      const state = await tempStateDir();
      states.push(state);
      const killedRun = await runOmk(
        ['goal', 'run', 'fix the failing test in src/math.js', '--agent', 'demo'],
        {
          cwd: repo.root,
          stateDir: state.dir,
          env: { OMK_FAULT_AFTER_EVENT: point },
        },
      );
      expect(killedRun.code).not.toBe(0);
      const { goalId, types } = await eventTypes(state.dir);
      expect(goalId).not.toBeNull();
      expect(types).toContain(point);
      expect(types).not.toContain('plan_written');
      const executed = await runOmk(['goal', 'execute', goalId ?? '', '--agent', 'demo', '--json'], {
        cwd: repo.root,
        stateDir: state.dir,
      });
      expect(executed.code, executed.stderr).toBe(0);
      // As an uninterrupted run of this goal ends: the demo agent cannot fix this repository.
      const out = JSON.parse(executed.stdout) as { goal: { status: string }; proof: { status: string } };
      expect(out.proof.status).toBe('not_ready');
      expect(out.goal.status).toBe('not_ready');
    },
    60_000,
  );
});
