import { afterEach, describe, expect, it } from 'vitest';
import {
  createGitHubEnv,
  demoRunArgs,
  type GitHubEnv,
  goalStatus,
  greenCi,
  mergeJson,
  OPS,
  OWNER,
  pullsOf,
  REPO,
  readProof,
  runDemoGoal,
} from '../helpers/github.js';

/**
 * A merge cut short after GitHub made it: omk recorded the intent (`merge_requested`) first, so
 * the next `omk goal merge` finds the PR merged at that head and records the merge GitHub made,
 * without merging again. A PR merged by someone else is reported as merged outside omk.
 */
describe('a merge whose answer was lost', () => {
  let gh: GitHubEnv | undefined;
  afterEach(async () => {
    gh?.server.assertClean();
    await gh?.cleanup();
    gh = undefined;
  });

  const readyGoal = async () => {
    gh = await createGitHubEnv();
    const id = await runDemoGoal(gh, demoRunArgs({ mergePolicy: 'manual' }));
    greenCi(gh.server);
    return { env: gh, id };
  };

  const expectMergedOnce = async (env: GitHubEnv, id: string) => {
    const main = env.bareSha('main');
    const integrator = pullsOf(env.server)[2];
    expect(integrator).toMatchObject({ merged: true, mergeCommitSha: main });
    expect(await goalStatus(env, id)).toBe('merged');
    const proof = await readProof(env, id);
    expect(proof.delivery.merge).toMatchObject({ sha: main, target: 'main' });
  };

  it('killed after GitHub merged: the next merge records it, exit 0, and merges nothing more', async () => {
    const { env, id } = await readyGoal();
    // The merge is carried out, and the answer is a 400 no retry repeats: omk stops there.
    env.server.loseNextAnswer(OPS.merge, 400);
    const first = await env.omk('goal', 'merge', id, '--forge', 'github');
    expect(first.code).not.toBe(0);
    expect(await goalStatus(env, id)).toBe('ready');
    expect(pullsOf(env.server)[2]?.merged).toBe(true);

    const { code, out } = await mergeJson(env, id);
    expect(code).toBe(0);
    expect(out).toMatchObject({ merged: true, pr: 3, sha: env.bareSha('main'), recovered: true });
    expect(env.server.count(OPS.merge)).toBe(1);
    await expectMergedOnce(env, id);

    const again = await env.omk('goal', 'merge', id, '--forge', 'github');
    expect(again.stderr).toContain('already merged');
    expect(env.server.count(OPS.merge)).toBe(1);
  }, 120_000);

  it('a retried merge refused because the first one landed is recorded in the same call', async () => {
    const { env, id } = await readyGoal();
    // 502 after merging: Octokit retries, GitHub answers 405 (the PR is closed), the PR tells.
    env.server.loseNextAnswer(OPS.merge, 502);
    const { code, out } = await mergeJson(env, id);
    expect(code).toBe(0);
    expect(out).toMatchObject({ merged: true, pr: 3, recovered: true });
    expect(env.server.count({ operationId: OPS.merge, status: 405 })).toBe(1);
    await expectMergedOnce(env, id);
  }, 120_000);

  it('a PR merged outside omk is reported so, not recorded as omk merging it', async () => {
    const { env, id } = await readyGoal();
    const put = await fetch(`${env.server.url}/repos/${OWNER}/${REPO}/pulls/3/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${env.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merge_method: 'squash' }),
    });
    expect(put.status).toBe(200);
    const { code, out } = await mergeJson(env, id);
    expect(code).toBe(4);
    expect(out).toMatchObject({ merged: false, pr: 3, blockedBy: 'merged_outside_omk' });
    expect(out.reasons?.[0]?.detail).toContain('merged outside omk');
    expect(env.server.count(OPS.merge)).toBe(1);
    expect(await goalStatus(env, id)).toBe('ready');
    const proof = await readProof(env, id);
    expect(proof.delivery.merge).toBeNull();
    expect(proof.delivery.mergeEvaluation?.reasons.map((r) => r.blocker)).toEqual(['merged_outside_omk']);
  }, 120_000);
});
