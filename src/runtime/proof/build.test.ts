import { describe, expect, it } from 'vitest';
import { buildProof } from './build.js';
import { computeProofDigest, verifyProofDigest } from './digest.js';
import { EXECUTION_STATES, type ProofEvidence } from './evidence.js';
import { renderProofMarkdown } from './render-markdown.js';
import { renderProofText } from './render-text.js';
import { type GateEvidence, type GateTests, proofSchema } from './schema.js';
import {
  BASE_SHA,
  evidence,
  finding,
  gate,
  HEAD_SHA,
  OLD_SHA,
  oracle,
  randomEvidence,
  seededRandom,
  slice,
} from './test-evidence.js';

/** A test gate's per-test results compared with the base, counts matching the lists. */
function testsOf(
  lists: Partial<Record<'failing' | 'failToPass' | 'regressions' | 'stillFailing', string[]>>,
): GateTests {
  const { failing = [], failToPass = [], regressions = [], stillFailing = [] } = lists;
  return {
    source: 'pytest',
    baseSha: BASE_SHA,
    counts: {
      passed: 3,
      failed: failing.length,
      skipped: 0,
      failToPass: failToPass.length,
      regressions: regressions.length,
      stillFailing: stillFailing.length,
      added: 0,
      removed: 0,
    },
    failing,
    failToPass,
    regressions,
    stillFailing,
    added: [],
    removed: [],
  };
}

const codes = (e: ProofEvidence) => buildProof(e).knownGaps.map((gap) => gap.code);

describe('buildProof: ready', () => {
  it('is ready when every required gate passed on the head and nothing blocks', () => {
    const proof = buildProof(evidence());
    expect(proof.status).toBe('ready');
    expect(proof.knownGaps).toEqual([]);
    expect(proof.failures).toEqual([]);
    expect(proofSchema.parse(proof)).toEqual(proof);
    expect(verifyProofDigest(proof)).toBe(true);
  });

  it('accepts a flaky required gate but warns, naming it', () => {
    const proof = buildProof(evidence({ gates: [gate({ name: 'unit', outcome: 'flaky' })] }));
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toEqual([expect.stringContaining('"unit"')]);
  });

  it('judges a gate by its latest result on the head: a passing rerun supersedes a failure', () => {
    expect(buildProof(evidence({ gates: [gate({ outcome: 'failed' }), gate()] })).status).toBe('ready');
    expect(buildProof(evidence({ gates: [gate(), gate({ outcome: 'failed' })] })).status).toBe('failed');
  });

  it('turns failing optional gates into warnings, not gaps', () => {
    const lint = gate({ kind: 'lint', outcome: 'failed', exitCode: 2 });
    const proof = buildProof(evidence({ gates: [gate(), lint, gate({ kind: 'fmt', outcome: 'timeout' })] }));
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toHaveLength(2);
    expect(proof.warnings[0]).toMatch(/Optional gate "lint".*failed.*exit 2/);
  });
});

