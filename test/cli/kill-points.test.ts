import { spawn } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { OMK_BIN, runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

/**
 * SIGKILL a real `omk goal run` as soon as its goal's events.jsonl holds an event of a given type
 * (a sample of the points where a kill can land: during creation and planning, execution and
 * settling), then ask for the proof with no execute in between: every goal a kill leaves behind
 * has one. goal_created, graph_validated and plan_written are one write (the test 'killed right
 * after goal_created (the plan in the same write)' below pins that), so a kill polled for any of
 * the three lands at the same place: one run stands for the three, and checks all three are there.
 */
const KILL_POINTS = ['plan_written', 'execution_started', 'task_done', 'integration_done'] as const;
const PLANNING_WRITE = ['goal_created', 'graph_validated', 'plan_written'];

let repo: TempRepo;
const states: { dir: string; cleanup: () => Promise<void> }[] = [];
const cleanups: (() => Promise<void>)[] = [];
/** A planner token budget well under the default (8000), which a big repository's map fills. */
const PLANNER_BUDGET = 2000;

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
  for (const cleanup of cleanups) await cleanup();
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
      if (point === 'plan_written') {
        expect((await eventTypes(state.dir)).types).toEqual(expect.arrayContaining(PLANNING_WRITE));
      }
      // The first point asks as a user would (a process); the others in this process (the same
      // commands, without starting node again).
      const ask = point === KILL_POINTS[0] ? runOmk : runOmkInProcess;
      const shown = await ask(['goal', 'proof', goalId, '--json'], { cwd: repo.root, stateDir: state.dir });
      expect(shown.code, shown.stderr).toBe(0);
      const proof = JSON.parse(shown.stdout) as { goalId: string; status: string; digest: string };
      expect(proof.goalId).toBe(goalId);
      expect(proof.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const status = await ask(['goal', 'status', goalId, '--json'], { cwd: repo.root, stateDir: state.dir });
      expect(status.code, status.stderr).toBe(0);
    },
    30_000,
  );
});

