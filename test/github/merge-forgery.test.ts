import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROOF_CHECK } from '../../src/runtime/delivery/merge-decision.js';
import type { FakeCheckRun } from '../fake-github/server.js';
import {
  createGitHubEnv,
  demoRunArgs,
  type GitHubEnv,
  goalStatus,
  greenCi,
  mergeJson,
  OPS,
  pullsOf,
  runDemoGoal,
} from '../helpers/github.js';

/**
 * A merge trusts the `omk/proof` check run only when omk's own identity created it on the exact
 * head and it agrees with the proof rebuilt from the evidence; and CI that never ran is not green.
 * One ready goal on an unprotected main (protection unreadable: 404); each test forges one thing
 * on the fake GitHub, asks `omk goal merge`, and puts it back.
 */
describe('merge forgery on GitHub', () => {
  let gh: GitHubEnv;
  let id = '';
  let mainBefore = '';
  const integrator = () => pullsOf(gh.server).at(-1) ?? { headSha: '', number: 0 };
  const proofRuns = () =>
    gh.server.state.checkRuns.filter(
      (run) => run.name === PROOF_CHECK && run.headSha === integrator().headSha,
    );
  /** Runs `change` on omk's proof run(s) of the integrator head; returns an undo. */
  const tamper = (change: (run: FakeCheckRun) => void) => {
    const saved = proofRuns().map((run) => ({ run, copy: structuredClone(run) }));
    for (const { run } of saved) change(run);
    return () => {
      for (const { run, copy } of saved) Object.assign(run, copy);
    };
  };
  const refusedFor = async (blocker: string) => {
    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(4);
    expect(out.merged).toBe(false);
    expect(gh.server.count(OPS.merge)).toBe(0);
    expect(gh.bareSha('main')).toBe(mainBefore);
    return (out.reasons ?? []).filter((reason) => reason.blocker === blocker).map((reason) => reason.detail);
  };

  beforeAll(async () => {
    gh = await createGitHubEnv();
    mainBefore = gh.bareSha('main') ?? '';
    id = await runDemoGoal(gh, demoRunArgs({ mergePolicy: 'manual' }));
  }, 120_000);
  afterEach(() => gh.server.assertClean());
  afterAll(async () => {
    await gh.cleanup();
  });

  it('no checks at all: refused while nothing but omk/proof ran and protection cannot be read', async () => {
    expect(proofRuns()).toHaveLength(1);
    const details = await refusedFor('no_checks');
    expect(details).toEqual([
      `no check besides omk/proof has succeeded on ${integrator().headSha.slice(0, 12)}, and main's branch protection cannot be read: CI has not run on this head`,
    ]);
  });

  it('a failed CI run is not "a check": still refused', async () => {
    gh.server.setStatus(integrator().headSha, 'ci', 'failure');
    const { out } = await mergeJson(gh, id);
    expect(out.reasons?.map((reason) => reason.blocker)).toEqual(['checks_failed', 'no_checks']);
    expect(gh.server.count(OPS.merge)).toBe(0);
  });

  it('the omk/proof check run missing on the head: refused', async () => {
    greenCi(gh.server);
    const removed = proofRuns();
    gh.server.state.checkRuns.splice(
      0,
      gh.server.state.checkRuns.length,
      ...gh.server.state.checkRuns.filter((run) => !removed.includes(run)),
    );
    try {
      expect(await refusedFor('proof_check')).toEqual([
        `no omk/proof check run on ${integrator().headSha.slice(0, 12)}: omk publishes one when it delivers the PR`,
      ]);
    } finally {
      gh.server.state.checkRuns.push(...removed);
    }
  });

  it('an omk/proof check run from another app: refused, even saying success', async () => {
    const undo = tamper((run) => {
      run.app = { id: 987_654, slug: 'lookalike', name: 'omk lookalike' };
    });
    try {
      expect(await refusedFor('proof_check')).toEqual([
        `the omk/proof check run on ${integrator().headSha.slice(0, 12)} was created by app lookalike (id 987654), not by the app omk runs as (id 15368)`,
      ]);
    } finally {
      undo();
    }
  });

  it('a success from another app beside omk’s own neutral run does not count', async () => {
    const [own] = proofRuns();
    if (!own) throw new Error('no omk/proof run');
    const undo = tamper((run) => {
      run.conclusion = 'neutral';
      run.title = 'omk proof: not_ready — 1 gap';
    });
    gh.server.addCheckRun({
      headSha: own.headSha,
      name: PROOF_CHECK,
      conclusion: 'success',
      title: own.title ?? '',
      summary: own.summary ?? '',
      app: { id: 987_654, slug: 'lookalike', name: 'omk lookalike' },
    });
    const forged = gh.server.state.checkRuns.at(-1);
    try {
      const details = await refusedFor('proof_check');
      expect(
        details.some((d) =>
          d.includes('concludes neutral where the proof rebuilt from the evidence is ready'),
        ),
      ).toBe(true);
    } finally {
      undo();
      gh.server.state.checkRuns.splice(gh.server.state.checkRuns.indexOf(forged as FakeCheckRun), 1);
    }
  });

  it('a summary showing another proof than the PR body: refused', async () => {
    const other = `sha256:${'e'.repeat(64)}`;
    const undo = tamper((run) => {
      run.summary = (run.summary ?? '').replace(/sha256:[0-9a-f]{64}/, other);
    });
    try {
      const [detail] = await refusedFor('proof_check');
      expect(detail).toMatch(new RegExp(`shows proof ${other} where the PR body shows sha256:[0-9a-f]{64}$`));
    } finally {
      undo();
    }
  });

  /** The integrator PR's body with its hidden block changed as `forge` says, for one merge attempt. */
  const withBody = async (forge: (body: string, block: string) => string) => {
    const pull = gh.server.state.pulls.get(integrator().number);
    if (!pull) throw new Error('no integrator PR');
    const body = pull.body;
    const block = /<!-- omk:proof(?:-digest)? v1 [A-Za-z0-9_-]+ -->/.exec(body)?.[0] ?? '';
    expect(block).not.toBe('');
    pull.body = forge(body, block);
    try {
      return await refusedFor('proof_edited');
    } finally {
      pull.body = body;
    }
  };
  /** The block's JSON changed by `edit`, encoded again (a forger can recompute anything unkeyed). */
  const reencoded = (block: string, edit: (payload: Record<string, unknown>) => void) => {
    const [, kind, payload] = /^<!-- omk:(proof(?:-digest)?) v1 ([A-Za-z0-9_-]+) -->$/.exec(block) ?? [];
    const json = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    edit(json);
    return `<!-- omk:${kind} v1 ${Buffer.from(JSON.stringify(json)).toString('base64url')} -->`;
  };

  it('a PR body whose proof block was changed, flipped, removed or doubled: refused until omk renders it again', async () => {
    greenCi(gh.server);
    // One character of the payload changed.
    const changed = await withBody((body, block) =>
      body.replace(
        block,
        block.replace(/v1 (.)/, (_all, c: string) => `v1 ${c === 'e' ? 'f' : 'e'}`),
      ),
    );
    expect(changed.join('\n')).toMatch(
      /the PR body's proof block was edited or damaged|disagrees with the evidence/,
    );
    // The verdict flipped and re-encoded: the block names another status than the evidence gives.
    const flipped = await withBody((body, block) =>
      body.replace(
        block,
        reencoded(block, (json) => {
          json.status = 'not_ready';
        }),
      ),
    );
    expect(flipped.join('\n')).toMatch(
      /the PR body's proof block (was edited or damaged|disagrees with the evidence \(status not_ready where the evidence gives ready)/,
    );
    expect(await withBody((body, block) => body.replace(block, ''))).toEqual([
      'the PR body has no omk proof block: it was removed',
    ]);
    expect(await withBody((body, block) => `${body}\n${block}`)).toContain(
      'the PR body has 2 omk proof blocks; omk writes one',
    );
    // A second, forged block beside omk's: refused as well.
    const second = await withBody(
      (body, block) =>
        `${body}\n${reencoded(block, (json) => {
          json.headSha = 'f'.repeat(40);
        })}`,
    );
    expect(second).toContain('the PR body has 2 omk proof blocks; omk writes one');
  });

  it('merges once the run is omk’s, agrees with the proof, and CI succeeded', async () => {
    const { code, out } = await mergeJson(gh, id);
    expect(code).toBe(0);
    expect(out).toMatchObject({ merged: true, pr: integrator().number });
    expect(await goalStatus(gh, id)).toBe('merged');
  });
});

