import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { gitKeptBundles } from './kept-bundle.js';

// A kept branch saved as a bundle of its commits past the base, restored in another clone only at
// the head the caller expects; whatever else a bundle holds is never fetched into a branch.

let repo: TempRepo;
let dir: string;
let base: string;
let head: string;
const BRANCH = 'omk/g-1/s1-x';

beforeEach(async () => {
  repo = await createTempRepo();
  dir = await mkdtemp(join(tmpdir(), 'omk-kept-bundle-'));
  base = git(repo.root, 'rev-parse', 'HEAD');
  git(repo.root, 'checkout', '--quiet', '-b', BRANCH);
  head = await repo.commit({ '.github/workflows/ci.yml': 'on: push\n' }, 'workflow');
  git(repo.root, 'checkout', '--quiet', '-');
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** The bundle of the kept branch past the base, written to `file`. */
async function save(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await gitKeptBundles.bundle(repo.root, BRANCH, base));
}

/** A clone of the repository's origin: the base, without the kept branch. */
function freshClone(): string {
  const clone = join(dir, 'clone');
  git(repo.root, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  execFileSync('git', ['clone', '--quiet', repo.origin, clone]);
  return clone;
}

describe('gitKeptBundles', () => {
  it("saves only the branch's new commits, and restores the branch in a clone that lacks it", async () => {
    const file = join(dir, 'kept', 's1-x.bundle');
    await save(file);
    // The base is a prerequisite, not a commit of the bundle: only the one new commit travels.
    expect(git(repo.root, 'bundle', 'list-heads', file)).toBe(`${head} refs/heads/${BRANCH}`);
    expect((await readFile(file)).includes(0)).toBe(true);
    const clone = freshClone();
    expect(await gitKeptBundles.head(clone, BRANCH)).toBeNull();
    expect(await gitKeptBundles.restore(clone, BRANCH, file, head)).toBe(head);
    expect(await gitKeptBundles.head(clone, BRANCH)).toBe(head);
    expect(git(clone, 'for-each-ref', '--format=%(refname)', 'refs/omk/')).toBe('');
  });

  it('answers the head of a bundle that holds another commit, and creates no branch', async () => {
    const file = join(dir, 'forged.bundle');
    await save(file);
    const clone = freshClone();
    expect(await gitKeptBundles.restore(clone, BRANCH, file, base)).toBe(head);
    expect(await gitKeptBundles.head(clone, BRANCH)).toBeNull();
  });

  it('answers null for a bundle that does not name the branch', async () => {
    const file = join(dir, 'other.bundle');
    await save(file);
    const clone = freshClone();
    expect(await gitKeptBundles.restore(clone, 'omk/g-1/integration', file, head)).toBeNull();
    expect(await gitKeptBundles.head(clone, 'omk/g-1/integration')).toBeNull();
  });
});
