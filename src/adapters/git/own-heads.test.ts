import { describe, expect, it } from 'vitest';
import { movingOwnBranch, ownRunStarted, settledOwnHeads } from './own-heads.js';

// Branch names are unique per test (the registry is the process's).
describe('where omk left its goal branches', () => {
  it('records the head a move ends at, and compares no branch while omk moves it', async () => {
    const branch = 'omk/g-move/s1-a';
    let during: Map<string, string> | null = null;
    await movingOwnBranch(
      branch,
      async () => {
        during = settledOwnHeads('omk/g-move/');
        return 'abc';
      },
      (head) => head,
    );
    expect(during).toEqual(new Map());
    expect(settledOwnHeads('omk/g-move/')).toEqual(new Map([[branch, 'abc']]));
    // Another goal's branches are not this goal's to compare.
    expect(settledOwnHeads('omk/g-other/')).toEqual(new Map());
  });

  it('a move whose head is not known forgets the branch, and a failed move leaves it unrecorded', async () => {
    const branch = 'omk/g-forget/s1-a';
    await movingOwnBranch(
      branch,
      async () => 'x',
      () => 'x',
    );
    await movingOwnBranch(
      branch,
      async () => null,
      () => null,
    );
    expect(settledOwnHeads('omk/g-forget/')).toEqual(new Map());
    await movingOwnBranch(
      branch,
      async () => 'y',
      () => 'y',
    );
    await expect(
      movingOwnBranch(
        branch,
        () => Promise.reject(new Error('refused')),
        () => 'never',
      ),
    ).rejects.toThrow('refused');
    expect(settledOwnHeads('omk/g-forget/')).toEqual(new Map());
  });

  it("a run in the branch's own worktree holds it; it stays recorded unless the run moved it", async () => {
    const branch = 'omk/g-run/s1-a';
    await movingOwnBranch(
      branch,
      async () => 'c1',
      (head) => head,
    );
    const gates = ownRunStarted(branch);
    expect(settledOwnHeads('omk/g-run/')).toEqual(new Map());
    gates.end(false);
    expect(settledOwnHeads('omk/g-run/')).toEqual(new Map([[branch, 'c1']]));
    const agent = ownRunStarted(branch);
    const other = ownRunStarted(branch);
    agent.end(true);
    agent.end(true);
    expect(settledOwnHeads('omk/g-run/')).toEqual(new Map());
    other.end(false);
    // The agent committed there: not compared until omk's capture records it again.
    expect(settledOwnHeads('omk/g-run/')).toEqual(new Map());
  });
});
