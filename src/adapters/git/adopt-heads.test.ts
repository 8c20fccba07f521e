import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { watchOwnBranches } from '../integrity/own-branches.js';
import { createGitWorkspaces, gitWorkspaces } from './workspaces.js';

// What a controller that takes a goal in a new process knows of the goal's branches: only the
// goal's record. Goal ids are unique per test (own-heads.ts keeps one registry per process).

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n' });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-adopt-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

/** A commit on top of `parent` that no capture made (what a hostile agent would write). */
function foreignCommit(parent: string): string {
  return git(repo.root, 'commit-tree', '-p', parent, '-m', 'not reviewed', `${parent}^{tree}`);
}

/** Slice `sliceId` of `goalId` with one file, captured by omk (as the killed process did). */
async function capturedSlice(goalId: string, sliceId: string, workspaces = gitWorkspaces) {
  const ws = await workspaces.create({
    repoRoot: repo.root,
    goalId,
    sliceId,
    baseSha,
    workspaceRoot,
    sparsePaths: null,
  });
  await writeFile(join(ws.path, `${sliceId}.txt`), `${sliceId}\n`);
  const change = await workspaces.capture(ws, `omk(${sliceId})`);
  return { ws, head: change.headSha };
}

describe('adoptRecordedHeads', () => {
  it('puts back a finished branch moved (loose or packed) or removed since its capture, and returns each', async () => {
    const goalId = 'g-adopt-moved';
    const a = git(repo.root, 'commit-tree', '-p', baseSha, '-m', 'a', `${baseSha}^{tree}`);
    const b = git(repo.root, 'commit-tree', '-p', baseSha, '-m', 'b', `${baseSha}^{tree}`);
    const c = git(repo.root, 'commit-tree', '-p', baseSha, '-m', 'c', `${baseSha}^{tree}`);
    const d = git(repo.root, 'commit-tree', '-p', baseSha, '-m', 'd', `${baseSha}^{tree}`);
    const branch = (slice: string) => `omk/${goalId}/${slice}`;
    for (const [slice, head] of [
      ['a', a],
      ['b', b],
      ['c', c],
      ['d', d],
    ] as const) {
      git(repo.root, 'update-ref', `refs/heads/${branch(slice)}`, head);
    }
    // a: where it was captured. b: a loose ref moved. c: moved in packed-refs. d: removed.
    git(repo.root, 'update-ref', `refs/heads/${branch('b')}`, foreignCommit(b));
    git(repo.root, 'pack-refs', '--all');
    const packed = join(repo.root, '.git', 'packed-refs');
    const movedC = foreignCommit(c);
    await writeFile(
      packed,
      (await readFile(packed, 'utf8')).replace(
        `${c} refs/heads/${branch('c')}`,
        `${movedC} refs/heads/${branch('c')}`,
      ),
    );
    git(repo.root, 'update-ref', '-d', `refs/heads/${branch('d')}`);

    const moved = await gitWorkspaces.adoptRecordedHeads(repo.root, goalId, {
      [branch('a')]: a,
      [branch('b')]: b,
      [branch('c')]: c,
      [branch('d')]: d,
    });
    expect(moved).toEqual([
      { branch: branch('b'), recorded: b, found: expect.stringMatching(/^[0-9a-f]{40}$/), restored: true },
      { branch: branch('c'), recorded: c, found: movedC, restored: true },
      { branch: branch('d'), recorded: d, found: null, restored: true },
    ]);
    for (const [slice, head] of [
      ['a', a],
      ['b', b],
      ['c', c],
      ['d', d],
    ] as const) {
      expect(git(repo.root, 'rev-parse', `refs/heads/${branch(slice)}`)).toBe(head);
    }
    // Nothing moved since: adopting again finds nothing.
    expect(await gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { [branch('a')]: a })).toEqual([]);
  });

  it('a commit the repository lacks is named as not put back', async () => {
    const goalId = 'g-adopt-missing';
    const absent = 'f'.repeat(40);
    const moved = await gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { [`omk/${goalId}/a`]: absent });
    expect(moved).toEqual([{ branch: `omk/${goalId}/a`, recorded: absent, found: null, restored: false }]);
  });

  it("a run's check in the new process then puts back a finished branch another slice's agent moves", async () => {
    const goalId = 'g-adopt-run';
    // The first slice was captured by a process that is gone: this one knows only the record.
    const s1 = `omk/${goalId}/s1`;
    const captured = git(repo.root, 'commit-tree', '-p', baseSha, '-m', 's1', `${baseSha}^{tree}`);
    git(repo.root, 'update-ref', `refs/heads/${s1}`, captured);
    expect(await gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { [s1]: captured })).toEqual([]);
    const second = await gitWorkspaces.create({
      repoRoot: repo.root,
      goalId,
      sliceId: 's2',
      baseSha,
      workspaceRoot,
      sparsePaths: null,
    });
    const watch = await watchOwnBranches(repo.root, second.path);
    git(second.path, 'update-ref', `refs/heads/${s1}`, foreignCommit(captured));
    expect(await watch.check()).toEqual([{ what: `omk's branch ${s1}`, change: 'changed', restored: true }]);
    expect(git(repo.root, 'rev-parse', s1)).toBe(captured);
  });

  it('forgets what this process held of the goal: another process may have moved those branches since', async () => {
    const goalId = 'g-adopt-forget';
    const first = await capturedSlice(goalId, 's1');
    const second = await capturedSlice(goalId, 's2');
    // s2 was reopened and captured again by another omk; the record no longer calls it finished.
    git(repo.root, 'update-ref', `refs/heads/${second.ws.branch}`, foreignCommit(second.head));
    expect(
      await gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { [first.ws.branch]: first.head }),
    ).toEqual([]);
    const watch = await watchOwnBranches(repo.root, first.ws.path);
    expect(await watch.check()).toEqual([]);
    expect(git(repo.root, 'rev-parse', second.ws.branch)).not.toBe(second.head);
  });

  it("a branch checkout's capture is known under the repository it was cloned from, where the checks compare", async () => {
    const goalId = 'g-adopt-clone';
    const clones = createGitWorkspaces({ forceFallback: true });
    const first = await capturedSlice(goalId, 's1', clones);
    expect(first.ws.mode).toBe('branch-checkout');
    const second = await capturedSlice(goalId, 's2');
    const watch = await watchOwnBranches(repo.root, second.ws.path);
    git(repo.root, 'update-ref', `refs/heads/${first.ws.branch}`, foreignCommit(first.head));
    expect(await watch.check()).toEqual([
      { what: `omk's branch ${first.ws.branch}`, change: 'changed', restored: true },
    ]);
    expect(git(repo.root, 'rev-parse', first.ws.branch)).toBe(first.head);
  });

  it('refuses a record naming a branch of another goal or no commit id', async () => {
    const goalId = 'g-adopt-bad';
    await expect(
      gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { 'omk/other/a': baseSha }),
    ).rejects.toThrow(/Refusing to work on branch "omk\/other\/a"/);
    await expect(gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { main: baseSha })).rejects.toThrow(
      /Refusing to work on branch "main"/,
    );
    await expect(
      gitWorkspaces.adoptRecordedHeads(repo.root, goalId, { [`omk/${goalId}/a`]: 'HEAD~1' }),
    ).rejects.toThrow(
      `The goal's record holds "HEAD~1" as the commit omk captured omk/${goalId}/a at: not a commit id.`,
    );
  });
});
