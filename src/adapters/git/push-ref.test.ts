import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { pushRef } from './push-ref.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await createTempRepo();
});
afterEach(async () => {
  await repo.cleanup();
});

const REF = 'refs/heads/omk/g1/s1';
const remote = () => git(repo.origin, 'rev-parse', '--verify', '--quiet', REF);
const push = (sha: string, lease?: string | null) =>
  pushRef({
    repoRoot: repo.root,
    url: repo.origin,
    sha,
    ref: REF,
    ...(lease === undefined ? {} : { lease }),
    env: {},
  });

describe('pushRef', () => {
  it('never runs the repository pre-push hook (it would see the auth header)', async () => {
    const hook = join(repo.root, '.git', 'hooks', 'pre-push');
    await writeFile(hook, '#!/bin/sh\nexit 1\n');
    await chmod(hook, 0o755);
    const sha = await repo.commit({ 'a.txt': 'one\n' });
    expect(await push(sha)).toEqual({ exitCode: 0, rejected: [], stderr: expect.any(String) });
    expect(remote()).toBe(sha);
  });

  it('pushes fast-forward only without a lease, and says why a push was refused', async () => {
    const first = await repo.commit({ 'a.txt': 'one\n' });
    await push(first);
    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    const diverged = await repo.commit({ 'b.txt': 'other\n' });
    const refused = await push(diverged);
    expect(refused.exitCode).toBe(1);
    expect(refused.rejected).toEqual([expect.stringMatching(/non-fast-forward/)]);
    expect(remote()).toBe(first);
  });

  it('forces with a lease: only over the expected SHA, or where the ref is absent (null)', async () => {
    const first = await repo.commit({ 'a.txt': 'one\n' });
    expect((await push(first, null)).exitCode).toBe(0);
    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    const rewritten = await repo.commit({ 'a.txt': 'two\n' });
    expect((await push(rewritten, null)).rejected).toEqual([expect.stringMatching(/stale info/)]);
    expect((await push(rewritten, first)).exitCode).toBe(0);
    expect(remote()).toBe(rewritten);
  });
});
