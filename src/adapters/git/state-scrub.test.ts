import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { REDACTED } from '../../runtime/secrets/scrub.js';
import { pushAuthEnv } from '../github/push.js';
import { createGitStateBranch, tokensOfAuthEnv } from './state-branch.js';

let repo: TempRepo;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo();
  base = await mkdtemp(join(tmpdir(), 'omk-state-scrub-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(base, { recursive: true, force: true });
});

describe('the state branch push', () => {
  it('never pushes the token it pushes with, nor any token-shaped value, in any goal file', async () => {
    const token = 'an-installation-token-of-any-shape-1234';
    const printed = `ghp_${'Zq8mW3xTr5'.repeat(4)}`;
    const root = join(base, 'clone');
    git(base, 'clone', '--quiet', repo.origin, root);
    const stateRoot = join(base, 'state');
    const files: Record<string, string> = {
      'goal.json': `{"version":1,"note":"${token}"}\n`,
      'artifacts/agent-runs/s1/transcript-1.log': `agent says ${printed}\n`,
      'artifacts/gates/abc-test.log': `header ${Buffer.from(`x-access-token:${token}`).toString('base64')}\n`,
    };
    for (const [path, content] of Object.entries(files)) {
      const abs = join(stateRoot, 'goals', 'g1', path);
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
    const store = createGitStateBranch({ repoRoot: root, stateRoot, env: pushAuthEnv(repo.origin, token) });
    const sha = await store.push('g1', 'omk: g1');
    const show = (path: string) => git(repo.origin, 'show', `${sha}:goals/g1/${path}`);
    expect(show('goal.json')).toBe(`{"version":1,"note":"${REDACTED}"}`);
    expect(show('artifacts/agent-runs/s1/transcript-1.log')).toBe(`agent says ${REDACTED}`);
    expect(show('artifacts/gates/abc-test.log')).toBe(`header ${REDACTED}`);
  });

  it('finds the token inside an AUTHORIZATION: basic extra header', () => {
    expect(
      tokensOfAuthEnv({ ...pushAuthEnv('https://github.com/o/r', 'tok-123456789'), PATH: '/bin' }),
    ).toEqual(['tok-123456789']);
  });
});
