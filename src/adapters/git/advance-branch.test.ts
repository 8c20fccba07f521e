import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { type AdvanceBranchInput, advanceBranch } from './advance-branch.js';
import { commitAt, mergesCleanly } from './commits.js';
import { DEFAULT_IDENTITY } from './identity.js';

let repo: TempRepo;
let base: string;
beforeEach(async () => {
  repo = await createTempRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
  base = git(repo.root, 'rev-parse', 'HEAD');
});
afterEach(async () => {
  await repo.cleanup();
});

/** A commit on a new branch off main, changing `files`; main stays checked out. */
async function feature(files: Record<string, string>, name = 'feature'): Promise<string> {
  git(repo.root, 'switch', '--quiet', '-c', name);
  const head = await repo.commit(files, 'feature work');
  git(repo.root, 'switch', '--quiet', 'main');
  return head;
}

const input = (head: string, over: Partial<AdvanceBranchInput> = {}): AdvanceBranchInput => ({
  repoRoot: repo.root,
  branch: 'main',
  from: base,
  head,
  method: 'merge',
  message: 'Feature (#1)',
  identity: DEFAULT_IDENTITY,
  ...over,
});

describe('commitAt and mergesCleanly', () => {
  it('name commits, and null for a missing ref', async () => {
    const head = await feature({ 'a.txt': 'A\n' });
    expect(await commitAt(repo.root, 'refs/heads/feature')).toBe(head);
    expect(await commitAt(repo.root, 'refs/heads/nope')).toBeNull();
    expect(await mergesCleanly(repo.root, base, head)).toBe(true);
  });
});

describe('advanceBranch', () => {
  it('fast-forwards a clean checkout of the branch', async () => {
    const head = await feature({ 'a.txt': 'A\n' });
    expect(await advanceBranch(input(head))).toEqual({ merged: true, sha: head });
    expect(git(repo.root, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.root, 'status', '--porcelain')).toBe('');
  });

  it('squashes into one commit by omk on top of the base', async () => {
    const head = await feature({ 'a.txt': 'A\n' });
    const outcome = await advanceBranch(input(head, { method: 'squash' }));
    if (!outcome.merged) throw new Error(outcome.detail);
    expect(git(repo.root, 'log', '-1', '--format=%P|%an|%s', outcome.sha)).toBe(`${base}|omk|Feature (#1)`);
    expect(git(repo.root, 'rev-parse', 'main')).toBe(outcome.sha);
  });

  it('moves a branch that is not checked out only by its ref', async () => {
    const head = await feature({ 'a.txt': 'A\n' });
    git(repo.root, 'switch', '--quiet', '--detach', base);
    expect(await advanceBranch(input(head))).toEqual({ merged: true, sha: head });
    expect(git(repo.root, 'rev-parse', 'main')).toBe(head);
    expect(git(repo.root, 'rev-parse', 'HEAD')).toBe(base);
  });

  it('refuses conflicts and a checkout with uncommitted changes, leaving the branch alone', async () => {
    const head = await feature({ 'a.txt': 'feature\n' });
    const mainMoved = await repo.commit({ 'a.txt': 'main\n' }, 'main work');
    expect(await mergesCleanly(repo.root, mainMoved, head)).toBe(false);
    expect(await advanceBranch(input(head, { from: mainMoved }))).toEqual({
      merged: false,
      reason: 'not_mergeable',
      detail: 'the branches conflict',
    });
    const clean = await feature({ 'c.txt': 'c\n' }, 'other');
    await writeFile(join(repo.root, 'b.txt'), 'edited, not committed\n');
    expect(await advanceBranch(input(clean, { from: mainMoved }))).toMatchObject({
      merged: false,
      detail: 'main is checked out with uncommitted changes',
    });
    expect(git(repo.root, 'rev-parse', 'main')).toBe(mainMoved);
  });
});
