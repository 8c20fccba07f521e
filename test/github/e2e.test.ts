import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROOF_CHECK } from '../../src/runtime/delivery/merge-decision.js';
import { git } from '../helpers/git-repo.js';
import {
  createGitHubEnv,
  type GitHubEnv,
  goalStatus,
  mergeJson,
  OPS,
  proofBlockOf,
  pullsOf,
  readProof,
  runDemoGoal,
} from '../helpers/github.js';

/**
 * The whole GitHub flow through the real CLI against the fake GitHub: `goal run` with auto-pr and
 * a gated merge into a protected main (required context `ci`, one approval). The steps share one
 * goal and run in order; each is a separate test so a failure names the step.
 */
describe('goal run → slice PRs → integrator PR → gated merge, on GitHub', () => {
  let gh: GitHubEnv;
  let id = '';
  let mainBefore = '';
  const integrator = () => {
    const pull = pullsOf(gh.server).find((p) => p.head.endsWith('/integration'));
    if (!pull) throw new Error('no integrator PR');
    return pull;
  };

  beforeAll(async () => {
    gh = await createGitHubEnv();
    gh.server.setProtection('main', { requiredContexts: ['ci'], requiredApprovals: 1 });
    mainBefore = gh.bareSha('main') ?? '';
    id = await runDemoGoal(gh);
  }, 120_000);
  afterEach(() => gh.server.assertClean());
  afterAll(async () => {
    await gh.cleanup();
  });

  it('opens two slice PRs and the integrator PR, each with a valid, ready proof block', async () => {
    const pulls = pullsOf(gh.server);
    expect(pulls.map((p) => p.head)).toEqual([
      `omk/${id}/s1-fix-the-failing-test-in-src-math-js`,
      `omk/${id}/s2-add-a-regression-test`,
      `omk/${id}/integration`,
    ]);
    const proof = await readProof(gh, id);
    for (const pull of pulls) {
      expect(pull).toMatchObject({
        state: 'open',
        base: 'main',
        draft: false,
        author: 'github-actions[bot]',
      });
      expect(pull.headSha).toBe(gh.bareSha(pull.head));
      const block = proofBlockOf(pull);
      expect(block).toMatchObject({ found: true, form: 'full', valid: true, status: 'ready' });
      if (!block.found) continue;
      // Every body carries the goal's proof, which is about the integrated head on main.
      expect(block.headSha).toBe(integrator().headSha);
      expect(block.baseSha).toBe(mainBefore);
      expect(block.proof?.goalId).toBe(id);
    }
    expect(pulls[0]?.labels).toEqual(['omk', 'omk:slice', 'omk:proof-ready']);
    expect(integrator().labels).toEqual(['omk', 'omk:integrator', 'omk:proof-ready']);
    expect(proof.delivery.pullRequests.map((p) => p.number).sort()).toEqual([1, 2, 3]);
    expect(gh.server.count(OPS.createPull)).toBe(3);
  });

  it('publishes a successful omk/proof check run on every head, once', () => {
    for (const pull of pullsOf(gh.server)) {
      const runs = gh.server.state.checkRuns.filter((r) => r.headSha === pull.headSha);
      expect(runs.map((r) => [r.name, r.status, r.conclusion])).toEqual([
        [PROOF_CHECK, 'completed', 'success'],
      ]);
      expect(runs[0]?.externalId).toBe(
        `${id}:${pull.head.endsWith('/integration') ? 'integration' : pull.head.split('/')[2]}:${pull.headSha}`,
      );
      expect(runs[0]?.summary).toContain(id);
    }
  });

  it('lists both slice PRs in the integrator PR from the first delivery; a rerun links the slices back', async () => {
    // The integrator body is rendered after the slice PRs exist, so it links them at once.
    for (const n of [1, 2]) expect(integrator().body).toContain(`${gh.server.url}/acme/widgets/pull/${n}`);
    // Slice PRs are opened before the integrator exists; a rerun (an update, no new PR) links it.
    const rerun = await gh.omk('goal', 'open-pr', id, '--forge', 'github');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(pullsOf(gh.server)[0]?.body).toContain(`${gh.server.url}/acme/widgets/pull/3`);
    expect(gh.server.count(OPS.createPull)).toBe(3);
    expect(gh.server.count(OPS.createCheck)).toBe(3);
  });

  it('refused the merge during the run: ci is missing and no one approved', async () => {
    expect(gh.outputs[0]?.stderr).toContain('merge blocked by checks_pending');
    expect(gh.server.count(OPS.merge)).toBe(0);
    expect(await goalStatus(gh, id)).toBe('ready');
    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(4);
    expect(out).toMatchObject({ merged: false, pr: 3, blockedBy: 'checks_pending' });
    expect(out.reasons?.map((r) => r.blocker)).toEqual(['checks_pending', 'review_required']);
    expect(out.reasons?.[0]?.detail).toContain('ci');
    expect(gh.bareSha('main')).toBe(mainBefore);
  });

  it('refuses while ci is pending, then failing', async () => {
    gh.server.setStatus(integrator().headSha, 'ci', 'pending');
    const pending = await mergeJson(gh, id);
    expect(pending.code).toBe(4);
    expect(pending.out.blockedBy).toBe('checks_pending');
    // The refusal is evidence: the proof shows what GitHub said.
    const evaluation = (await readProof(gh, id)).delivery.mergeEvaluation;
    expect(evaluation).toMatchObject({ pr: 3, merge: false, reviews: { approvals: 0 } });
    expect(evaluation?.checks).toContainEqual({ name: 'ci', state: 'pending' });
    gh.server.setStatus(integrator().headSha, 'ci', 'failure');
    const failing = await mergeJson(gh, id);
    expect(failing.code).toBe(4);
    expect(failing.out.blockedBy).toBe('checks_failed');
    expect(failing.out.reasons?.[0]?.detail).toBe('failing: ci');
    expect(gh.server.count(OPS.merge)).toBe(0);
  });

  it('refuses with review_required when ci is green but no one approved', async () => {
    gh.server.setStatus(integrator().headSha, 'ci', 'success');
    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(4);
    expect(out.blockedBy).toBe('review_required');
    expect(out.reasons?.map((r) => r.blocker)).toEqual(['review_required']);
    expect(gh.server.count(OPS.merge)).toBe(0);
    expect(await goalStatus(gh, id)).toBe('ready');
  });

  it('refuses a head that moved after the proof (stale_proof), even when approved and green', async () => {
    await gh.server.approve(3);
    const evaluated = integrator().headSha;
    const branch = `omk/${id}/integration`;
    // Someone pushes to the integration branch: a commit the proof never saw.
    const intruder = await gh.gitAsync(['commit-tree', `${evaluated}^{tree}`, '-p', evaluated, '-m', 'late']);
    await gh.gitAsync(['push', '--quiet', 'origin', `${intruder}:refs/heads/${branch}`], gh.authEnv);
    const moved = gh.bareSha(branch) ?? '';
    expect(moved).not.toBe(evaluated);
    gh.server.setStatus(moved, 'ci', 'success');

    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(4);
    expect(out.blockedBy).toBe('stale_proof');
    // Nor did omk publish a verdict on that head: its omk/proof check run is missing there.
    expect(out.reasons?.map((r) => r.blocker)).toEqual(['stale_proof', 'proof_check']);
    expect(gh.server.count(OPS.merge)).toBe(0);
    expect(gh.bareSha('main')).toBe(mainBefore);
    expect(await goalStatus(gh, id)).not.toBe('merged');

    // Put the branch back where the proof says it is (the test's own repair, not omk's).
    git(gh.repo.origin, 'update-ref', `refs/heads/${branch}`, evaluated, moved);
  });

  it('merges once ci is green and the PR is approved, pinned to the proven head', async () => {
    // The proven head (the fake refreshes a PR's cached head only when the PR is read).
    const head = (await readProof(gh, id)).git.headSha;
    expect(gh.bareSha(`omk/${id}/integration`)).toBe(head);
    const merge = await gh.omk('goal', 'merge', id, '--forge', 'github', '--json');
    expect(merge.code, merge.stderr).toBe(0);
    const out = JSON.parse(merge.stdout) as { merged: boolean; sha: string; pr: number };
    expect(out).toMatchObject({ merged: true, pr: 3 });

    const main = gh.bareSha('main');
    expect(out.sha).toBe(main);
    // A real merge commit: the old main and the proven integration head.
    expect(git(gh.repo.origin, 'rev-parse', `${main}^1`, `${main}^2`).split('\n')).toEqual([
      mainBefore,
      head,
    ]);
    const put = gh.server.requests.filter((r) => r.operationId === OPS.merge);
    expect(put.map((r) => r.body)).toEqual([{ sha: head, merge_method: 'merge' }]);
    expect(integrator()).toMatchObject({ merged: true, state: 'closed', mergeCommitSha: main });

    expect(await goalStatus(gh, id)).toBe('merged');
    const proof = await readProof(gh, id);
    expect(proof.delivery.merge).toMatchObject({ sha: main, target: 'main' });
    expect(proof.status).toBe('ready');
  });
});
