import { describe, expect, it } from 'vitest';
import type { CheckState, PullRequest } from '../forge/port.js';
import { buildProof } from '../proof/build.js';
import type { Proof } from '../proof/schema.js';
import { evidence, seededRandom } from '../proof/test-evidence.js';
import { decideMerge, type MergeInput } from './merge-decision.js';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

function readyProof(): Proof {
  const proof = buildProof(evidence());
  return { ...proof, status: 'ready', git: { ...proof.git, headSha: HEAD, baseSha: BASE } };
}

function pr(fields: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 7,
    url: 'https://github.test/o/r/pull/7',
    title: 't',
    body: '',
    head: 'omk/g/integration',
    headSha: HEAD,
    base: 'main',
    baseSha: BASE,
    draft: false,
    state: 'open',
    labels: [],
    mergeable: true,
    ...fields,
  };
}

function input(fields: Partial<MergeInput> = {}): MergeInput {
  return {
    policy: 'gated',
    proof: readyProof(),
    proofDigestValid: true,
    pr: pr(),
    checks: [{ name: 'ci', state: 'success', source: 'check_run' }],
    protection: { requiredContexts: ['ci'], requiredApprovals: 1 },
    reviews: { approvals: 1, changesRequested: false },
    enforceProtection: false,
    ...fields,
  };
}

/** A proof blocked on a person for `gaps`, accepted by one or not. */
function blocked(gaps: Proof['knownGaps'], accepted: boolean): Proof {
  const proof = readyProof();
  const acceptance = { at: '2026-01-01T00:00:00.000Z', eventSeq: 9, text: 'read the change' };
  return {
    ...proof,
    status: 'blocked_on_human',
    knownGaps: gaps,
    delivery: { ...proof.delivery, acceptance: accepted ? acceptance : null },
  };
}

