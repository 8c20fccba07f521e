import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MARK_READY_MUTATION } from '../../src/adapters/github/ready-for-review.js';
import { pullNodeId } from '../fake-github/pull-shape.js';
import {
  createGitHubEnv,
  demoRunArgs,
  type GitHubEnv,
  greenCi,
  mergeJson,
  pullsOf,
  runDemoGoal,
} from '../helpers/github.js';

/**
 * A goal delivered as drafts on GitHub, then delivered again with auto-pr: omk marks the drafts
 * ready for review through GraphQL (REST cannot), only those still drafts, and the merge that
 * refused `draft` goes through. The steps share one goal and run in order.
 */
describe('an auto-pr delivery marks the draft PRs of a draft-pr goal ready for review, on GitHub', () => {
  let gh: GitHubEnv;
  let id = '';
  const mutations = () =>
    gh.server.requests
      .filter((r) => r.path === '/graphql')
      .map((r) => r.body as { query: string; variables: { pullRequestId: string } });

  beforeAll(async () => {
    gh = await createGitHubEnv();
    const args = demoRunArgs({ mergePolicy: 'manual' }).map((arg) => (arg === 'auto-pr' ? 'draft-pr' : arg));
    id = await runDemoGoal(gh, args);
  }, 120_000);
  afterEach(() => gh.server.assertClean());
  afterAll(async () => {
    await gh.cleanup();
  });

  it('opened every PR as a draft, and the merge refuses the draft', async () => {
    expect(pullsOf(gh.server).map((p) => [p.number, p.draft])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    greenCi(gh.server);
    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(4);
    expect(out.reasons?.map((r) => r.blocker)).toEqual(['draft']);
    expect(mutations()).toEqual([]);
  });

  it('marks ready the drafts only: not the PR someone already marked ready', async () => {
    // Someone clicked "Ready for review" on the first slice PR.
    const first = pullsOf(gh.server)[0];
    if (first === undefined) throw new Error('no PR #1');
    first.draft = false;
    const dry = await gh.omk('goal', 'open-pr', id, '--dry-run', '--policy', 'auto-pr');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would mark #3 ready for review (a draft when last delivered)');

    const delivered = await gh.omk('goal', 'open-pr', id, '--forge', 'github', '--policy', 'auto-pr');
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(mutations()).toEqual([
      { query: MARK_READY_MUTATION, variables: { pullRequestId: pullNodeId(2) } },
      { query: MARK_READY_MUTATION, variables: { pullRequestId: pullNodeId(3) } },
    ]);
    expect(pullsOf(gh.server).map((p) => p.draft)).toEqual([false, false, false]);
    // With every PR ready, a further delivery sends no mutation at all.
    expect((await gh.omk('goal', 'open-pr', id, '--forge', 'github', '--policy', 'auto-pr')).code).toBe(0);
    expect(mutations()).toHaveLength(2);
  });

  it('merges the integrator PR it refused as a draft', async () => {
    greenCi(gh.server);
    const { code, out } = await mergeJson(gh, id);
    expect(code, JSON.stringify(out)).toBe(0);
    expect(out).toMatchObject({ merged: true, pr: 3 });
    expect(gh.bareSha('main')).toBe(out.sha);
  });
});
