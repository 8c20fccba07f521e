import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitStateBranch } from '../../src/adapters/git/state-branch.js';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { runOmkInProcess } from '../helpers/omk-in-process.js';

let repo: TempRepo;
let writer: { dir: string; cleanup: () => Promise<void> };
let reader: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  repo = await createTempRepo({ 'src/app.js': 'export {}\n', 'test/app.test.js': '\n' });
  writer = await tempStateDir();
  reader = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await writer.cleanup();
  await reader.cleanup();
});

/** Another machine plans a goal and pushes it to the state branch; returns its id. */
async function planOnStateBranch(): Promise<string> {
  const planned = await runOmk(['goal', 'plan', 'fix the parser crash in src/app.js', '--json'], {
    cwd: repo.root,
    stateDir: writer.dir,
  });
  const id = (JSON.parse(planned.stdout) as { goal: { id: string } }).goal.id;
  await createGitStateBranch({ repoRoot: repo.root, stateRoot: writer.dir }).push(id, `plan ${id}`);
  return id;
}

describe('omk goal status --remote', () => {
  it("reads a goal another machine wrote to the remote's state branch", async () => {
    const id = await planOnStateBranch();

    const local = await runOmk(['goal', 'status', id], { cwd: repo.root, stateDir: reader.dir });
    expect(local.code).toBe(3);
    const remote = await runOmk(['goal', 'status', id, '--remote', '--json'], {
      cwd: repo.root,
      stateDir: reader.dir,
    });
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({ id, status: 'planned', proofDigestValid: true });
  });

  it('resolves a unique prefix among the goals on the branch, as it does locally', async () => {
    const id = await planOnStateBranch();

    const remote = await runOmk(['goal', 'status', id.slice(0, 12), '--remote', '--json'], {
      cwd: repo.root,
      stateDir: reader.dir,
    });
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({ id, status: 'planned' });
    const unknown = await runOmk(['goal', 'status', 'nothing-like-it', '--remote'], {
      cwd: repo.root,
      stateDir: reader.dir,
    });
    expect(unknown.code).toBe(3);
  });

  it("names the branch's latest goal, not a newer goal another repository left in this state root", async () => {
    const id = await planOnStateBranch();
    const other = await createTempRepo({ 'src/other.js': 'export {}\n' });
    try {
      const planned = await runOmkInProcess(['goal', 'plan', 'add a verbose flag', '--json'], {
        cwd: other.root,
        stateDir: reader.dir,
      });
      expect(planned.code, planned.stderr).toBe(0);
      const remote = await runOmk(['goal', 'status', '--remote', '--json'], {
        cwd: repo.root,
        stateDir: reader.dir,
      });
      expect(remote.code, remote.stderr).toBe(0);
      expect(JSON.parse(remote.stdout)).toMatchObject({ id, status: 'planned' });
      expect(remote.stderr).not.toContain('is of the repository');
    } finally {
      await other.cleanup();
    }
  });

  it('says when the remote has no state branch yet', async () => {
    const result = await runOmk(['goal', 'status', '--remote'], { cwd: repo.root, stateDir: reader.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('has no omk/state branch yet');
  });
});
