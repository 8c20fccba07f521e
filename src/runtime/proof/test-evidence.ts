import type { Oracle } from '../goal/schema.js';
import { EXECUTION_STATES, type ProofEvidence } from './evidence.js';
import { type Finding, GATE_OUTCOMES, type GateEvidence } from './schema.js';

/** Test builders: each returns complete, valid evidence that tests then bend one way. */

export const BASE_SHA = 'b'.repeat(40);
export const HEAD_SHA = 'c'.repeat(40);
export const OLD_SHA = 'a'.repeat(40);

type Slice = ProofEvidence['slices'][number];

export function oracle(overrides: Partial<Oracle> = {}): Oracle {
  return {
    testable: true,
    class: 'fix',
    shape: 'fail_to_pass',
    checks: ['the reported crash no longer happens'],
    requiredGates: ['test'],
    reasons: ['names a failing behaviour'],
    humanDecisions: [],
    ...overrides,
  };
}

export function gate(overrides: Partial<GateEvidence> = {}): GateEvidence {
  const kind = overrides.kind ?? 'test';
  return {
    name: kind,
    kind,
    required: false,
    outcome: 'passed',
    exitCode: 0,
    durationMs: 1200,
    sha: HEAD_SHA,
    tail: '',
    artifact: null,
    ...overrides,
  };
}

/** A gate's per-test results whose counts are the lengths of its lists (`passed`: how many passed). */
export function testResults(
  overrides: Partial<Omit<NonNullable<GateEvidence['tests']>, 'counts'>> & { passed?: number } = {},
): NonNullable<GateEvidence['tests']> {
  const { passed = 0, ...lists } = overrides;
  const results = {
    source: 'node-test',
    baseSha: BASE_SHA,
    failing: [],
    failToPass: [],
    regressions: [],
    stillFailing: [],
    added: [],
    removed: [],
    ...lists,
  };
  return {
    ...results,
    counts: {
      passed,
      failed: results.failing.length,
      skipped: 0,
      failToPass: results.failToPass.length,
      regressions: results.regressions.length,
      stillFailing: results.stillFailing.length,
      added: results.added.length,
      removed: results.removed.length,
    },
  };
}

export function slice(overrides: Partial<Slice> = {}): Slice {
  return {
    id: 's1',
    title: 'Fix the crash',
    status: 'done',
    branch: 'omk/g1/s1',
    headSha: HEAD_SHA,
    attempts: 1,
    changedFiles: [{ path: 'src/app.ts', additions: 3, deletions: 1 }],
    ...overrides,
  };
}

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    review: 'security',
    severity: 'blocking',
    message: 'A secret in the diff',
    paths: ['.env'],
    ...overrides,
  };
}

/** Evidence for a goal that is ready to merge: tests pass on the head, nothing blocks. */
export function evidence(overrides: Partial<ProofEvidence> = {}): ProofEvidence {
  return {
    goalId: 'g1',
    goalText: 'Fix the crash when the config file is empty',
    oracle: oracle(),
    generatedAt: '2025-01-02T03:04:05.000Z',
    execution: 'complete',
    git: { baseRef: 'main', baseSha: BASE_SHA, headSha: HEAD_SHA },
    gates: [gate()],
    slices: [slice()],
    changedFiles: [{ path: 'src/app.ts', additions: 3, deletions: 1 }],
    agentRuns: [
      {
        taskId: 's1',
        attempt: 1,
        agent: 'command',
        exitCode: 0,
        outcome: 'succeeded',
        durationMs: 42_000,
        tokens: 1500,
        usd: 0.12,
        transcript: 'artifacts/agent-runs/s1-1.log',
      },
    ],
    findings: [],
    decisions: [
      { kind: 'plan', decision: 'one slice', reason: 'the fix touches one file' },
      {
        kind: 'oracle',
        decision: 'fail-to-pass shown',
        reason: 'test "empty config" failed on the base and passes on the head',
      },
    ],
    budget: {
      limits: { timeMs: 600_000, tokens: 100_000, usd: 5 },
      spent: { timeMs: 42_000, tokens: 1500, usd: 0.12 },
    },
    extraGaps: [],
    failures: [],
    delivery: {
      acceptance: null,
      rejection: null,
      cancellation: null,
      merge: null,
      pullRequests: [],
      mergeEvaluation: null,
    },
    eventsThroughSeq: 17,
    ...overrides,
  };
}

/**
 * Evidence of a goal whose run had the sandbox fall back (`auto` on a host that could not confine)
 * while a script agent ran: its proof waits for a person (`agents_unconfined`).
 */
export function unconfinedEvidence(): ProofEvidence {
  const base = evidence();
  return evidence({
    decisions: [
      ...base.decisions,
      {
        kind: 'sandbox',
        decision: 'unsandboxed',
        reason: 'sandbox: auto; unsandboxed: bwrap not found on the PATH',
      },
    ],
    agentRuns: base.agentRuns.map((run) => ({ ...run, agent: 'script:fix.sh' })),
    goalId: 'g-1',
  });
}

/** mulberry32: tiny and seeded, so a failing random case can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random evidence mixing gate outcomes, SHAs, findings, slices and execution states. */
export function randomEvidence(random: () => number): ProofEvidence {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const kinds = ['test', 'lint', 'typecheck', 'build'];
  const gates = Array.from({ length: Math.floor(random() * 6) }, () => {
    const kind = pick(kinds);
    return gate({
      kind,
      name: pick([kind, `${kind}-2`]),
      required: random() < 0.2,
      outcome: random() < 0.6 ? 'passed' : pick(GATE_OUTCOMES),
      sha: pick([HEAD_SHA, HEAD_SHA, OLD_SHA, BASE_SHA]),
    });
  });
  const severity = pick(['info', 'warning', 'blocking'] as const);
  const sliceStatus = random() < 0.8 ? 'done' : pick(['pending', 'running', 'failed', 'skipped'] as const);
  return evidence({
    oracle: oracle({ testable: random() < 0.95, requiredGates: kinds.filter(() => random() < 0.3) }),
    execution: random() < 0.7 ? 'complete' : pick(EXECUTION_STATES),
    git: {
      baseRef: 'main',
      baseSha: random() < 0.9 ? BASE_SHA : null,
      headSha: random() < 0.9 ? HEAD_SHA : null,
    },
    gates,
    findings: random() < 0.2 ? [finding({ severity })] : [],
    slices: [slice({ status: sliceStatus })],
    failures: random() < 0.05 ? [{ code: 'crash', message: 'agent crashed', evidence: 'signal 9' }] : [],
    // Drawn last, so the draws above (and the statuses they reach) are as they were.
    decisions: [
      ...evidence().decisions,
      ...(random() < 0.5
        ? []
        : [
            { kind: 'sandbox', decision: pick(['sandboxed', 'unsandboxed', 'off']), reason: 'sandbox: auto' },
          ]),
    ],
    agentRuns: evidence().agentRuns.map((run) => ({ ...run, agent: pick(['demo', 'script:fix.sh']) })),
  });
}
