import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitHubEnv,
  demoRunArgs,
  duplicateCheckRuns,
  failEvery,
  type GitHubEnv,
  goalStatus,
  greenCi,
  OPS,
  pullsOf,
  readProof,
} from '../helpers/github.js';

/**
 * Every 5th API call (retries included) answers 502, then 429 with `retry-after: 1` (GitHub's
 * secondary rate limit body), alternately, for the whole story: the run that delivers, a rerun,
 * and the merge. The CLI's Octokit retries the 5xx and waits out the 429. Steps share one goal.
 */
describe('GitHub failing one API call in five', () => {
  let gh: GitHubEnv;
  let id = '';
  let stop: () => void = () => {};

  beforeAll(async () => {
    gh = await createGitHubEnv();
    stop = failEvery(gh.server, 5, [{ status: 502 }, { status: 429, headers: { 'retry-after': '1' } }]);
    const run = await gh.omk(...demoRunArgs({ mergePolicy: 'manual' }));
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  }, 120_000);
  afterEach(() => gh.server.assertClean());
  afterAll(async () => {
    stop();
    await gh.cleanup();
  });

  const expectOneOfEach = () => {
    expect(pullsOf(gh.server).map((p) => p.head)).toEqual([
      `omk/${id}/s1-fix-the-failing-test-in-src-math-js`,
      `omk/${id}/s2-add-a-regression-test`,
      `omk/${id}/integration`,
    ]);
    expect(gh.server.count({ operationId: OPS.createPull, injected: false })).toBe(3);
    expect(gh.server.state.checkRuns).toHaveLength(3);
    expect(duplicateCheckRuns(gh.server)).toEqual([]);
    expect(gh.server.state.comments).toEqual([]);
    for (const pull of pullsOf(gh.server)) {
      expect(pull.labels.filter((l) => l.startsWith('omk'))).toHaveLength(3);
    }
  };

  it('delivers every PR and check run once, retrying each injected failure', () => {
    expectOneOfEach();
    const injected = gh.server.requests.filter((r) => r.injected);
    expect(injected.length).toBeGreaterThanOrEqual(2);
    expect(new Set(injected.map((r) => r.status))).toEqual(new Set([502, 429]));
    // Each failed call was made again and succeeded.
    for (const fault of injected) {
      const later = gh.server.requests.slice(gh.server.requests.indexOf(fault) + 1);
      const retried = later.find((r) => r.method === fault.method && r.path === fault.path && !r.injected);
      expect(retried?.status, `${fault.method} ${fault.path} retried`).toBeLessThan(300);
    }
  });

  it('a rerun under the same faults updates what exists', async () => {
    const injected = gh.server.count({ injected: true });
    const rerun = await gh.omk('goal', 'open-pr', id, '--forge', 'github');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(gh.server.count({ injected: true })).toBeGreaterThan(injected);
    expectOneOfEach();
  });

  it('merges exactly once under the same faults', async () => {
    greenCi(gh.server);
    const merge = await gh.omk('goal', 'merge', id, '--forge', 'github');
    expect(merge.code, merge.stderr).toBe(0);
    expect(gh.server.count({ operationId: OPS.merge, injected: false })).toBe(1);
    const main = gh.bareSha('main');
    expect(pullsOf(gh.server)[2]).toMatchObject({ merged: true, mergeCommitSha: main });
    expect(await goalStatus(gh, id)).toBe('merged');
    expect((await readProof(gh, id)).delivery.merge?.sha).toBe(main);
    expectOneOfEach();
    // About one call in five failed over the whole story.
    const api = gh.server.count();
    expect(gh.server.count({ injected: true })).toBeGreaterThanOrEqual(Math.floor(api / 5) - 1);
  });
});