describe('buildProof: blocked_on_human and failed', () => {
  it('is blocked_on_human when the oracle cannot test the goal, whatever else holds', () => {
    const decisions = ['Which API version is the target?', 'May the public schema change?'];
    const proof = buildProof(
      evidence({ oracle: oracle({ testable: false, humanDecisions: decisions }), failures: [] }),
    );
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.humanDecisions).toEqual(decisions);
    expect(proof.knownGaps.filter((gap) => gap.code === 'human_decision')).toHaveLength(2);
  });

  it('explains an untestable goal without listed decisions', () => {
    const proof = buildProof(
      evidence({ oracle: oracle({ testable: false, reasons: ['no observable check'] }) }),
    );
    expect(proof.knownGaps[0]).toEqual({
      code: 'not_testable',
      message: expect.stringContaining('no observable'),
    });
  });

  it('is blocked_on_human when a required gate cannot start: its tool and the ways out are named', () => {
    const lint = gate({
      name: 'lint',
      kind: 'lint',
      outcome: 'unavailable',
      exitCode: null,
      tail: '[omk] ruff: could not start (spawn ruff ENOENT); it cannot start on base b either',
    });
    const proof = buildProof(
      evidence({ oracle: oracle({ requiredGates: ['test', 'lint'] }), gates: [gate(), lint] }),
    );
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.failures).toEqual([]);
    expect(proof.knownGaps).toEqual([
      {
        code: 'gate_unavailable',
        message: expect.stringMatching(
          /^Required gate "lint" \(lint\) could not start on head \w+: ruff: could not start.*Install ruff .*gates: \{ list: \[ \{ name: "lint", enabled: false \} \] \}\.$/,
        ),
      },
    ]);
  });

  it('says one thing for a go too old for go.mod: the go to install, not whether go is installed', () => {
    const test = gate({
      outcome: 'unavailable',
      exitCode: 1,
      tail: '[omk] go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1); it cannot start on base b either: is it installed and on PATH?',
    });
    const [gap] = buildProof(evidence({ gates: [test] })).knownGaps;
    expect(gap?.message).toContain('go: go.mod requires go >= 1.99, this go is 1.21.0 (exit 1)');
    expect(gap?.message).toContain('Install go >= 1.99 where omk runs the gates');
    expect(gap?.message).not.toContain('is it installed and on PATH?');
    expect(gap?.message).not.toContain('Install go where');
  });

  describe('agents that ran unconfined', () => {
    const sandbox = (decision: 'sandboxed' | 'unsandboxed' | 'off') => ({
      kind: 'sandbox',
      decision,
      reason: `sandbox: ${decision === 'off' ? 'off' : 'auto'}; …`,
    });
    const [template] = evidence().agentRuns;
    const run = (agent: string, taskId = 's1'): ProofEvidence['agentRuns'][number] => {
      if (template === undefined) throw new Error('the evidence fixture has an agent run');
      return { ...template, agent, taskId };
    };
    const proofWith = (decision: 'sandboxed' | 'unsandboxed' | 'off', ...agents: string[]) =>
      buildProof(
        evidence({
          decisions: [...evidence().decisions, sandbox(decision)],
          agentRuns: agents.map((agent, i) => run(agent, `s${i + 1}`)),
        }),
      );

    it('is blocked_on_human when the sandbox fell back (auto) and an agent other than the demo ran', () => {
      const proof = proofWith('unsandboxed', 'script:fix.sh', 'demo', 'script:fix.sh', 'claude');
      expect(proof.status).toBe('blocked_on_human');
      expect(proof.failures).toEqual([]);
      expect(proof.knownGaps).toEqual([
        {
          code: 'agents_unconfined',
          message: expect.stringMatching(
            /^The agents script:fix\.sh, claude ran unconfined: the sandbox is auto and this host could not confine agents, so nothing kept them from writing outside their worktree .*cannot fully detect\.$/,
          ),
          hint: [
            'Let omk confine the agents (on Linux, bubblewrap where it can create namespaces: the warning says what this host lacks) and run the goal again; or, once a person has read the change, they accept it with ',
            { step: 'accept', goalId: 'g1' },
            ' and merge it with ',
            { step: 'merge', goalId: 'g1' },
            '; or, to declare the agents trusted, turn the sandbox off: ',
            { step: 'run_sandbox_off' },
            '.',
          ],
        },
      ]);
      // The warning that says why the host could not confine stays.
      expect(proof.warnings).toContainEqual(expect.stringContaining('Agents and gates ran unsandboxed'));
    });

    it('stays ready for the demo agent alone, a sandboxed run, or the sandbox off by the user', () => {
      expect(proofWith('unsandboxed', 'demo', 'demo').status).toBe('ready');
      expect(proofWith('unsandboxed').status).toBe('ready');
      expect(proofWith('sandboxed', 'script:fix.sh').status).toBe('ready');
      expect(proofWith('off', 'script:fix.sh').status).toBe('ready');
      // A goal made before omk recorded a sandbox decision is read as it was.
      expect(buildProof(evidence({ agentRuns: [run('script:fix.sh')] })).status).toBe('ready');
    });
  });

  it('warns about an optional gate that cannot start and stays ready', () => {
    const lint = gate({
      name: 'lint',
      kind: 'lint',
      required: false,
      outcome: 'unavailable',
      exitCode: null,
    });
    const proof = buildProof(evidence({ gates: [gate(), lint] }));
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toEqual([
      expect.stringMatching(/^Optional gate "lint" \(lint\) could not start on head/),
    ]);
  });

  it('is blocked_on_human when the controller stopped before agents because a gate cannot start', () => {
    const gap = { code: 'gate_unavailable', message: 'Required gate "test" (test) cannot start on base ...' };
    const proof = buildProof(evidence({ execution: 'not_started', gates: [], extraGaps: [gap] }));
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps).toContainEqual(gap);
    // What stopped the run comes first: the other gaps (no execution, no head) follow from it.
    expect(proof.knownGaps[0]).toEqual(gap);
    expect(proof.knownGaps.map((entry) => entry.code)).toContain('not_executed');
  });

  it('fails when the evidence carries failures, keeping them', () => {
    const failure = { code: 'slice_out_of_retries', message: 'Slice s1 failed 3 times', evidence: 'exit 1' };
    const proof = buildProof(evidence({ failures: [failure] }));
    expect(proof.status).toBe('failed');
    expect(proof.failures).toEqual([failure]);
  });

  it('fails when execution is complete and a required gate failed or timed out on the head', () => {
    for (const outcome of ['failed', 'timeout'] as const) {
      const bad = gate({
        outcome,
        exitCode: outcome === 'failed' ? 1 : null,
        tail: 'AssertionError: 1 !== 2',
      });
      const proof = buildProof(evidence({ gates: [bad] }));
      expect(proof.status).toBe('failed');
      expect(proof.failures).toHaveLength(1);
      expect(proof.failures[0]?.evidence).toContain('AssertionError');
      expect(proof.failures[0]?.evidence).toContain(outcome === 'failed' ? 'exit code 1' : 'exit code none');
    }
  });

  it('treats a required:true gate of an unlisted kind as required', () => {
    const proof = buildProof(
      evidence({ gates: [gate(), gate({ kind: 'e2e', required: true, outcome: 'failed' })] }),
    );
    expect(proof.status).toBe('failed');
    expect(proof.failures[0]?.message).toContain('"e2e"');
  });

  it('names every required gate that ran, a custom one marked required included, once each', () => {
    const proof = buildProof(
      evidence({
        oracle: oracle({ requiredGates: ['test', 'lint'] }),
        gates: [
          gate(),
          gate({ kind: 'lint', name: 'eslint' }),
          gate({ kind: 'lint', name: 'house-style' }),
          gate({ kind: 'e2e', name: 'playwright', required: true }),
          gate({ kind: 'docs', name: 'docs-build' }),
          gate(),
        ],
      }),
    );
    // The kinds stay what the oracle requires; the names add the custom gate marked required.
    expect(proof.requiredGates).toEqual(['test', 'lint']);
    expect(proof.requiredGateNames).toEqual(['test', 'eslint', 'house-style', 'playwright']);
    expect(renderProofText(proof)).toContain('Required gates: test, lint, playwright (marked required)');
    expect(renderProofMarkdown(proof)).toContain(
      '| Required gates | `test`, `lint`, `playwright` (marked required) |',
    );
  });

  it('still reads and verifies a proof written before requiredGateNames existed', () => {
    const {
      digest: _digest,
      requiredGateNames: _names,
      ...older
    } = buildProof(evidence({ gates: [gate({ kind: 'e2e', required: true })] }));
    const written = { ...older, digest: computeProofDigest(older) };
    const parsed = proofSchema.parse(JSON.parse(JSON.stringify(written)));
    expect(parsed.requiredGateNames).toBeUndefined();
    expect(verifyProofDigest(parsed)).toBe(true);
    expect(renderProofText(parsed)).toContain('Required gates: test\n');
  });
});

