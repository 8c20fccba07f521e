import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempRepo, git } from '../../../test/helpers/git-repo.js';
import { adoptOwnHeads, movingOwnBranch, ownRunStarted, repositoryOf, settledOwnHeads } from './own-heads.js';

/** No checkout there: a path is its own repository key. */
const repo = '/nonexistent/omk-own-heads/repo-a';

// Branch names are unique per test (the registry is the process's).
describe('where omk left its goal branches', () => {
  it('records the head a move ends at, and compares no branch while omk moves it', async () => {
    const branch = 'omk/g-move/s1-a';
    let during: Map<string, string> | null = null;
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => {
        during = settledOwnHeads(repo, 'omk/g-move/');
        return 'abc';
      },
      (head) => head,
    );
    expect(during).toEqual(new Map());
    expect(settledOwnHeads(repo, 'omk/g-move/')).toEqual(new Map([[branch, 'abc']]));
    // Another goal's branches are not this goal's to compare.
    expect(settledOwnHeads(repo, 'omk/g-other/')).toEqual(new Map());
  });

  it('a move whose head is not known forgets the branch, and a failed move leaves it unrecorded', async () => {
    const branch = 'omk/g-forget/s1-a';
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => 'x',
      () => 'x',
    );
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => null,
      () => null,
    );
    expect(settledOwnHeads(repo, 'omk/g-forget/')).toEqual(new Map());
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => 'y',
      () => 'y',
    );
    await expect(
      movingOwnBranch(
        { cwd: repo, branch },
        () => Promise.reject(new Error('refused')),
        () => 'never',
      ),
    ).rejects.toThrow('refused');
    expect(settledOwnHeads(repo, 'omk/g-forget/')).toEqual(new Map());
  });

  it("a run in the branch's own worktree holds it; it stays recorded unless the run moved it", async () => {
    const branch = 'omk/g-run/s1-a';
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => 'c1',
      (head) => head,
    );
    const gates = ownRunStarted(repo, branch);
    expect(settledOwnHeads(repo, 'omk/g-run/')).toEqual(new Map());
    gates.end(false);
    expect(settledOwnHeads(repo, 'omk/g-run/')).toEqual(new Map([[branch, 'c1']]));
    const agent = ownRunStarted(repo, branch);
    const other = ownRunStarted(repo, branch);
    agent.end(true);
    agent.end(true);
    expect(settledOwnHeads(repo, 'omk/g-run/')).toEqual(new Map());
    other.end(false);
    // The agent committed there: not compared until omk's capture records it again.
    expect(settledOwnHeads(repo, 'omk/g-run/')).toEqual(new Map());
  });

  it("adopting a goal's record replaces what the process held of that goal, but no branch it moves or runs in now", async () => {
    const [a, b, c] = ['omk/g-adopt/a', 'omk/g-adopt/b', 'omk/g-adopt/c'];
    for (const branch of [a, b, c]) {
      await movingOwnBranch(
        { cwd: repo, branch },
        async () => `${branch}-old`,
        (head) => head,
      );
    }
    await movingOwnBranch(
      { cwd: repo, branch: 'omk/g-adopt-other/a' },
      async () => 'other',
      (head) => head,
    );
    const running = ownRunStarted(repo, c);
    adoptOwnHeads(
      repo,
      'omk/g-adopt/',
      new Map([
        [a, 'a-recorded'],
        [c, 'c-recorded'],
        ['omk/g-adopt-other/a', 'not this goal'],
      ]),
    );
    running.end(false);
    // b is no finished slice of the record: forgotten. c was in use: left as this process had it.
    expect(settledOwnHeads(repo, 'omk/g-adopt/')).toEqual(
      new Map([
        [a, 'a-recorded'],
        [c, `${c}-old`],
      ]),
    );
    expect(settledOwnHeads(repo, 'omk/g-adopt-other/')).toEqual(new Map([['omk/g-adopt-other/a', 'other']]));
  });

  it("keeps the same branch of two repositories apart, and a worktree is its checkout's repository", async () => {
    const branch = 'omk/g-two/s1-a';
    const other = '/nonexistent/omk-own-heads/repo-b';
    await movingOwnBranch(
      { cwd: repo, branch },
      async () => 'a1',
      (head) => head,
    );
    await movingOwnBranch(
      { cwd: other, branch },
      async () => 'b1',
      (head) => head,
    );
    expect(settledOwnHeads(repo, 'omk/g-two/')).toEqual(new Map([[branch, 'a1']]));
    expect(settledOwnHeads(other, 'omk/g-two/')).toEqual(new Map([[branch, 'b1']]));

    const checkout = await createTempRepo({ 'README.md': '# fixture\n' });
    const dir = await mkdtemp(join(tmpdir(), 'omk-own-heads-'));
    try {
      const worktree = join(dir, 'wt');
      git(checkout.root, 'worktree', 'add', '--quiet', '-b', 'omk/g-wt/s1', worktree);
      expect(repositoryOf(worktree)).toBe(repositoryOf(checkout.root));
      expect(repositoryOf(checkout.root)).toMatch(/\.git$/);
    } finally {
      await checkout.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