describe('omk running as its own GitHub App', () => {
  let gh: GitHubEnv;
  afterAll(async () => {
    await gh.cleanup();
  });

  it('trusts only that app’s omk/proof run: refused as GitHub Actions, merged as OMK_CHECK_APP_ID', async () => {
    gh = await createGitHubEnv({ app: { id: 424_242, slug: 'omk-bot', name: 'omk' } });
    const id = await runDemoGoal(gh, demoRunArgs({ mergePolicy: 'manual' }));
    greenCi(gh.server);
    const { out } = await mergeJson(gh, id);
    expect(out.reasons?.map((reason) => reason.detail)).toEqual([
      expect.stringContaining(
        'was created by app omk-bot (id 424242), not by the app omk runs as (id 15368)',
      ),
    ]);
    const bad = await gh.omkWith({ OMK_CHECK_APP_ID: 'omk-bot' }, 'goal', 'merge', id, '--forge', 'github');
    expect(bad.code).toBe(8);
    expect(bad.stderr).toContain("OMK_CHECK_APP_ID 'omk-bot' is not a GitHub App id.");
    const merged = await gh.omkWith({ OMK_CHECK_APP_ID: '424242' }, 'goal', 'merge', id, '--forge', 'github');
    expect(merged.code, merged.stderr).toBe(0);
    expect(await goalStatus(gh, id)).toBe('merged');
    gh.server.assertClean();
  }, 120_000);
});