describe('omk goal run killed during planning (OMK_FAULT_AT)', () => {
  // Found by the fault harness (bench/faults.mjs): killed after the opening events, the goal had
  // no task-graph.json, so `execute` failed for good; killed after the task graph was written but
  // before the opening events, `execute` ran it with no goal_created, oracle or plan in its log.
  it.each(['goal_recorded', 'plan_proposed', 'plan_files_written'])(
    'killed at %s, the goal is planned again by omk goal execute: its plan in the log once, no decision twice',
    async (step) => {
      const state = await tempStateDir();
      states.push(state);
      const killedRun = await runOmk(
        ['goal', 'run', 'fix the failing test in src/math.js', '--agent', 'demo'],
        {
          cwd: repo.root,
          stateDir: state.dir,
          env: { OMK_FAULT_AT: step },
        },
      );
      expect(killedRun.code).not.toBe(0);
      const { goalId, types } = await eventTypes(state.dir);
      expect(goalId).not.toBeNull();
      expect(types).toEqual([]);
      const executed = await runOmk(['goal', 'execute', goalId ?? '', '--agent', 'demo', '--json'], {
        cwd: repo.root,
        stateDir: state.dir,
      });
      expect(executed.code, executed.stderr).toBe(0);
      // As an uninterrupted run of this goal ends: the demo agent cannot fix this repository.
      const out = JSON.parse(executed.stdout) as { goal: { status: string }; proof: { status: string } };
      expect(out.proof.status).toBe('not_ready');
      expect(out.goal.status).toBe('not_ready');
      const after = (await eventTypes(state.dir)).types;
      for (const type of [
        'goal_created',
        'oracle_decided',
        'budget_set',
        'graph_validated',
        'plan_written',
      ]) {
        expect(
          after.filter((t) => t === type),
          type,
        ).toHaveLength(1);
      }
      expect(after.indexOf('plan_written')).toBeLessThan(after.indexOf('execution_started'));
      const decisions = (await readFile(join(state.dir, 'goals', goalId ?? '', 'decisions.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string });
      expect(decisions.filter((d) => d.kind === 'oracle' || d.kind === 'planner').map((d) => d.kind)).toEqual(
        expect.arrayContaining(['oracle', 'planner']),
      );
      expect(decisions.filter((d) => d.kind === 'planner')).toHaveLength(1);
    },
    60_000,
  );

  // Killed right after goal_created, the plan is in the same write (goal_created comes with
  // plan_written): checked on the same killed run by the first test of 'omk goal resume --auto and
  // a run killed while it planned' below, before it resumes (one killed run instead of two).
});

describe('omk goal resume --auto and a run killed while it planned', () => {
  const goalJson = async (stateDir: string, goalId: string) =>
    JSON.parse(await readFile(join(stateDir, 'goals', goalId, 'goal.json'), 'utf8')) as {
      status: string;
      controller: { pid: number } | null;
    };

  it('killed right after goal_created (the plan in the same write), the stale planning lease makes resume --auto finish the goal', async () => {
    const state = await tempStateDir();
    states.push(state);
    const killedRun = await runOmk(
      ['goal', 'run', 'fix the failing test in src/math.js', '--agent', 'demo'],
      {
        cwd: repo.root,
        stateDir: state.dir,
        env: { OMK_FAULT_AFTER_EVENT: 'goal_created' },
      },
    );
    expect(killedRun.code).not.toBe(0);
    const { goalId, types: killedTypes } = await eventTypes(state.dir);
    // The plan is in the same write as goal_created.
    expect(killedTypes).toContain('graph_validated');
    expect(killedTypes.at(-1)).toBe('plan_written');
    const left = await goalJson(state.dir, goalId ?? '');
    expect(left.status).toBe('planned');
    expect(left.controller).not.toBeNull();
    const resumed = await runOmk(['goal', 'resume', '--auto', '--agent', 'demo'], {
      cwd: repo.root,
      stateDir: state.dir,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { types } = await eventTypes(state.dir);
    expect(types).toContain('execution_started');
    // As an uninterrupted run of this goal ends: the demo agent cannot fix this repository.
    const after = await goalJson(state.dir, goalId ?? '');
    expect(after.status).toBe('not_ready');
  }, 60_000);

  it('killed while its planning agent ran (no plan written), resume --auto plans it as asked, then executes it', async () => {
    const state = await tempStateDir();
    states.push(state);
    // Enough files that the repository map fills whatever token budget the planner is given.
    const filler = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`src/feature-${i}/module-with-a-long-name-${i}.js`, '']),
    );
    const bigRepo = await createTempRepo({
      'src/math.js': 'export const add = (a, b) => a - b;\n',
      'test/math.test.js': 'import { add } from "../src/math.js";\nif (add(1, 2) !== 3) process.exit(1);\n',
      'package.json': '{"type":"module","scripts":{"test":"node test/math.test.js"}}\n',
      ...filler,
    });
    cleanups.push(bigRepo.cleanup);
    const marker = join(state.dir, 'planning-started');
    const prompts = join(state.dir, 'planning-prompts');
    const agent = join(state.dir, 'agent.mjs');
    // The first planning run hangs (the test kills omk there); the second answers with no JSON, so
    // the heuristic plans; slices change nothing. Each planning run notes its prompt's length.
    await writeFile(
      agent,
      `#!/usr/bin/env node
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
if (process.env.OMK_TASK_ID === 'plan') {
  appendFileSync(${JSON.stringify(prompts)}, readFileSync(process.env.OMK_PROMPT_FILE, 'utf8').length + '\\n');
}
if (process.env.OMK_TASK_ID === 'plan' && !existsSync(${JSON.stringify(marker)})) {
  writeFileSync(${JSON.stringify(marker)}, String(process.pid));
  setTimeout(() => {}, 60_000);
} else {
  console.log('nothing to say');
}
`,
    );
    await chmod(agent, 0o755);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: state.dir,
      OMK_STATE_DIR: state.dir,
      OMK_SANDBOX: 'off',
    };
    const child = spawn(
      process.execPath,
      [
        OMK_BIN,
        ...['goal', 'run', 'fix the failing test in src/math.js', '--agent', `script:${agent}`],
        ...['--planner-token-budget', String(PLANNER_BUDGET)],
      ],
      { cwd: bigRepo.root, env, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let planning = '';
    for (let i = 0; i < 3000 && planning === ''; i += 1) {
      planning = await readFile(marker, 'utf8').catch(() => '');
      if (planning === '') await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(planning).not.toBe('');
    child.kill('SIGKILL');
    await exited;
    process.kill(Number(planning), 'SIGKILL');
    const { goalId } = await eventTypes(state.dir);
    expect(goalId).not.toBeNull();
    const left = await goalJson(state.dir, goalId ?? '');
    expect(left.status).toBe('planned');
    expect(
      await readFile(join(state.dir, 'goals', goalId ?? '', 'task-graph.json'), 'utf8').catch(() => null),
    ).toBeNull();

    const resumed = await runOmk(['goal', 'resume', '--auto', '--agent', `script:${agent}`, '--json'], {
      cwd: bigRepo.root,
      stateDir: state.dir,
      env: { OMK_SANDBOX: 'off' },
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const { types } = await eventTypes(state.dir);
    expect(types).toContain('plan_written');
    expect(types).toContain('execution_started');
    const after = await goalJson(state.dir, goalId ?? '');
    expect(['planned', 'interrupted', 'running']).not.toContain(after.status);
    expect(after.controller).toBeNull();
    // Planned again with the token budget the run asked for, not the default: the killed run's
    // prompt and the resumed run's first are the same, within the budget (a retry's follows).
    const lengths = (await readFile(prompts, 'utf8')).trim().split('\n').map(Number);
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    expect(lengths[0]).toBeLessThanOrEqual(PLANNER_BUDGET * 4);
    expect(lengths[1]).toBe(lengths[0]);
    // The budget ledger opened once, though planning ran twice.
    const ledger = (await readFile(join(state.dir, 'goals', goalId ?? '', 'budget.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string });
    expect(ledger.filter((line) => line.kind === 'set')).toHaveLength(1);
  }, 90_000);

  it('never starts a goal planned on purpose (omk goal plan records no controller)', async () => {
    const state = await tempStateDir();
    states.push(state);
    const planned = await runOmk(
      ['goal', 'plan', 'fix the failing test in src/math.js', '--agent', 'demo', '--json'],
      {
        cwd: repo.root,
        stateDir: state.dir,
      },
    );
    expect(planned.code, planned.stderr).toBe(0);
    const { goalId } = await eventTypes(state.dir);
    expect((await goalJson(state.dir, goalId ?? '')).controller).toBeNull();
    const resumed = await runOmk(['goal', 'resume', '--auto', '--agent', 'demo'], {
      cwd: repo.root,
      stateDir: state.dir,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('no interrupted goals');
    expect((await goalJson(state.dir, goalId ?? '')).status).toBe('planned');
    expect((await eventTypes(state.dir)).types).not.toContain('execution_started');
  }, 60_000);
});
