import { describe, expect, it } from 'vitest';
import type { CheckRunRecord } from '../forge/port.js';
import { buildProof } from '../proof/build.js';
import { computeProofDigest } from '../proof/digest.js';
import type { Proof } from '../proof/schema.js';
import { evidence } from '../proof/test-evidence.js';
import { checkRunFor } from './check-run.js';
import { proofCheckProblems } from './proof-check.js';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const OMK_APP = 15368;

function proof(status: Proof['status']): Proof {
  const built = buildProof(evidence());
  const changed = { ...built, status, git: { ...built.git, headSha: HEAD, baseSha: BASE } };
  return { ...changed, digest: computeProofDigest(changed) };
}

/** The run omk would publish for `shown`, as GitHub lists it back. */
function runFor(shown: Proof, fields: Partial<CheckRunRecord> = {}): CheckRunRecord {
  const spec = checkRunFor(shown, { goalId: 'g', sliceId: 'integration', headSha: HEAD, gates: [] });
  return {
    id: 10,
    name: spec.name,
    appId: OMK_APP,
    appSlug: 'github-actions',
    status: 'completed',
    conclusion: spec.conclusion,
    title: spec.title,
    summary: spec.summary,
    ...fields,
  };
}

describe('proofCheckProblems', () => {
  const ready = proof('ready');
  const check = (runs: CheckRunRecord[], rebuilt: Proof = ready, shownDigest: string | null = ready.digest) =>
    proofCheckProblems({ runs, appId: OMK_APP, rebuilt, headSha: HEAD, shownDigest });

  it('accepts the run omk published for the proof the PR shows', () => {
    expect(check([runFor(ready)])).toEqual([]);
  });

  it('refuses a head with no omk/proof run', () => {
    expect(check([])).toEqual([
      'no omk/proof check run on aaaaaaaaaaaa: omk publishes one when it delivers the PR',
    ]);
  });

  it('refuses a run another app created, and ignores one beside omk’s own', () => {
    const forged = runFor(ready, { id: 11, appId: 999, appSlug: 'evil-app' });
    expect(check([forged])).toEqual([
      'the omk/proof check run on aaaaaaaaaaaa was created by app evil-app (id 999), not by the app omk runs as (id 15368)',
    ]);
    const notReady = proof('not_ready');
    // omk said not ready; a newer "success" from another app does not change that.
    expect(check([forged, runFor(notReady)])).toHaveLength(3);
  });

  it('refuses when omk’s run concluded otherwise than the rebuilt proof (a state forged to ready)', () => {
    const problems = check([runFor(proof('not_ready'))]);
    expect(problems).toContain(
      'the omk/proof check run on aaaaaaaaaaaa concludes neutral where the proof rebuilt from the evidence is ready (success)',
    );
    expect(problems).toContain(
      'the omk/proof check run on aaaaaaaaaaaa says not_ready where the proof rebuilt from the evidence is ready',
    );
  });

  it('refuses a run still in progress', () => {
    expect(check([runFor(ready, { status: 'in_progress', conclusion: null })])[0]).toContain(
      'concludes in_progress',
    );
  });

  it('refuses when the run shows another proof than the PR body, or none', () => {
    const other = `sha256:${'c'.repeat(64)}`;
    expect(check([runFor(ready)], ready, other)).toEqual([
      `the omk/proof check run on aaaaaaaaaaaa shows proof ${ready.digest} where the PR body shows ${other}`,
    ]);
    expect(check([runFor(ready, { summary: 'all good' })])).toEqual([
      'the omk/proof check run on aaaaaaaaaaaa names no proof digest',
    ]);
  });
});
