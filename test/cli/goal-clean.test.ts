import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

const GOAL = 'fix the failing test in src/math.js and add a regression test';
let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const worktrees = () =>
  git(repo.root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
const branches = () => git(repo.root, 'branch', '--format=%(refname:short)').split('\n');
/** A file under the state root, as a run would have left it there. */
async function cacheFile(...parts: string[]) {
  await mkdir(join(state.dir, ...parts.slice(0, -1)), { recursive: true });
  await writeFile(join(state.dir, ...parts), 'built\n');
}

beforeEach(async () => {
  repo = await createTempRepo({ ...DEMO_FILES });
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

describe('omk goal clean', () => {
  it("removes the goal's worktrees, its branches only once it is done, and nothing omk did not make", async () => {
    const run = await omk('goal', 'run', GOAL, '--agent', 'demo', '--json', '--keep-worktrees');
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const stateWorktrees = () =>
      worktrees().filter((path) => path.startsWith(state.dir) || path.includes(id));
    expect(stateWorktrees().length).toBeGreaterThanOrEqual(3);
    // The user's own: a worktree beside the repository and a branch in omk's namespace by hand.
    const mine = `${repo.root}-mine`;
    git(repo.root, 'worktree', 'add', '--quiet', '-b', 'mine', mine);
    git(repo.root, 'branch', 'omk/someone-elses-goal-abc123/x');

    // What the goal's worktrees shared (a confined install's npm cache, a CARGO_TARGET_DIR), another
    // goal's, and omk's shared copy of node_modules that every goal links to.
    await cacheFile('cache', id, 'cargo-target', 'debug', 'app');
    await cacheFile('cache', id, 'npm', '_cacache', 'index');
    await cacheFile('cache', 'another-goal-abc123', 'cargo-target', 'debug', 'app');
    // The integration's own build cache, this goal's and another's.
    await cacheFile('cache', '.integration', id, 'cargo-target', 'debug', 'app');
    await cacheFile('cache', '.integration', 'another-goal-abc123', 'cargo-target', 'debug', 'app');
    await cacheFile('shared-cache', 'node_modules', '0123', '4567', 'node_modules', 'tool', 'index.js');

    const kept = await omk('goal', 'clean', id, '--json');
    expect(kept.code, kept.stderr).toBe(0);
    const [first] = JSON.parse(kept.stdout) as {
      worktrees: string[];
      branches: string[];
      branchesKept: boolean;
      cache: boolean;
    }[];
    expect(first?.worktrees.length).toBeGreaterThanOrEqual(3);
    expect(first?.branches).toEqual([]);
    expect(first?.branchesKept).toBe(true);
    expect(first?.cache).toBe(true);
    expect((await readdir(join(state.dir, 'cache'))).sort()).toEqual(['.integration', 'another-goal-abc123']);
    expect(await readdir(join(state.dir, 'cache', '.integration'))).toEqual(['another-goal-abc123']);
    expect((await stat(join(state.dir, 'shared-cache', 'node_modules', '0123', '4567'))).isDirectory()).toBe(
      true,
    );
    expect(stateWorktrees()).toEqual([]);
    expect(worktrees()).toContain(mine);
    expect(branches().filter((name) => name.startsWith(`omk/${id}/`)).length).toBeGreaterThanOrEqual(3);

    expect((await omk('goal', 'cancel', id, '--reason', 'done with it')).code).toBe(0);
    const gone = await omk('goal', 'clean', id);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toMatch(new RegExp(`^${id}: removed 0 worktree\\(s\\), [1-9]\\d* branch\\(es\\)`));
    expect(branches().filter((name) => name.startsWith(`omk/${id}/`))).toEqual([]);
    expect(branches()).toEqual(expect.arrayContaining(['main', 'mine', 'omk/someone-elses-goal-abc123/x']));
    expect(worktrees()).toContain(mine);
    // Again: its branches are gone, none is kept, and the line does not say they are.
    const again = await omk('goal', 'clean', id);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${id}: removed 0 worktree(s), 0 branch(es)\n`);
    const events = await omk('goal', 'replay', id, '--json');
    expect(events.stdout).toContain('goal_cleaned');
  });

  it('--all cleans every goal that is not running, and leaves a running one alone', async () => {
    const ids: string[] = [];
    for (const text of [GOAL, 'add a regression test for the empty input of src/math.js']) {
      const plan = await omk('goal', 'plan', text, '--json');
      expect(plan.code, plan.stderr).toBe(0);
      ids.push((JSON.parse(plan.stdout) as { goal: { id: string } }).goal.id);
    }
    const [idle, running] = ids as [string, string];
    const goalFile = join(state.dir, 'goals', running, 'goal.json');
    const record = JSON.parse(await readFile(goalFile, 'utf8')) as { status: string };
    await writeFile(goalFile, `${JSON.stringify({ ...record, status: 'running' })}\n`);

    const result = await omk('goal', 'clean', '--all', '--json');
    expect(result.code, result.stderr).toBe(0);
    const cleaned = (JSON.parse(result.stdout) as { goalId: string }[]).map((outcome) => outcome.goalId);
    expect(cleaned).toEqual([idle]);
  });

  it('removes the worktrees of a settled goal also when its delivery fails', async () => {
    // No GitHub token: the goal executes and settles, then opening its PRs fails.
    const run = await omk(
      'goal',
      'run',
      GOAL,
      '--agent',
      'demo',
      '--policy',
      'draft-pr',
      '--forge',
      'github',
    );
    expect(run.code, run.stdout).not.toBe(0);
    expect(run.stderr).toContain('token');
    expect(worktrees()).toEqual([expect.stringContaining(repo.root)]);
    // The branches hold the work for a later delivery.
    expect(branches().filter((name) => name.startsWith('omk/')).length).toBeGreaterThanOrEqual(3);
  });

  it("removes the goal's cache directory when the goal settles, unless its worktrees are kept", async () => {
    const planned: string[] = [];
    for (const text of [GOAL, 'add a regression test for the empty input of src/math.js']) {
      const plan = await omk('goal', 'plan', text, '--json');
      expect(plan.code, plan.stderr).toBe(0);
      planned.push((JSON.parse(plan.stdout) as { goal: { id: string } }).goal.id);
    }
    const [settles, kept] = planned as [string, string];
    for (const id of planned) await cacheFile('cache', id, 'cargo-target', 'debug', 'app');

    const run = await omk('goal', 'execute', settles, '--agent', 'demo');
    expect(run.code, run.stderr).toBe(0);
    await expect(stat(join(state.dir, 'cache', settles))).rejects.toThrow(/ENOENT/);
    const keep = await omk('goal', 'execute', kept, '--agent', 'demo', '--keep-worktrees');
    expect(keep.code, keep.stderr).toBe(0);
    expect(await readdir(join(state.dir, 'cache', kept, 'cargo-target', 'debug'))).toEqual(['app']);
  });

  it('refuses a goal id and --all together', async () => {
    const result = await omk('goal', 'clean', 'some-goal-abc123', '--all');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not both');
  });
});