describe('buildProof: workflow changes', () => {
  const allowed = (path: string, slice: string | null) => ({
    ...finding({
      severity: 'info',
      code: 'workflow_edited',
      message: `Workflow change in ${path}`,
      paths: [path],
    }),
    slice,
  });

  it('is blocked_on_human on one workflow_edited gap naming each changed file and where, when the goal meant them', () => {
    const proof = buildProof(
      evidence({
        findings: [
          allowed('.github/workflows/ci.yml', 's1'),
          allowed('.github/actions/setup/action.yml', 's2'),
          allowed('.github/workflows/ci.yml', null),
        ],
      }),
    );
    expect(proof.status).toBe('blocked_on_human');
    expect(proof.knownGaps).toHaveLength(1);
    const [gap] = proof.knownGaps;
    expect(gap?.code).toBe('workflow_edited');
    expect(gap?.message).toBe(
      "A person must read the change to the CI workflows before it is pushed, as a push runs it in the repository's CI with its token and secrets: .github/actions/setup/action.yml, .github/workflows/ci.yml (in slice s1, in slice s2, on the integrated tree).",
    );
    expect(gap?.hint).toEqual([
      'Once a person has read it, they accept the goal with ',
      { step: 'accept', goalId: proof.goalId },
      '; then ',
      { step: 'merge', goalId: proof.goalId },
      ' pushes it, opens its PR and merges it (',
      { step: 'open_pr', goalId: proof.goalId },
      ' pushes it and opens its PRs only).',
    ]);
  });

  it('names the option in the remedy of a blocking workflow change the goal did not mean', () => {
    const proof = buildProof(
      evidence({
        findings: [
          finding({
            code: 'workflow_edited',
            message: 'Workflow change',
            paths: ['.github/workflows/ci.yml'],
          }),
        ],
      }),
    );
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['blocking_finding']);
    expect(proof.knownGaps[0]?.hint).toEqual([
      'If the goal means to change its CI workflows, start it again declaring so: ',
      { step: 'run_workflow_edits' },
      '.',
    ]);
  });
});

