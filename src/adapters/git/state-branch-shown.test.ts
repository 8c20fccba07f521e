import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import { createGitStateBranch } from './state-branch.js';

// The GitHub hosts push the state branch to the repository's URL: a refusal must name the branch
// as users know it (`omk/state`), not that URL.

let repo: TempRepo;
let base: string;
beforeEach(async () => {
  repo = await createTempRepo();
  base = await mkdtemp(join(tmpdir(), 'omk-state-shown-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(base, { recursive: true, force: true });
});

async function refusedPush(shownAs?: string): Promise<unknown> {
  await writeFile(
    join(repo.origin, 'hooks', 'pre-receive'),
    '#!/bin/sh\necho "no state here" >&2\nexit 1\n',
    {
      mode: 0o755,
    },
  );
  const root = join(base, 'clone');
  git(base, 'clone', '--quiet', repo.origin, root);
  const stateRoot = join(base, 'state');
  await mkdir(join(stateRoot, 'goals', 'g1'), { recursive: true });
  await writeFile(join(stateRoot, 'goals', 'g1', 'goal.json'), '{"version":1}\n');
  const url = `file://${repo.origin}`;
  const store = createGitStateBranch({
    repoRoot: root,
    stateRoot,
    remote: url,
    ...(shownAs ? { shownAs } : {}),
  });
  return store.push('g1', 'g1').catch((error: unknown) => error);
}

it('names the branch as shown, not the URL it pushes to, when the repository refuses', async () => {
  const error = await refusedPush('omk/state');
  expect(error).toBeInstanceOf(GitError);
  const message = (error as GitError).message;
  expect(message).toMatch(/^The repository refused the push of goal g1 to omk\/state: /);
  expect(message).not.toContain('file://');
});

it('without a shown name, names the remote it was given', async () => {
  const error = await refusedPush();
  expect((error as GitError).message).toContain(`file://${repo.origin} refused the push of goal g1`);
});
