import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { deliverDemoGoal } from '../helpers/review-fix-agent.js';

// The branches a review fix works on, as a slice's: a clone in place of a worktree is said (the
// fault: git cannot make a worktree's directory, `.git/worktrees` a file, while a clone still
// works), and the integration branch omk left is compared when the next process takes the goal.
// One goal, its tests in order: each fix builds on the one before.

describe('omk goal fix', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let agentDir: string;
  let id = '';
  let slicePr = 0;
  let integrator = 0;
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    ({ agentDir, id, integrator, slicePr } = await deliverDemoGoal(omk, 'omk-cli-fix-fallback-', (slice) =>
      slice.startsWith('s1-'),
    ));
  }, 180_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it("whose worktree cannot be made runs in a clone and says so, in git's words, on the terminal and in the event log", async () => {
    const top = git(repo.root, 'rev-parse', '--show-toplevel');
    for (const line of git(repo.root, 'worktree', 'list', '--porcelain').split('\n')) {
      const path = line.startsWith('worktree ') ? line.slice('worktree '.length) : top;
      if (path !== top) git(repo.root, 'worktree', 'remove', '--force', path);
    }
    await rm(join(repo.root, '.git', 'worktrees'), { recursive: true, force: true });
    await writeFile(join(repo.root, '.git', 'worktrees'), 'in the way\n');
    try {
      const fixed = await omk('goal', 'fix', id, '--pr', String(slicePr), 'add a VERSION export', '--json');
      expect(fixed.code, fixed.stderr).toBe(0);
      expect((JSON.parse(fixed.stdout) as { kind: string }).kind).toBe('applied');
      const why =
        "git worktree add failed twice, 250 ms apart: fatal: could not create leading directories of '.git/worktrees/s1-";
      expect(fixed.stderr).toContain(
        `[fix-1] runs in a branch checkout (a clone of the repository), not a worktree: ${why}`,
      );
      const events = (
        JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as {
          events: { type: string; data: { taskId?: string; reason?: string } }[];
        }
      ).events.filter((event) => event.type === 'workspace_fallback' && event.data.taskId === 'fix-1');
      expect(events).toHaveLength(1);
      expect(events[0]?.data.reason).toContain(why);
    } finally {
      await rm(join(repo.root, '.git', 'worktrees'), { force: true });
      // Their branches are back in the repository: the next fixes get worktrees again.
      await rm(join(state.dir, 'worktrees', id), { recursive: true, force: true });
    }
  }, 120_000);

  const branch = () => `omk/${id}/integration`;
  const proof = async () =>
    JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      status: string;
      findings: { severity: string; message: string }[];
    };
  const namesIntegration = async () =>
    (await proof()).findings
      .filter((f) => f.message.includes("omk's integration branch"))
      .map((f) => f.message);

  it("on the integrator PR twice: omk's own moves of its branch, between two processes, name nothing", async () => {
    const before = git(repo.root, 'rev-parse', branch());
    const first = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a NAME export', '--json');
    expect(first.code, first.stderr).toBe(0);
    const moved = git(repo.root, 'rev-parse', branch());
    expect(moved).not.toBe(before);
    // The next process takes the goal with the branch where the last one's fix left it.
    const second = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a KIND export', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(git(repo.root, 'merge-base', '--is-ancestor', moved, branch())).toBe('');
    expect(await namesIntegration()).toEqual([]);
    expect((await proof()).status).toBe('ready');
  }, 120_000);

  it('on the integrator PR after its branch was moved between two processes: put back, named, never ready', async () => {
    const left = git(repo.root, 'rev-parse', branch());
    // A commit no omk run made, on top of where omk left the branch.
    const tree = git(repo.root, 'rev-parse', `${left}^{tree}`);
    const foreign = git(repo.root, 'commit-tree', tree, '-p', left, '-m', 'not omk');
    git(repo.root, 'update-ref', `refs/heads/${branch()}`, foreign);
    const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a VERSION export', '--json');
    expect(fixed.stdout, fixed.stderr).toContain('"kind"');
    const after = git(repo.root, 'rev-parse', branch());
    // Put back before the fix ran: the fix's commit is on where omk left it, the foreign one is not.
    expect(git(repo.root, 'rev-parse', `${after}^`)).toBe(left);
    expect(() => git(repo.root, 'merge-base', '--is-ancestor', foreign, after)).toThrow();
    expect(await namesIntegration()).toEqual([
      expect.stringContaining(
        `omk's integration branch ${branch()} was moved to ${foreign} after omk left it at ${left}, and before this goal run began`,
      ),
    ]);
    expect((await proof()).status).not.toBe('ready');
  }, 120_000);
});