describe('buildProof: not_ready lists every gap', () => {
  it('names each execution state that is not complete with its own code', () => {
    const seen = EXECUTION_STATES.filter((s) => s !== 'complete').map(
      (execution) => codes(evidence({ execution }))[0],
    );
    expect(seen).toEqual([
      'not_executed',
      'execution_in_progress',
      'execution_interrupted',
      'budget_exhausted',
    ]);
  });

  it('reports a missing base or head SHA', () => {
    expect(codes(evidence({ git: { baseRef: 'main', baseSha: null, headSha: HEAD_SHA } }))).toEqual([
      'missing_head',
    ]);
    const headless = buildProof(evidence({ git: { baseRef: null, baseSha: BASE_SHA, headSha: null } }));
    expect(headless.knownGaps.map((gap) => gap.code)).toEqual(['missing_head', 'gate_stale']);
  });

  it('distinguishes missing, stale, pre-existing, skipped and (mid-run) failed required gates', () => {
    const gates = [
      gate({ kind: 'lint', sha: OLD_SHA }),
      gate({ kind: 'typecheck', outcome: 'pre_existing', exitCode: 2 }),
      gate({ kind: 'format', outcome: 'skipped', exitCode: null }),
      gate({ kind: 'test', outcome: 'failed', exitCode: 1 }),
    ];
    const requiredGates = ['build', 'lint', 'typecheck', 'format', 'test'];
    const proof = buildProof(
      evidence({ execution: 'interrupted', gates, oracle: oracle({ requiredGates }) }),
    );
    expect(proof.status).toBe('not_ready');
    expect(proof.failures).toEqual([]);
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual([
      'execution_interrupted',
      'gate_missing',
      'gate_stale',
      'gate_pre_existing',
      'gate_skipped',
      'gate_failed',
    ]);
    expect(proof.knownGaps[1]?.message).toContain('"build"');
    expect(proof.knownGaps[3]?.message).toMatch(/also fails on the base/);
  });

  it("lets a required gate failing only with the base's diagnostics through, with a warning", () => {
    const debt = { source: 'tsc', new: 0, fixed: 1, preExisting: 4, firstNew: [] };
    const onlyDebt = gate({ kind: 'typecheck', outcome: 'pre_existing', exitCode: 2, diagnostics: debt });
    const proof = buildProof(
      evidence({ gates: [gate(), onlyDebt], oracle: oracle({ requiredGates: ['test', 'typecheck'] }) }),
    );
    expect(proof.status).toBe('ready');
    expect(proof.warnings).toContainEqual(
      `Required gate "typecheck" (typecheck) fails on head ${HEAD_SHA.slice(0, 12)} (exit 2) only with the base's 4 diagnostic(s) (1 fixed), none new: it does not block readiness.`,
    );
    expect(proof.gates[1]?.diagnostics).toEqual(debt);
    // A formatter that lists files: a listed file the change edits may hide a break of its own.
    const listed = {
      source: 'format-check',
      new: 0,
      fixed: 0,
      preExisting: 2,
      firstNew: [],
      preExistingFiles: ['src/index.ts', 'src/old.ts'],
    };
    const format = gate({
      name: 'format',
      kind: 'format',
      outcome: 'pre_existing',
      exitCode: 1,
      diagnostics: listed,
    });
    const edited = buildProof(
      evidence({
        gates: [gate(), format],
        oracle: oracle({ requiredGates: ['test', 'format'] }),
        changedFiles: [{ path: 'src/index.ts', additions: 1, deletions: 1 }],
      }),
    );
    expect(edited.status).toBe('ready');
    expect(edited.warnings).toContainEqual(
      `Required gate "format" (format) fails on head ${HEAD_SHA.slice(0, 12)} (exit 1) only with the base's 2 diagnostic(s), none new by file; but it names files, not lines, and the change edits src/index.ts, which it lists on the base too: a formatting break the change made there would not show. It does not block readiness; check the formatting of src/index.ts.`,
    );
    // Judged by exit code alone, the same outcome still blocks.
    const byExit = gate({ kind: 'typecheck', outcome: 'pre_existing', exitCode: 2 });
    expect(
      codes(evidence({ gates: [gate(), byExit], oracle: oracle({ requiredGates: ['test', 'typecheck'] }) })),
    ).toEqual(['gate_pre_existing']);
  });

  it('lets a required test gate failing only with tests that fail on the base through, listing them', () => {
    const stillFailing = ['tests/test_io.py::test_unicode', 'tests/test_io.py::test_crlf'];
    const tests = testsOf({
      failing: stillFailing,
      stillFailing,
      failToPass: ['tests/test_calc.py::test_add'],
    });
    const onlyOld = gate({ outcome: 'pre_existing', exitCode: 1, tests });
    const proof = buildProof(evidence({ gates: [onlyOld] }));
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(proof.warnings).toContainEqual(
      `Required gate "test" (test) fails on head ${HEAD_SHA.slice(0, 12)} (exit 1) only with 2 test(s) that fail on the base too (tests/test_io.py::test_unicode, tests/test_io.py::test_crlf), none new: it does not block readiness.`,
    );
  });

  it("lets a required test gate whose tests all pass through when it misses only the base's coverage thresholds", () => {
    // gates/verify.ts: the base failed a test and missed 80% on lines; the fix passes every test, covering as much.
    const coverage = ['lines below 80% (global): 35.29% here, 35.29% on the base'];
    const debt = gate({
      outcome: 'pre_existing',
      exitCode: 1,
      tests: testsOf({ failToPass: ['test/slug.test.js::slugify > trims the text'] }),
      beyondTests: {
        lines: 'ERROR: Coverage for lines (35.29%) does not meet global threshold (80%)',
        coverage,
      },
    });
    const proof = buildProof(evidence({ gates: [debt] }));
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(proof.warnings).toContainEqual(
      `Required gate "test" (test) fails on head ${HEAD_SHA.slice(0, 12)} (exit 1) only on coverage thresholds the base misses too, by as much or more (${coverage[0]}); every test passes: it does not block readiness.`,
    );
    // preExisting: block keeps the base's debt blocking.
    expect(codes(evidence({ gates: [{ ...debt, preExisting: 'block' }] }))).toEqual(['gate_pre_existing']);
  });

  it('blocks a test gate whose failures include a regression, or were judged by exit code, saying why', () => {
    const regressed = testsOf({ failing: ['a', 'b'], stillFailing: ['a'], regressions: ['b'] });
    expect(
      codes(evidence({ gates: [gate({ outcome: 'pre_existing', exitCode: 1, tests: regressed })] })),
    ).toEqual(['gate_pre_existing']);
    // No per-test results at all: the exit codes cannot tell the base's failures from new ones.
    const byExit = gate({
      outcome: 'pre_existing',
      exitCode: 1,
      tail: `[omk] fails on base ${BASE_SHA.slice(0, 12)} too (judged by exit codes: no per-test results could be read on the head or the base)`,
    });
    const proof = buildProof(evidence({ gates: [byExit] }));
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toEqual([
      {
        code: 'gate_pre_existing',
        message: expect.stringContaining(
          'per-test results not available (no per-test results could be read on the head or the base)',
        ),
      },
    ]);
    // Results read on the head, none on the base to compare with.
    const uncompared = gate({
      outcome: 'pre_existing',
      exitCode: 1,
      tests: { ...testsOf({ failing: ['a'] }), baseSha: null },
    });
    expect(buildProof(evidence({ gates: [uncompared] })).knownGaps[0]?.message).toContain(
      'per-test results not available',
    );
  });

  it('blocks a lint gate whose diagnostics could not be read, naming the gate and the tool', () => {
    const base12 = BASE_SHA.slice(0, 12);
    const unread = (required: boolean) =>
      gate({
        kind: 'lint',
        name: 'style',
        required,
        outcome: 'pre_existing',
        exitCode: 1,
        tail: `[omk] fails on base ${base12} too; could not read diagnostics from lint.sh output; judged by exit code (none were read on the head nor on base ${base12})\nthe style checker is unhappy`,
      });
    const proof = buildProof(
      evidence({ gates: [gate(), unread(true)], oracle: oracle({ requiredGates: ['test'] }) }),
    );
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toEqual([
      {
        code: 'gate_pre_existing',
        message: `Required gate "style" (lint) fails on head ${HEAD_SHA.slice(0, 12)} (exit 1) and also fails on the base: the final tree still fails it; could not read diagnostics from lint.sh output; judged by exit code, so its failures cannot be told apart from new ones.`,
      },
    ]);
    // Optional: it does not block, and the warning says the same.
    const optional = buildProof(
      evidence({ gates: [gate(), unread(false)], oracle: oracle({ requiredGates: ['test'] }) }),
    );
    expect(optional.status).toBe('ready');
    expect(optional.warnings).toEqual([
      expect.stringContaining(
        `Optional gate "style" (lint) fails on head ${HEAD_SHA.slice(0, 12)} (exit 1) and also fails on the base: the final tree still fails it; could not read diagnostics from lint.sh output; judged by exit code`,
      ),
    ]);
  });

  it('blocks pre-existing failures anyway when the config says preExisting: block', () => {
    const tests = testsOf({ failing: ['a'], stillFailing: ['a'] });
    const debt = { source: 'biome', new: 0, fixed: 0, preExisting: 3, firstNew: [] };
    const gates = [
      gate({ outcome: 'pre_existing', exitCode: 1, tests, preExisting: 'block' }),
      gate({
        kind: 'lint',
        name: 'lint',
        outcome: 'pre_existing',
        exitCode: 1,
        diagnostics: debt,
        preExisting: 'block',
      }),
    ];
    const proof = buildProof(evidence({ gates, oracle: oracle({ requiredGates: ['test', 'lint'] }) }));
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['gate_pre_existing', 'gate_pre_existing']);
    expect(proof.knownGaps[1]?.message).toContain('.omk/config.yml sets preExisting: block');
  });

  it('lists blocking findings with their paths, incomplete slices and extra gaps in order', () => {
    const proof = buildProof(
      evidence({
        findings: [finding({ paths: ['.env', 'deploy.yml'] }), finding({ severity: 'warning' })],
        slices: [slice(), slice({ id: 's2', status: 'failed' }), slice({ id: 's3', status: 'skipped' })],
        extraGaps: [{ code: 'integration_conflict', message: 'Slices s1 and s2 conflict in src/app.ts' }],
      }),
    );
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual([
      'blocking_finding',
      'slice_incomplete',
      'integration_conflict',
    ]);
    expect(proof.knownGaps[0]?.message).toContain('.env, deploy.yml');
    expect(proof.knownGaps[1]?.message).toContain('s2');
  });

  it('is never ready without verification', () => {
    expect(codes(evidence({ oracle: oracle({ requiredGates: [] }), gates: [] }))).toEqual(['no_gates']);
    const onlyStale = [gate({ sha: OLD_SHA }), gate({ kind: 'lint', outcome: 'skipped' })];
    expect(codes(evidence({ oracle: oracle({ requiredGates: [] }), gates: onlyStale }))).toEqual([
      'no_gates',
    ]);
    const verified = evidence({ oracle: oracle({ requiredGates: [] }), gates: [gate({ kind: 'lint' })] });
    expect(buildProof(verified).status).toBe('ready');
  });
});

