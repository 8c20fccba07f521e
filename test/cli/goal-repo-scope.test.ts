import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

// Two repositories sharing one state directory (as every repository of a user shares the default
// ~/.local/state/omk): `latest`, a missing GOAL_ID and a prefix name only the goals of the
// repository the command runs in; a whole id names its goal wherever it is.
const GOAL = 'fix the failing test in src/math.js and add a regression test';
let repoA: TempRepo;
let repoB: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
let goalA: string;
const inB = (...args: string[]) => runOmkInProcess(args, { cwd: repoB.root, stateDir: state.dir });
const inA = (...args: string[]) => runOmkInProcess(args, { cwd: repoA.root, stateDir: state.dir });

beforeAll(async () => {
  repoA = await createTempRepo({ ...DEMO_FILES });
  repoB = await createTempRepo({ 'README.md': '# another project\n' });
  state = await tempStateDir();
  const run = await runOmk(
    [
      'goal',
      'run',
      GOAL,
      '--agent',
      'demo',
      '--until-ready',
      '--policy',
      'auto-pr',
      '--merge-policy',
      'manual',
      '--forge',
      'local',
      '--json',
    ],
    { cwd: repoA.root, stateDir: state.dir },
  );
  expect(run.code, run.stderr).toBe(0);
  goalA = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
}, 120_000);
afterAll(async () => {
  await repoA?.cleanup();
  await repoB?.cleanup();
  await state?.cleanup();
});

const statusOf = async (id: string) =>
  (JSON.parse((await inA('goal', 'status', id, '--json')).stdout) as { status: string }).status;

describe('a command with no GOAL_ID in another repository', () => {
  it("never merges or shows repository A's goal from repository B", async () => {
    const mainA = git(repoA.root, 'rev-parse', 'main');
    const mainB = git(repoB.root, 'rev-parse', 'main');
    const merge = await runOmk(['goal', 'merge', '--forge', 'local'], {
      cwd: repoB.root,
      stateDir: state.dir,
    });
    expect(merge.code, merge.stdout).toBe(3);
    expect(merge.stderr).toContain(`No goal in the repository ${await realpath(repoB.root)}`);
    expect(merge.stderr).toContain('omk goal list --all');
    expect(git(repoA.root, 'rev-parse', 'main')).toBe(mainA);
    expect(git(repoB.root, 'rev-parse', 'main')).toBe(mainB);
    expect(await statusOf(goalA)).toBe('ready');

    for (const args of [['status'], ['status', 'latest'], ['cancel'], ['accept', '--summary', 'ok']]) {
      const result = await inB('goal', ...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stdout).toBe('');
    }
    // A prefix names only this repository's goals too.
    expect((await inB('goal', 'status', goalA.slice(0, 12))).code).toBe(3);
    expect(await statusOf(goalA)).toBe('ready');
  });

  it('lists this repository’s goals, and every goal with --all', async () => {
    const here = await inB('goal', 'list');
    expect(here.code).toBe(0);
    expect(here.stdout).toContain('no goals in this repository');
    expect(here.stdout).toContain('omk goal list --all');
    expect(JSON.parse((await inB('goal', 'list', '--json')).stdout)).toEqual([]);
    const all = JSON.parse((await inB('goal', 'list', '--all', '--json')).stdout) as {
      id: string;
      repo: string;
    }[];
    expect(all.map((goal) => [goal.id, goal.repo])).toEqual([[goalA, await realpath(repoA.root)]]);
    const inRepoA = JSON.parse((await inA('goal', 'list', '--json')).stdout) as { id: string }[];
    expect(inRepoA.map((goal) => goal.id)).toEqual([goalA]);
  });

  it('shows a goal named by its whole id from anywhere, saying which repository it is of', async () => {
    const shown = await inB('goal', 'status', goalA);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(goalA);
    expect(shown.stderr).toContain(`goal ${goalA} is of the repository ${await realpath(repoA.root)}`);
    // In its own repository, no such note.
    const own = await inA('goal', 'status');
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain(goalA);
    expect(own.stderr).not.toContain('is of the repository');
  });

  it("resolves latest in a linked worktree of repository A to A's goal", async () => {
    const linked = join(dirname(repoA.root), 'linked');
    git(repoA.root, 'worktree', 'add', '--quiet', '-b', 'side', linked);
    try {
      const shown = await runOmkInProcess(['goal', 'status', '--json'], { cwd: linked, stateDir: state.dir });
      expect(shown.code, shown.stderr).toBe(0);
      expect((JSON.parse(shown.stdout) as { id: string }).id).toBe(goalA);
    } finally {
      git(repoA.root, 'worktree', 'remove', '--force', linked);
    }
  });

  it('resolves among every goal outside any repository', async () => {
    const outside = await runOmkInProcess(['goal', 'status', '--json'], {
      cwd: state.dir,
      stateDir: state.dir,
    });
    expect(outside.code, outside.stderr).toBe(0);
    expect((JSON.parse(outside.stdout) as { id: string }).id).toBe(goalA);
  });

  it('merges from repository A with no GOAL_ID', async () => {
    const merged = await runOmk(['goal', 'merge', '--forge', 'local'], {
      cwd: repoA.root,
      stateDir: state.dir,
    });
    expect(merged.code, merged.stderr).toBe(0);
    expect(await statusOf(goalA)).toBe('merged');
  });
});