describe('decideMerge', () => {
  it('merges, pinned to the head SHA, when every condition holds', () => {
    expect(decideMerge(input())).toEqual({ merge: true, sha: HEAD });
  });

  it.each([
    ['checks_pending', { checks: [{ name: 'ci', state: 'pending', source: 'check_run' }] as CheckState[] }],
    ['checks_pending', { checks: [] as CheckState[] }],
    ['checks_failed', { checks: [{ name: 'ci', state: 'failure', source: 'status' }] as CheckState[] }],
    ['stale_proof', { pr: pr({ headSha: 'c'.repeat(40) }) }],
    ['stale_proof', { pr: pr({ baseSha: 'c'.repeat(40) }) }],
    ['review_required', { reviews: { approvals: 0, changesRequested: false } }],
    ['changes_requested', { reviews: { approvals: 1, changesRequested: true } }],
    ['draft', { pr: pr({ draft: true }) }],
    ['conflict', { pr: pr({ mergeable: false }) }],
    ['mergeability_unknown', { pr: pr({ mergeable: null }) }],
    ['not_open', { pr: pr({ state: 'closed' }) }],
    ['policy', { policy: 'disabled' as const }],
    ['proof_edited', { proofDigestValid: false }],
    ['unprotected_base', { protection: null, enforceProtection: true }],
  ])('blocks with %s', (blocker, fields) => {
    const decision = decideMerge(input(fields as Partial<MergeInput>));
    expect(decision.merge).toBe(false);
    if (!decision.merge) expect(decision.reasons.map((r) => r.blocker)).toContain(blocker);
  });

  it('says why an unprotected base blocks without naming a CLI flag (the detail lands in proof.json)', () => {
    const decision = decideMerge(input({ protection: null, enforceProtection: true }));
    if (decision.merge) throw new Error('merged');
    expect(decision.reasons.find((r) => r.blocker === 'unprotected_base')?.detail).toBe(
      'main has no readable branch protection, and this merge requires one',
    );
  });

  it('blocks a proof that is not ready and says what it is', () => {
    const decision = decideMerge(input({ proof: { ...readyProof(), status: 'not_ready' } }));
    expect(decision).toMatchObject({ merge: false, blockedBy: 'proof_not_ready' });
    if (!decision.merge) expect(decision.reasons[0]?.detail).toBe('the proof is not_ready');
  });

  it('merges a proof blocked only on gate definitions the goal meant to change, once a person accepted it', () => {
    const edited = { code: 'gate_definition_edited', message: 'A person must review a gate' };
    expect(decideMerge(input({ proof: blocked([edited], true) }))).toEqual({ merge: true, sha: HEAD });
    // Not accepted yet, or another gap beside it (a gate that could not run): refused as before.
    expect(decideMerge(input({ proof: blocked([edited], false) }))).toMatchObject({
      blockedBy: 'proof_not_ready',
    });
    const unavailable = { code: 'gate_unavailable', message: 'pytest is not installed' };
    expect(decideMerge(input({ proof: blocked([edited, unavailable], true) }))).toMatchObject({
      blockedBy: 'proof_not_ready',
    });
    expect(decideMerge(input({ proof: blocked([unavailable], true) }))).toMatchObject({
      blockedBy: 'proof_not_ready',
    });
  });

  it('merges a proof blocked only on a workflow change the goal meant to make, once a person accepted it', () => {
    const workflow = {
      code: 'workflow_edited',
      message: 'A person must read the change to the CI workflows',
    };
    const waiting = decideMerge(input({ proof: blocked([workflow], false) }));
    expect(waiting).toMatchObject({ blockedBy: 'proof_not_ready' });
    if (!waiting.merge) {
      expect(waiting.reasons[0]?.detail).toBe(
        'the proof is blocked_on_human on workflow_edited: a person must review it and accept the goal first',
      );
    }
    expect(decideMerge(input({ proof: blocked([workflow], true) }))).toEqual({ merge: true, sha: HEAD });
  });

  it('names the gaps a blocked_on_human proof waits on, and whether an acceptance closes them', () => {
    const blockedOn = (codes: string[], accepted: boolean): Proof =>
      blocked(
        codes.map((code) => ({ code, message: `gap ${code}` })),
        accepted,
      );
    const detail = (proof: Proof) => {
      const decision = decideMerge(input({ proof }));
      return decision.merge
        ? 'merged'
        : decision.reasons.find((r) => r.blocker === 'proof_not_ready')?.detail;
    };
    expect(detail(blockedOn(['gate_definition_edited'], false))).toBe(
      'the proof is blocked_on_human on gate_definition_edited: a person must review it and accept the goal first',
    );
    expect(detail(blockedOn(['gate_unavailable'], true))).toBe(
      'the proof is blocked_on_human on gate_unavailable: an acceptance does not close it (gate_unavailable is closed by fixing it)',
    );
    expect(detail(blockedOn(['gate_definition_edited', 'gate_failed'], true))).toBe(
      'the proof is blocked_on_human on gate_definition_edited: an acceptance does not close it (gate_failed remains)',
    );
  });

  it('merges a proof blocked only on agents that ran unconfined, once a person accepted it', () => {
    const unconfined = { code: 'agents_unconfined', message: 'The agent script:fix.sh ran unconfined' };
    const edited = { code: 'gate_definition_edited', message: 'A person must review a gate' };
    const unavailable = { code: 'gate_unavailable', message: 'pytest is not installed' };
    const waiting = decideMerge(input({ proof: blocked([unconfined], false) }));
    expect(waiting).toMatchObject({ blockedBy: 'proof_not_ready' });
    if (!waiting.merge) {
      expect(waiting.reasons[0]?.detail).toBe(
        'the proof is blocked_on_human on agents_unconfined: a person must review it and accept the goal first',
      );
    }
    expect(decideMerge(input({ proof: blocked([unconfined], true) }))).toEqual({ merge: true, sha: HEAD });
    expect(decideMerge(input({ proof: blocked([unconfined, edited], true) }))).toEqual({
      merge: true,
      sha: HEAD,
    });
    expect(decideMerge(input({ proof: blocked([unconfined, unavailable], true) }))).toMatchObject({
      blockedBy: 'proof_not_ready',
    });
  });

  it('judges freshness by the proof rule: a proof naming no head is stale, said as its gap says it', () => {
    const proof = readyProof();
    const unnamed = { ...proof, git: { ...proof.git, headSha: null } };
    const decision = decideMerge(input({ proof: unnamed }));
    expect(decision).toMatchObject({ merge: false, blockedBy: 'stale_proof' });
    const moved = decideMerge(input({ pr: pr({ headSha: `${HEAD.slice(0, 39)}c` }) }));
    if (!moved.merge) {
      expect(moved.reasons[0]?.detail).toBe(
        `the proof is for head ${HEAD} but the head shown is ${HEAD.slice(0, 39)}c`,
      );
    }
  });

  it('never merges when any condition is unmet (randomized over 2,000 states)', () => {
    const random = seededRandom(20261121);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const states = ['pending', 'success', 'failure', 'neutral', 'skipped'] as const;
    for (let i = 0; i < 2_000; i += 1) {
      const proofStatus = pick(['ready', 'ready', 'ready', 'not_ready', 'failed'] as const);
      const checks: CheckState[] = Array.from({ length: Math.floor(random() * 3) }, (_, n) => ({
        name: pick(['ci', 'lint', `x${n}`]),
        state: pick(states),
        source: pick(['check_run', 'status'] as const),
      }));
      const protection =
        random() < 0.3
          ? null
          : { requiredContexts: random() < 0.5 ? ['ci'] : [], requiredApprovals: pick([0, 1, 2]) };
      const state: MergeInput = input({
        policy: pick(['gated', 'gated', 'manual', 'disabled'] as const),
        proof: {
          ...readyProof(),
          status: proofStatus,
          git: { ...readyProof().git, headSha: pick([HEAD, HEAD, 'c'.repeat(40)]) },
        },
        proofDigestValid: random() < 0.9,
        pr: pr({
          draft: random() < 0.1,
          mergeable: pick([true, true, false, null]),
          state: pick(['open', 'open', 'closed'] as const),
        }),
        checks,
        protection,
        reviews: { approvals: pick([0, 1, 2]), changesRequested: random() < 0.1 },
        enforceProtection: random() < 0.2,
      });
      const decision = decideMerge(state);
      if (!decision.merge) continue;
      expect(['gated', 'manual']).toContain(state.policy);
      expect(state.proof.status).toBe('ready');
      expect(state.proofDigestValid).toBe(true);
      expect(state.proof.git.headSha).toBe(state.pr.headSha);
      expect(state.pr).toMatchObject({ draft: false, mergeable: true, state: 'open' });
      expect(state.checks.every((c) => c.state !== 'failure' && c.state !== 'pending')).toBe(true);
      for (const name of state.protection?.requiredContexts ?? []) {
        expect(state.checks.some((c) => c.name === name && c.state !== 'pending')).toBe(true);
      }
      expect(state.reviews.changesRequested).toBe(false);
      expect(state.reviews.approvals).toBeGreaterThanOrEqual(state.protection?.requiredApprovals ?? 0);
      expect(decision.sha).toBe(state.pr.headSha);
    }
  });

  describe('no checks at all is not green (merge.requireChecks)', () => {
    const proofOnly: CheckState[] = [{ name: 'omk/proof', state: 'success', source: 'check_run' }];

    it('auto, protection unreadable: refuses a head where nothing but omk/proof ran', () => {
      const decision = decideMerge(
        input({
          checks: proofOnly,
          protection: null,
          reviews: { approvals: 0, changesRequested: false },
          requireChecks: 'auto',
        }),
      );
      expect(decision).toMatchObject({ merge: false, blockedBy: 'no_checks' });
      if (!decision.merge)
        expect(decision.reasons[0]?.detail).toContain("main's branch protection cannot be read");
    });

    it('auto, protection unreadable: one successful check besides omk/proof is enough', () => {
      const checks: CheckState[] = [...proofOnly, { name: 'build', state: 'success', source: 'status' }];
      expect(decideMerge(input({ checks, protection: null, requireChecks: 'auto' }))).toEqual({
        merge: true,
        sha: HEAD,
      });
    });

    it('auto, readable protection that requires none: still needs one successful check', () => {
      const protection = { requiredContexts: [], requiredApprovals: 0 };
      const decision = decideMerge(input({ checks: proofOnly, protection, requireChecks: 'auto' }));
      expect(decision).toMatchObject({ merge: false, blockedBy: 'no_checks' });
    });

    it('auto, readable protection: its required checks decide; a skipped one counts, as on GitHub', () => {
      const checks: CheckState[] = [...proofOnly, { name: 'ci', state: 'skipped', source: 'check_run' }];
      expect(decideMerge(input({ checks, requireChecks: 'auto' }))).toEqual({ merge: true, sha: HEAD });
    });

    it('none: nothing is required beyond what exists', () => {
      expect(decideMerge(input({ checks: proofOnly, protection: null, requireChecks: 'none' }))).toEqual({
        merge: true,
        sha: HEAD,
      });
    });

    it('a list: each named check must have reported, on top of the protection', () => {
      const decision = decideMerge(input({ requireChecks: ['e2e'] }));
      expect(decision).toMatchObject({ merge: false, blockedBy: 'checks_pending' });
      if (!decision.merge) expect(decision.reasons[0]?.detail).toBe('waiting for: e2e');
    });
  });

  it('refuses with proof_check when the omk/proof check run does not vouch for the proof', () => {
    const decision = decideMerge(input({ proofCheckProblems: ['no omk/proof check run on aaaaaaaaaaaa'] }));
    expect(decision).toMatchObject({
      merge: false,
      blockedBy: 'proof_check',
      reasons: [{ blocker: 'proof_check', detail: 'no omk/proof check run on aaaaaaaaaaaa' }],
    });
  });
});