describe('buildProof: copying and determinism', () => {
  it('copies delivery and the rest of the evidence without inferring anything', () => {
    const delivery = {
      acceptance: { at: '2025-01-03T00:00:00.000Z', eventSeq: 18, text: 'looks good' },
      rejection: null,
      cancellation: null,
      merge: { at: '2025-01-03T00:01:00.000Z', eventSeq: 19, sha: HEAD_SHA, target: 'main' },
      pullRequests: [
        { sliceId: null, url: 'https://github.com/o/r/pull/3', number: 3, headSha: HEAD_SHA, checkRunId: 9 },
      ],
      mergeEvaluation: null,
    };
    const e = evidence({ delivery, execution: 'in_progress' });
    const proof = buildProof(e);
    expect(proof.delivery).toEqual(delivery);
    expect(proof.status).toBe('not_ready');
    for (const key of [
      'gates',
      'slices',
      'changedFiles',
      'agentRuns',
      'findings',
      'decisions',
      'budget',
    ] as const) {
      expect(proof[key]).toEqual(e[key]);
    }
    expect(proof.eventsThroughSeq).toBe(17);
    expect(proof.delivery).not.toBe(delivery);
  });

  it('gives byte-identical JSON for equal evidence and does not mutate it', () => {
    const e = evidence({ gates: [gate({ outcome: 'flaky' }), gate({ kind: 'lint', outcome: 'failed' })] });
    const before = JSON.stringify(e);
    expect(JSON.stringify(buildProof(e))).toBe(JSON.stringify(buildProof(structuredClone(e))));
    expect(JSON.stringify(e)).toBe(before);
  });
});

