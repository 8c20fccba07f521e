import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { repoScopeAt } from './repo-scope.js';

let repo: TempRepo;
let other: TempRepo;
let outside: string;

beforeAll(async () => {
  repo = await createTempRepo();
  other = await createTempRepo();
  outside = await mkdtemp(join(tmpdir(), 'omk-no-repo-'));
});
afterAll(async () => {
  await repo.cleanup();
  await other.cleanup();
  await rm(outside, { recursive: true, force: true });
});

describe('repoScopeAt: the repository a command runs in', () => {
  it("holds goals made at its top level or in a linked worktree of it, not another repository's", async () => {
    await mkdir(join(repo.root, 'src'), { recursive: true });
    const scope = await repoScopeAt(join(repo.root, 'src'), undefined);
    const root = await realpath(repo.root);
    expect(scope?.root).toBe(root);
    const linked = join(dirname(repo.root), 'linked');
    git(repo.root, 'worktree', 'add', '--quiet', '-b', 'side', linked);
    expect(scope?.holds(root)).toBe(true);
    expect(scope?.holds(await realpath(linked))).toBe(true);
    expect(scope?.holds(await realpath(other.root))).toBe(false);
    // A goal whose checkout is gone counts by its path alone.
    expect(scope?.holds(join(dirname(root), 'gone'))).toBe(false);
    // Asked from the linked worktree, the main checkout's goals are its own too.
    expect((await repoScopeAt(linked, undefined))?.holds(root)).toBe(true);
  });

  it('is null outside any repository, and refuses a --repo that is not one', async () => {
    expect(await repoScopeAt(outside, undefined)).toBeNull();
    await expect(repoScopeAt(repo.root, outside)).rejects.toThrow(
      `${outside} is not inside a git repository.`,
    );
    expect((await repoScopeAt(outside, other.root))?.root).toBe(await realpath(other.root));
  });
});
