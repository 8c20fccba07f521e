import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitHubEnv,
  demoRunArgs,
  duplicateCheckRuns,
  failEvery,
  type GitHubEnv,
  OPS,
  pullsOf,
  readProof,
} from '../helpers/github.js';

const NO_PERMISSION = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  status: '403',
};

/**
 * Re-running delivery finds what exists. The steps share one goal: a run that dies between a
 * push and its PR, a rerun that finishes it, a rerun that changes nothing, and a rerun that has
 * lost delivery.json (the recorded numbers) and must find the PRs on GitHub.
 */
describe('delivery to GitHub is idempotent', () => {
  let gh: GitHubEnv;
  let id = '';
  const openPr = () => gh.omk('goal', 'open-pr', id, '--forge', 'github', '--format', 'json');
  const branches = () => [
    `omk/${id}/s1-fix-the-failing-test-in-src-math-js`,
    `omk/${id}/s2-add-a-regression-test`,
    `omk/${id}/integration`,
  ];

  beforeAll(async () => {
    gh = await createGitHubEnv();
    // The 4th API call is the second slice's `POST /pulls` (create, labels, check run per PR): it
    // is refused with a 403 no retry can fix, after the slice branch was pushed.
    const stop = failEvery(gh.server, 4, [{ status: 403, body: NO_PERMISSION }]);
    const run = await gh.omk(...demoRunArgs({ mergePolicy: 'manual' }));
    stop();
    expect(run.code, run.stderr).toBe(8);
    expect(run.stderr).toContain('Resource not accessible by integration');
    id = /goal (\S+): planned/.exec(run.stderr)?.[1] ?? '';
    expect(id).not.toBe('');
  }, 120_000);
  afterEach(() => gh.server.assertClean());
  afterAll(async () => {
    await gh.cleanup();
  });

  it('a run that died after pushing the second slice left one PR and two pushed branches', async () => {
    const [first, second, integration] = branches();
    expect(pullsOf(gh.server).map((p) => p.head)).toEqual([first]);
    expect(gh.server.count({ operationId: OPS.createPull, injected: true })).toBe(1);
    expect(gh.bareSha(second ?? '')).not.toBeNull();
    expect(gh.bareSha(integration ?? '')).toBeNull();
    // delivery.json records each PR as soon as it exists; proof.json is rebuilt after delivery.
    const record = JSON.parse(await readFile(join(gh.stateDir, 'goals', id, 'delivery.json'), 'utf8')) as {
      pulls: { number: number; sliceId: string | null }[];
    };
    expect(record.pulls.map((p) => p.number)).toEqual([1]);
  });

  it('a rerun opens the missing PRs and updates the one that exists', async () => {
    const rerun = await openPr();
    expect(rerun.code, rerun.stderr).toBe(0);
    const out = JSON.parse(rerun.stdout) as { delivered: { sliceId: string | null; number: number }[] };
    expect(out.delivered.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(pullsOf(gh.server).map((p) => p.head)).toEqual(branches());
    expect(gh.server.count({ operationId: OPS.createPull, status: 201 })).toBe(3);
    expect(gh.server.count(OPS.createCheck)).toBe(3);
    expect(duplicateCheckRuns(gh.server)).toEqual([]);
  });

  it('a further rerun creates no PR, label set or check run: it updates them', async () => {
    const before = {
      create: gh.server.count(OPS.createPull),
      check: gh.server.count(OPS.createCheck),
      labels: gh.server.count(OPS.addLabels),
      update: gh.server.count(OPS.updatePull),
      updateCheck: gh.server.count(OPS.updateCheck),
    };
    const rerun = await openPr();
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(gh.server.count(OPS.createPull)).toBe(before.create);
    expect(gh.server.count(OPS.createCheck)).toBe(before.check);
    expect(gh.server.count(OPS.addLabels)).toBe(before.labels);
    expect(gh.server.count(OPS.updatePull)).toBe(before.update + 3);
    expect(gh.server.count(OPS.updateCheck)).toBe(before.updateCheck + 3);
    expect(gh.server.state.pulls.size).toBe(3);
    expect(gh.server.state.checkRuns).toHaveLength(3);
    expect(gh.server.state.comments).toEqual([]);
  });

  it('a rerun that lost delivery.json finds the existing PRs through the 422 and opens none', async () => {
    await rm(join(gh.stateDir, 'goals', id, 'delivery.json'));
    const creates = gh.server.count({ operationId: OPS.createPull, status: 201 });
    const labelCalls = gh.server.count(OPS.addLabels);
    const rerun = await openPr();
    expect(rerun.code, rerun.stderr).toBe(0);
    const out = JSON.parse(rerun.stdout) as { delivered: { number: number }[] };
    expect(out.delivered.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(gh.server.state.pulls.size).toBe(3);
    expect(gh.server.count({ operationId: OPS.createPull, status: 201 })).toBe(creates);
    expect(gh.server.count({ operationId: OPS.createPull, status: 422 })).toBe(3);
    expect(gh.server.count({ operationId: OPS.listPulls })).toBe(3);
    // The found PRs keep their labels, so none are added again.
    expect(gh.server.count({ operationId: OPS.addLabels })).toBe(labelCalls);
    expect(pullsOf(gh.server).every((p) => p.labels.includes('omk:proof-ready'))).toBe(true);
    expect((await readProof(gh, id)).delivery.pullRequests.map((p) => p.number).sort()).toEqual([1, 2, 3]);
    // The found PRs' check runs are found too (by external id), not created a second time.
    expect(duplicateCheckRuns(gh.server)).toEqual([]);
    for (const run of gh.server.state.checkRuns) expect(run.conclusion).toBe('success');
  });
});
