import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { ForgeError } from '../../runtime/errors.js';
import type { PushSpec } from '../../runtime/forge/port.js';
import { type PushRef, type PushRefResult, type PushRefSpec, pushRef } from '../git/push-ref.js';
import { type PushDeps, pushAuthEnv, pushBranch } from './push.js';
import { maskValues } from './token-mask.js';

const TOKEN = 'ghs_PUSHCANARY0123456789';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const SHA1 = '1'.repeat(40);
const SHA2 = '2'.repeat(40);

function recordingPush(result: Partial<PushRefResult> = {}): { calls: PushRefSpec[]; push: PushRef } {
  const calls: PushRefSpec[] = [];
  const fake: PushRef = async (spec) => {
    calls.push(spec);
    return { exitCode: 0, rejected: [], stderr: '', ...result };
  };
  return { calls, push: fake };
}

function deps(push: PushRef, extra: Partial<PushDeps> = {}): PushDeps {
  return {
    repo: { owner: 'octo', name: 'demo' },
    token: TOKEN,
    serverUrl: 'https://github.com/',
    pushRef: push,
    ...extra,
  };
}

const spec = (over: Partial<PushSpec> = {}): PushSpec => ({
  repoRoot: '/repo',
  branch: 'omk/g1/s1',
  sha: SHA1,
  ...over,
});

describe('push (recorded pushes)', () => {
  it('passes auth only through the environment, never in the URL', async () => {
    const { calls, push } = recordingPush();
    await pushBranch(deps(push), spec());
    expect(calls).toEqual([
      {
        repoRoot: '/repo',
        url: 'https://github.com/octo/demo.git',
        sha: SHA1,
        ref: 'refs/heads/omk/g1/s1',
        env: {
          GIT_CONFIG_COUNT: '2',
          GIT_CONFIG_KEY_0: 'http.https://github.com/octo/demo.git.extraheader',
          GIT_CONFIG_VALUE_0: '',
          GIT_CONFIG_KEY_1: 'http.https://github.com/octo/demo.git.extraheader',
          GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${BASIC}`,
        },
      },
    ]);
    for (const secret of maskValues(TOKEN)) expect(calls[0]?.url).not.toContain(secret);
  });

  it('forces omk branches only with a lease on the expected sha, or on absence for null', async () => {
    const { calls, push } = recordingPush();
    await pushBranch(deps(push), spec({ expectedRemoteSha: SHA2 }));
    await pushBranch(deps(push), spec({ expectedRemoteSha: null }));
    expect(calls.map((call) => call.lease)).toEqual([SHA2, null]);
  });

  it('reports what the remote refused', async () => {
    const { push } = recordingPush({ exitCode: 1, rejected: ['[rejected] (non-fast-forward)'] });
    const error = await pushBranch(deps(push), spec()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toBe(
      'Push of omk/g1/s1 to octo/demo was rejected: [rejected] (non-fast-forward)',
    );
  });

  it('refuses a lease (a force) on a branch omk does not own, without running git', async () => {
    const { calls, push } = recordingPush();
    const error = await pushBranch(deps(push), spec({ branch: 'main', expectedRemoteSha: SHA2 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toMatch(/^Policy: omk never force-pushes 'main'/);
    expect(calls).toEqual([]);
  });

  it.each([
    ['a short sha', { sha: 'abc123' }],
    ['a forcing refspec', { sha: `+${SHA1}` }],
    ['an option-like branch', { branch: '--delete' }],
    ['a refspec-like branch', { branch: 'omk/a:refs/heads/main' }],
    ['a range-like branch', { branch: 'omk/a..b' }],
    ['a bad lease', { expectedRemoteSha: 'HEAD' }],
  ])('refuses %s without running git', async (_name, over) => {
    const { calls, push } = recordingPush();
    await expect(pushBranch(deps(push), spec(over))).rejects.toBeInstanceOf(ForgeError);
    expect(calls).toEqual([]);
  });

  it('maskValues gives the token and the base64 form the header carries', () => {
    expect(maskValues(TOKEN)).toEqual([TOKEN, BASIC]);
    expect(pushAuthEnv('https://x/o/r.git', TOKEN).GIT_CONFIG_VALUE_1).toContain(BASIC);
  });
});

describe('push (real git, local bare repository)', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await createTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const remote = (ref: string) => git(repo.origin, 'rev-parse', '--verify', '--quiet', ref);
  const push = (over: Partial<PushSpec>) =>
    pushBranch(deps(pushRef, { remoteUrl: repo.origin }), {
      repoRoot: repo.root,
      branch: 'omk/g1/s1',
      sha: SHA1,
      ...over,
    });

  it('creates, then force-updates with a lease, an omk branch; a stale lease is refused', async () => {
    const first = await repo.commit({ 'a.txt': 'one\n' });
    await push({ sha: first, expectedRemoteSha: null });
    expect(remote('refs/heads/omk/g1/s1')).toBe(first);

    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    const rewritten = await repo.commit({ 'a.txt': 'two\n' });
    await push({ sha: rewritten, expectedRemoteSha: first });
    expect(remote('refs/heads/omk/g1/s1')).toBe(rewritten);

    const third = await repo.commit({ 'a.txt': 'three\n' }, 'third');
    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~2');
    const error = await push({ sha: third, expectedRemoteSha: first }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toMatch(/was rejected: .*stale info/);
    expect((error as ForgeError).hint).toMatch(/no longer at/);
    expect(remote('refs/heads/omk/g1/s1')).toBe(rewritten);
  });

  it('refuses to create over an existing branch when the lease says it must not exist', async () => {
    const first = await repo.commit({ 'a.txt': 'one\n' });
    await push({ sha: first });
    const second = await repo.commit({ 'a.txt': 'two\n' });
    await expect(push({ sha: second, expectedRemoteSha: null })).rejects.toBeInstanceOf(ForgeError);
    expect(remote('refs/heads/omk/g1/s1')).toBe(first);
  });

  it('without a lease, pushes fast-forward only', async () => {
    const first = await repo.commit({ 'a.txt': 'one\n' });
    await push({ sha: first });
    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    const diverged = await repo.commit({ 'b.txt': 'other\n' });
    const error = await push({ sha: diverged }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as ForgeError).hint).toMatch(/never overwrites/);
    expect(remote('refs/heads/omk/g1/s1')).toBe(first);
  });

  it('sends exactly one Authorization header, replacing one persisted by actions/checkout', async () => {
    const seen: string[][] = [];
    const server = createServer((req: IncomingMessage, res) => {
      // rawHeaders keeps duplicates (req.headers would silently drop a second Authorization).
      const raw = req.rawHeaders;
      seen.push(
        raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === 'authorization' ? [raw[i + 1] ?? ''] : [])),
      );
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      git(repo.root, 'config', `http.${serverUrl}/.extraheader`, 'AUTHORIZATION: basic T0xEOm9sZA==');
      const sha = await repo.commit({ 'a.txt': 'one\n' });
      const error = await pushBranch(deps(pushRef, { serverUrl }), {
        repoRoot: repo.root,
        branch: 'omk/g1/s1',
        sha,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForgeError);
      for (const secret of maskValues(TOKEN)) expect((error as Error).message).not.toContain(secret);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]).toEqual([`basic ${BASIC}`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
