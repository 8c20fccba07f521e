import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';

// A review fix's workspace as a slice's: a clone in place of a worktree is said (the fault: git
// cannot make a worktree's directory, `.git/worktrees` a file, while a clone still works).

describe('omk goal fix whose worktree cannot be made', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let agentDir: string;
  let id = '';
  let slicePr = 0;
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    agentDir = await mkdtemp(join(tmpdir(), 'omk-cli-fix-fallback-'));
    await writeFile(join(agentDir, 'agent.mjs'), AGENT);
    await chmod(join(agentDir, 'agent.mjs'), 0o755);
    const agent = `script:${join(agentDir, 'agent.mjs')}`;
    const run = await omk('goal', 'run', DEMO_GOAL, '--agent', agent, '--until-ready', '--json');
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const opened = await omk('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
    expect(opened.code, opened.stderr).toBe(0);
    const delivered = (
      JSON.parse(opened.stdout) as { delivered: { sliceId: string | null; number: number }[] }
    ).delivered;
    slicePr = delivered.find((pull) => pull.sliceId?.startsWith('s1-'))?.number ?? 0;
  }, 180_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it("runs in a clone and says so, in git's words, on the terminal and in the event log", async () => {
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
    }
  }, 120_000);
});