describe('buildProof: property', () => {
  it('never says ready unless the work is verifiably ready (500 random cases)', () => {
    const random = seededRandom(20250102);
    const statuses = { ready: 0, not_ready: 0, failed: 0, blocked_on_human: 0 };
    for (let i = 0; i < 500; i += 1) {
      const e = randomEvidence(random);
      const proof = buildProof(e);
      statuses[proof.status] += 1;
      expect(proofSchema.parse(proof)).toEqual(proof);
      expect(verifyProofDigest(proof)).toBe(true);
      if (proof.status === 'not_ready') expect(proof.knownGaps.length).toBeGreaterThan(0);
      if (proof.status === 'failed') expect(proof.failures.length).toBeGreaterThan(0);
      if (proof.status !== 'ready') continue;
      // An independent reading of "ready", written without looking at how build.ts decides.
      const head = e.git.headSha;
      const requiredGates = e.oracle.requiredGates;
      expect(head).not.toBeNull();
      expect(e.git.baseSha).not.toBeNull();
      expect(e.execution).toBe('complete');
      expect(e.failures).toEqual([]);
      expect(e.findings.some((f) => f.severity === 'blocking')).toBe(false);
      const required = (g: GateEvidence) => g.required || requiredGates.includes(g.kind);
      for (const kind of requiredGates) {
        expect(e.gates.some((g) => g.kind === kind && g.sha === head)).toBe(true);
      }
      for (const name of new Set(e.gates.filter(required).map((g) => `${g.kind}/${g.name}`))) {
        const latest = e.gates.filter((g) => `${g.kind}/${g.name}` === name && g.sha === head).at(-1);
        expect(['passed', 'flaky']).toContain(latest?.outcome);
      }
      const verified = e.gates.some(
        (g) => g.sha === head && (g.outcome === 'passed' || g.outcome === 'flaky'),
      );
      expect(verified).toBe(true);
      // No agent but omk's own demo agent ran where the sandbox fell back.
      const fellBack = e.decisions.some((d) => d.kind === 'sandbox' && d.decision === 'unsandboxed');
      if (fellBack) expect(e.agentRuns.every((run) => run.agent === 'demo')).toBe(true);
    }
    // The generator must actually reach every status, or the property proves nothing.
    expect(Object.values(statuses).every((count) => count > 0)).toBe(true);
  });
});
