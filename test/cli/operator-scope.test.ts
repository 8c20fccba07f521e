import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

// Two repositories sharing one state directory (as every repository of a user shares the default
// ~/.local/state/omk): the operator verbs with no GOAL_ID (`hud`, `goal clean --all`,
// `goal resume --auto`) act on the goals of the repository they run in; `--all` on hud and
// resume --auto reaches every repository's.
let repoA: TempRepo;
let repoB: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
let goalA: string;
const inA = (...args: string[]) => runOmkInProcess(args, { cwd: repoA.root, stateDir: state.dir });
const inB = (...args: string[]) => runOmkInProcess(args, { cwd: repoB.root, stateDir: state.dir });
const goalJson = () => join(state.dir, 'goals', goalA, 'goal.json');
const statusOf = async () => (JSON.parse(await readFile(goalJson(), 'utf8')) as { status: string }).status;

beforeAll(async () => {
  repoA = await createTempRepo({ ...DEMO_FILES });
  repoB = await createTempRepo({ 'README.md': '# another project\n' });
  state = await tempStateDir();
  const plan = await inA('goal', 'plan', 'fix the failing test in src/math.js', '--json');
  expect(plan.code, plan.stderr).toBe(0);
  goalA = (JSON.parse(plan.stdout) as { goal: { id: string } }).goal.id;
  expect((await inA('goal', 'pause', goalA)).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await repoA?.cleanup();
  await repoB?.cleanup();
  await state?.cleanup();
});

interface Snapshot {
  goals: { id: string }[];
  otherRepositories: number;
}
const snapshot = (stdout: string) => JSON.parse(stdout) as Snapshot;

describe('operator verbs in a repository other than the goal’s', () => {
  it("hud shows this repository's active goals, every repository's with --all", async () => {
    const here = await inB('hud', '--once', '--json');
    expect(here.code, here.stderr).toBe(0);
    expect(snapshot(here.stdout)).toMatchObject({ goals: [], otherRepositories: 1 });
    const text = await inB('hud', '--once');
    expect(text.stdout).toContain('no goal is running, paused or interrupted');
    expect(text.stdout).toContain('(1 in other repositories: omk hud --all)');

    const every = snapshot((await inB('hud', '--once', '--all', '--json')).stdout);
    expect(every).toMatchObject({ goals: [{ id: goalA }], otherRepositories: 0 });
    const own = snapshot((await inA('hud', '--once', '--json')).stdout);
    expect(own).toMatchObject({ goals: [{ id: goalA }], otherRepositories: 0 });
    expect((await inA('hud', '--once')).stdout).not.toContain('other repositories');

    const both = await inB('hud', goalA, '--all', '--once');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('hud takes a GOAL_ID or --all, not both.');
  });

  it("clean --all cleans this repository's goals only", async () => {
    const here = await inB('goal', 'clean', '--all', '--json');
    expect(here.code, here.stderr).toBe(0);
    expect(JSON.parse(here.stdout)).toEqual([]);
    const events = await readFile(join(state.dir, 'goals', goalA, 'events.jsonl'), 'utf8');
    expect(events).not.toContain('goal_cleaned');

    const own = await inA('goal', 'clean', '--all', '--json');
    expect(own.code, own.stderr).toBe(0);
    expect((JSON.parse(own.stdout) as { goalId: string }[]).map((outcome) => outcome.goalId)).toEqual([
      goalA,
    ]);
  });

  it("resume --auto takes over this repository's goals only; --all every repository's, each in its own checkout", async () => {
    // goal A's controller died while it ran.
    const record = JSON.parse(await readFile(goalJson(), 'utf8')) as Record<string, unknown>;
    const dead = {
      pid: 2 ** 22 + 17,
      host: hostname(),
      startedAt: '2026-01-01T00:00:00.000Z',
      heartbeatAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(
      goalJson(),
      JSON.stringify({ ...record, status: 'running', resumeTo: null, controller: dead }),
    );

    const here = await inB('goal', 'resume', '--auto', '--json');
    expect(here.code, here.stderr).toBe(0);
    expect(JSON.parse(here.stdout)).toEqual([]);
    const text = await inB('goal', 'resume', '--auto');
    expect(text.stdout).toBe('no interrupted goals to resume\n');
    expect(text.stderr).toContain(
      'left 1 interrupted goal(s) of other repositories alone; resume them with: omk goal resume --auto --all',
    );
    expect(await statusOf()).toBe('running');

    const misused = await inB('goal', 'resume', goalA, '--all');
    expect(misused.code).toBe(2);
    expect(misused.stderr).toContain('--all goes with resume --auto');

    const mainB = git(repoB.root, 'rev-parse', 'main');
    const every = await runOmk(['goal', 'resume', '--auto', '--all', '--agent', 'demo', '--json'], {
      cwd: repoB.root,
      stateDir: state.dir,
    });
    expect(every.code, every.stderr).toBe(0);
    expect(JSON.parse(every.stdout)).toEqual([{ id: goalA, from: 'interrupted', to: 'running' }]);
    // It ran in repository A's checkout: B is as it was.
    expect(await statusOf()).not.toBe('running');
    expect(git(repoB.root, 'rev-parse', 'main')).toBe(mainB);
    expect(git(repoB.root, 'status', '--porcelain')).toBe('');
    expect(git(repoA.root, 'branch', '--list', `omk/${goalA}/*`)).not.toBe('');
  }, 60_000);
});
