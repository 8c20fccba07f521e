import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { NextStep } from '../next-steps.js';
import { buildProof } from './build.js';
import { budgetHonesty, budgetSpentGap, copyGap, gapText } from './gaps.js';
import { proofJsonSchema } from './json-schema.js';
import { renderProofMarkdown } from './render-markdown.js';
import { renderProofText } from './render-text.js';
import type { GateEvidence } from './schema.js';
import { BASE_SHA, evidence, gate, OLD_SHA, oracle, testResults } from './test-evidence.js';

describe('gaps with next steps', () => {
  it('keep the budget gap neutral: the steps are data', () => {
    const gap = budgetSpentGap('tokens', 'g-1');
    expect(gap).toEqual({
      code: 'budget_exhausted',
      message: 'The tokens budget is spent; finished slices are kept.',
      hint: [
        'Extend it with ',
        { step: 'budget_add', goalId: 'g-1', limit: 'tokens' },
        ', then ',
        { step: 'resume', goalId: 'g-1' },
        '.',
      ],
    });
    expect(JSON.stringify(gap)).not.toMatch(/--|omk goal/);
  });

  it('are shown with their steps spelled by the renderer', () => {
    const gap = budgetSpentGap('time', 'g-1');
    expect(gapText(gap, (step) => `<${step.step}>`)).toBe(
      'The time budget is spent; finished slices are kept. Extend it with <budget_add>, then <resume>.',
    );
    expect(gapText({ code: 'x', message: 'y' })).toBe('y');
  });

  it('reach proof.json from execution evidence, valid against the committed JSON Schema', () => {
    const plain = { code: 'integration_conflict', message: 'Slices s1 and s2 conflict' };
    const proof = buildProof(evidence({ extraGaps: [budgetSpentGap('usd', 'g-1'), plain] }));
    expect(proof.knownGaps).toContainEqual(budgetSpentGap('usd', 'g-1'));
    // A gap without a hint has no `hint` key: proofs written before hints hash the same.
    expect(proof.knownGaps.find((gap) => gap.code === 'integration_conflict')).not.toHaveProperty('hint');
    expect(copyGap(plain)).toEqual(plain);
    const validate = new Ajv2020({ strict: false }).compile(proofJsonSchema());
    expect(validate(proof), JSON.stringify(validate.errors)).toBe(true);
  });

  it('are rendered in omk’s own words unless a front door spells them', () => {
    const proof = buildProof(evidence({ extraGaps: [budgetSpentGap('time', 'g-1')] }));
    expect(renderProofText(proof)).toContain("Extend it with 'goal budget-add g-1', then 'goal resume g-1'.");
    const spell = (step: NextStep) => (step.step === 'resume' ? 'RESUME' : 'ADD');
    expect(renderProofMarkdown(proof, spell)).toContain('Extend it with ADD, then RESUME.');
  });
});

describe('budget honesty', () => {
  const run = (agent: string, tokens: number | null, usd: number | null) => ({ agent, tokens, usd });
  const unlimited = { timeMs: null, tokens: null, usd: null };
  const spent = { timeMs: 60_000, tokens: 900, usd: 0.5 };

  it('warns, per agent, when a token or USD budget is set and its usage could not be read', () => {
    const runs = [run('kimi', null, null), run('kimi', 300, null), run('claude', 600, 0.5)];
    const { gaps, warnings } = budgetHonesty({ timeMs: null, tokens: 1_000, usd: 5 }, spent, runs, 'g');
    expect(gaps).toEqual([]);
    expect(warnings).toEqual([
      'usage unknown: the token budget cannot be enforced for agent kimi (1 of 2 run(s) reported no token count; they are not in the spend).',
      'usage unknown: the USD budget cannot be enforced for agent kimi (2 of 2 run(s) reported no cost; they are not in the spend).',
    ]);
  });

  it('says nothing of unread usage when no token or USD budget is set', () => {
    expect(budgetHonesty({ ...unlimited, timeMs: 600_000 }, spent, [run('kimi', null, null)], 'g')).toEqual({
      gaps: [],
      warnings: [],
    });
  });

  it('makes spend beyond a limit a gap, and spend up to it none', () => {
    const over = { timeMs: 125_000, tokens: 1_200, usd: 5.5 };
    const { gaps } = budgetHonesty({ timeMs: 120_000, tokens: 1_000, usd: 5 }, over, [], 'g');
    // Worded as the budget is everywhere else: thousands separated, a budget's dollars whole.
    expect(gaps.map((gap) => gap.message)).toEqual([
      'The time budget is overspent: 2m5s used, over its limit of 2m.',
      'The token budget is overspent: 1,200 tokens used, over its limit of 1,000 tokens.',
      'The USD budget is overspent: $5.50 used, over its limit of $5.00.',
    ]);
    // What settles it, as steps each front door spells.
    expect(gaps.map((gap) => gapText(gap))).toContain(
      "The time budget is overspent: 2m5s used, over its limit of 2m. If the spend was worth it, raise the limit ('goal budget-add g'), then resume the goal ('goal resume g') to settle it.",
    );
    const cents = budgetHonesty(
      { timeMs: null, tokens: null, usd: 0.0025 },
      { ...over, usd: 0.004 },
      [],
      'g',
    );
    expect(cents.gaps[0]?.message).toBe(
      'The USD budget is overspent: $0.004 used, over its limit of $0.0025.',
    );
    const exact = budgetHonesty({ timeMs: 125_000, tokens: 1_200, usd: 5.5 }, over, [], 'g');
    expect(exact.gaps).toEqual([]);
  });

  it('reaches the proof: overspend keeps it from ready, unread usage is a warning that does not', () => {
    const kimi = {
      taskId: 's1',
      attempt: 1,
      agent: 'kimi',
      exitCode: 0,
      outcome: 'succeeded' as const,
      durationMs: 42_000,
      tokens: null,
      usd: 0.12,
      transcript: null,
    };
    const unread = buildProof(evidence({ agentRuns: [kimi] }));
    expect(unread.status).toBe('ready');
    expect(unread.warnings).toContainEqual(
      expect.stringMatching(/^usage unknown: the token budget cannot be enforced for agent kimi /),
    );
    const overspent = buildProof(
      evidence({
        budget: {
          limits: { timeMs: null, tokens: 1_000, usd: null },
          spent: { timeMs: 1, tokens: 1_500, usd: 0 },
        },
      }),
    );
    expect(overspent.status).toBe('not_ready');
    expect(overspent.knownGaps.map((gap) => gap.code)).toEqual(['budget_overspent']);
  });
});

describe('class evidence gaps', () => {
  const testFile = { path: 'test/feature.test.ts', additions: 20, deletions: 0 };
  const source = { path: 'src/feature.ts', additions: 30, deletions: 0 };
  const codesOf = (...args: Parameters<typeof evidence>) =>
    buildProof(evidence(...args)).knownGaps.map((gap) => gap.code);

  it('greenfield: ready only with a new or changed test file and a test gate that passed', () => {
    const greenfield = oracle({ class: 'greenfield', shape: 'spec_acceptance' });
    const ready = buildProof(evidence({ oracle: greenfield, changedFiles: [source, testFile] }));
    expect(ready.status).toBe('ready');
    const noTest = buildProof(evidence({ oracle: greenfield, changedFiles: [source] }));
    expect(noTest.status).toBe('not_ready');
    expect(noTest.knownGaps).toEqual([
      {
        code: 'greenfield_no_new_test',
        message:
          'Greenfield goal with no new test: no test file was added or changed, so nothing shows the new behaviour works.',
      },
    ]);
    const onlyDeleted = { path: 'test/old.test.ts', additions: 0, deletions: 9 };
    expect(codesOf({ oracle: greenfield, changedFiles: [source, onlyDeleted] })).toEqual([
      'greenfield_no_new_test',
    ]);
    // An optional test gate that failed is only a warning; for greenfield it leaves the tests unseen.
    const optionalFailed = gate({ required: false, outcome: 'failed' });
    expect(
      codesOf({
        oracle: oracle({ class: 'greenfield', requiredGates: [] }),
        changedFiles: [source, testFile],
        gates: [optionalFailed, gate({ kind: 'lint' })],
      }),
    ).toEqual(['greenfield_no_new_test']);
  });

  it('performance: a gap with a next step when no benchmark gate exists', () => {
    const performance = oracle({ class: 'performance', shape: 'benchmark' });
    const proof = buildProof(evidence({ goalId: 'g-9', oracle: performance }));
    expect(proof.status).toBe('not_ready');
    const gap = proof.knownGaps.find((entry) => entry.code === 'performance_no_benchmark');
    expect(gap?.message).toMatch(/^Performance goal without a benchmark gate/);
    expect(gap?.hint).toContainEqual({ step: 'run' });
    expect(JSON.stringify(gap)).not.toMatch(/--|omk goal/);
    expect(gapText(gap ?? { code: '', message: '' }, () => 'RUN')).toContain('.omk/config.yml');
    expect(renderProofText(proof)).toContain('Add one in .omk/config.yml');
  });

  it('performance: ready only when the benchmark ran on the base and passed on the head', () => {
    const performance = oracle({ class: 'performance', shape: 'benchmark', requiredGates: ['test'] });
    const headBench = gate({ name: 'bench', kind: 'benchmark' });
    const baseBench = gate({ name: 'bench', kind: 'benchmark', sha: BASE_SHA, outcome: 'failed' });
    const measured = evidence({ oracle: performance, gates: [gate(), headBench], baseGates: [baseBench] });
    expect(buildProof(measured).status).toBe('ready');
    expect(codesOf({ oracle: performance, gates: [gate(), headBench] })).toEqual([
      'performance_not_measured',
    ]);
    const unavailableOnBase = { ...baseBench, outcome: 'unavailable' as const };
    expect(
      codesOf({ oracle: performance, gates: [gate(), headBench], baseGates: [unavailableOnBase] }),
    ).toEqual(['performance_not_measured']);
    const otherBase = { ...baseBench, sha: OLD_SHA };
    expect(codesOf({ oracle: performance, gates: [gate(), headBench], baseGates: [otherBase] })).toEqual([
      'performance_not_measured',
    ]);
    // An optional benchmark that failed on the head shows nothing either.
    const failedHead = { ...headBench, outcome: 'failed' as const };
    expect(codesOf({ oracle: performance, gates: [gate(), failedHead], baseGates: [baseBench] })).toEqual([
      'performance_not_measured',
    ]);
    // A required one that failed is the gate's own failure, not reported twice.
    const requiredFailed = { ...failedHead, required: true };
    const proof = buildProof(
      evidence({ oracle: performance, gates: [gate(), requiredFailed], baseGates: [baseBench] }),
    );
    expect(proof.status).toBe('failed');
    expect(proof.knownGaps).toEqual([]);
  });

  it('hardening: a security gate or the security review must pass on the head', () => {
    const hardening = oracle({ class: 'hardening', shape: 'adversarial', requiredGates: ['test'] });
    expect(codesOf({ oracle: hardening })).toEqual(['hardening_no_security_check']);
    const review = gate({ name: 'security-review', kind: 'security-review', required: true });
    expect(buildProof(evidence({ oracle: hardening, gates: [gate(), review] })).status).toBe('ready');
    const scanner = gate({ name: 'audit', kind: 'security' });
    expect(buildProof(evidence({ oracle: hardening, gates: [gate(), scanner] })).status).toBe('ready');
    const stale = gate({ name: 'audit', kind: 'security', sha: OLD_SHA });
    expect(codesOf({ oracle: hardening, gates: [gate(), stale] })).toEqual(['hardening_no_security_check']);
  });

  it('fix: ready only when a test was seen failing without the fix and passing with it', () => {
    const plan = { kind: 'plan', decision: 'one slice', reason: 'small' };
    expect(codesOf({ oracle: oracle({ class: 'fix' }), changedFiles: [source] })).toEqual([]);
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason: 'the tests already pass on the base (base bbbbbbbbbbbb, head cccccccccccc)',
    };
    const proof = buildProof(evidence({ goalId: 'g-4', decisions: [plan, notShown] }));
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toEqual([
      {
        code: 'fix_no_fail_to_pass',
        message:
          'Fail-to-pass not shown: no test fails without the fix and passes with it (the tests already pass on the base (base bbbbbbbbbbbb, head cccccccccccc)), so nothing shows the fix works.',
        hint: [
          'Add a test that fails without the fix (commit it on the base, or ask for one in the goal), then ',
          { step: 'run' },
          ' again.',
        ],
      },
    ]);
    expect(JSON.stringify(proof.knownGaps)).not.toMatch(/--|omk goal/);
    expect(renderProofText(proof)).toContain('Add a test that fails without the fix');
    // No decision at all (an older execution, or no test gate): still not shown.
    expect(codesOf({ decisions: [plan] })).toEqual(['fix_no_fail_to_pass']);
    // A no-op whose failing test is only pre-existing on the head: never ready.
    const stillFailing = gate({ required: true, outcome: 'pre_existing', exitCode: 1 });
    expect(codesOf({ decisions: [plan, notShown], gates: [stillFailing] })).toContain('fix_no_fail_to_pass');
    // A test gate that failed on the head is its own failure, not reported twice.
    const failed = buildProof(
      evidence({
        decisions: [plan, notShown],
        gates: [gate({ required: true, outcome: 'failed', exitCode: 1 })],
      }),
    );
    expect(failed.status).toBe('failed');
    expect(failed.knownGaps.map((gap) => gap.code)).not.toContain('fix_no_fail_to_pass');
    // An optional one only warns, so the fix is still unshown.
    const optional = gate({ required: false, outcome: 'failed', exitCode: 1 });
    expect(
      codesOf({
        oracle: oracle({ requiredGates: [] }),
        decisions: [plan, notShown],
        gates: [optional, gate({ kind: 'lint' })],
      }),
    ).toEqual(['fix_no_fail_to_pass']);
  });

  it('fix: an empty change or a still-failing base test is told to fix the code, not to add a test', () => {
    const plan = { kind: 'plan', decision: 'one slice', reason: 'small' };
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason: 'no test that failed on the base passes on the head in gate test: t::a failed there',
    };
    const results = testResults({
      source: 'cargo-test',
      passed: 1,
      failing: ['t::a'],
      stillFailing: ['t::a'],
    });
    const stillFailing = gate({ required: true, outcome: 'pre_existing', exitCode: 101, tests: results });
    const hintOf = (changedFiles: { path: string; additions: number; deletions: number }[]) =>
      buildProof(
        evidence({ decisions: [plan, notShown], gates: [stillFailing], changedFiles }),
      ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(hintOf([])).toEqual([
      'The change is empty: the agent changed no file. ',
      { step: 'run' },
      ' again with an agent that makes the fix.',
    ]);
    expect(hintOf([{ path: 'src/lib.rs', additions: 1, deletions: 0 }])).toEqual([
      'The test that fails on the base still fails on the head (t::a): the change does not fix it. ',
      { step: 'run' },
      ' again with an agent that makes it pass.',
    ]);
    // Two tests: the plural throughout.
    const two = {
      ...stillFailing,
      tests: { ...results, failing: ['t::a', 't::b'], stillFailing: ['t::a', 't::b'] },
    };
    const twoHint = buildProof(
      evidence({
        decisions: [plan, notShown],
        gates: [two],
        changedFiles: [{ path: 'src/lib.rs', additions: 1, deletions: 0 }],
      }),
    ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(twoHint).toEqual([
      'The tests that fail on the base still fail on the head (t::a, t::b): the change does not fix them. ',
      { step: 'run' },
      ' again with an agent that makes them pass.',
    ]);
  });

  it("fix: a base run that reported no tests where the head's did is told to check the gate's command on the base", () => {
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason:
        "gate test's run on the base reported no per-test results (it timed out) though its run on the head did",
    };
    const read = testResults({ source: 'tap', baseSha: null, passed: 3 });
    const onHead = gate({ required: true, outcome: 'passed', exitCode: 0, tests: read });
    const timedOut = gate({ required: true, outcome: 'timeout', exitCode: null, sha: BASE_SHA });
    const hintOf = (baseGates: GateEvidence[]) =>
      buildProof(
        evidence({ decisions: [notShown], gates: [onHead], baseGates, changedFiles: [source] }),
      ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(hintOf([timedOut])).toEqual([
      "Nothing was compared per test: the base's run of gate test (it timed out) reported no per-test results though the head's run did, so it ended before reporting (a crash, a timeout, a killed runner). Check the gate's command on base " +
        `${BASE_SHA.slice(0, 12)} (does it run the tests there?), then `,
      { step: 'run' },
      ' again.',
    ]);
    // A base run that reported its tests (or passed) is not that case.
    expect(hintOf([{ ...timedOut, outcome: 'failed', exitCode: 1, tests: read }])?.[0]).toMatch(
      /^Add a test/,
    );
    expect(hintOf([{ ...timedOut, outcome: 'passed', exitCode: 0 }])?.[0]).toMatch(/^Add a test/);
  });

  it('fix: a base test gone from the head is named first, not only the pre-existing failure that still fails', () => {
    // The weak agent edited the failing test's expectation ("1 Byte" → "1 Bytes"): pytest names a
    // parametrized case by its values, so the base's failing case is gone from the head and a new
    // one passes; the only test still failing is one the base already failed, unrelated.
    const plan = { kind: 'plan', decision: 'one slice', reason: 'small' };
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason: 'no test that failed on the base passes on the head in gate test',
    };
    const byte = 'tests/test_filesize.py::test_naturalsize[test_args47-1 Byte]';
    const yb = 'tests/test_filesize.py::test_naturalsize[test_args9-1.0 YB]';
    const results = testResults({
      source: 'pytest',
      passed: 63,
      failing: [yb],
      stillFailing: [yb],
      added: ['tests/test_filesize.py::test_naturalsize[test_args47-1 Bytes]'],
      removed: [byte],
    });
    const tests = gate({ required: true, outcome: 'pre_existing', exitCode: 1, tests: results });
    const hint = buildProof(
      evidence({
        decisions: [plan, notShown],
        gates: [tests],
        changedFiles: [{ path: 'tests/test_filesize.py', additions: 1, deletions: 1 }],
      }),
    ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(hint).toEqual([
      `A test the base ran is gone from the head (${byte}): the change removed or renamed it ` +
        '(a changed parameter or expectation renames a parametrized test); still failing as on the base: ' +
        `${yb}. A fix keeps the base's failing test as it is and makes it pass: restore the test, then `,
      { step: 'run' },
      ' again with an agent that fixes the code.',
    ]);
  });

  it('fix: a failing test that passes on the head only by its own edit asks for the fix, not for a test', () => {
    // The weak agent rewrote the failing test's expectation: it fails on the base and passes on the
    // head, but fail-to-pass.ts does not count it (the change edited it).
    const trims = 'parse trims the text';
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason: `${trims} failed on the base and passes on the head, but the change edited that test itself`,
    };
    const results = testResults({ passed: 2, failToPass: [trims] });
    const hint = buildProof(
      evidence({
        decisions: [{ kind: 'plan', decision: 'one slice', reason: 'small' }, notShown],
        gates: [gate({ required: true, outcome: 'passed', exitCode: 0, tests: results })],
        changedFiles: [{ path: 'test/trim.test.js', additions: 1, deletions: 1 }],
      }),
    ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(hint).toEqual([
      `The test that fails on the base passes on the head only as the change edited it (${trims}). ` +
        "A fix keeps the base's failing test as it is and makes it pass: restore the test, then ",
      { step: 'run' },
      ' again with an agent that fixes the code.',
    ]);
  });

  it('fix: a failing test that passes only by its rewritten golden file asks to restore that file', () => {
    // A real walk: `go test -update` rewrote pkg/wrap/testdata/fill-10.golden to the bug's output.
    const golden = 'example.com/textkit/pkg/wrap::TestFillGolden';
    const notShown = {
      kind: 'oracle',
      decision: 'fail-to-pass not shown',
      reason: `${golden} failed on the base and pass on the head, but the change edited that test itself`,
    };
    const hint = buildProof(
      evidence({
        decisions: [{ kind: 'plan', decision: 'one slice', reason: 'small' }, notShown],
        gates: [
          gate({
            required: true,
            outcome: 'passed',
            exitCode: 0,
            tests: testResults({ passed: 2, failToPass: [golden] }),
          }),
        ],
        changedFiles: [{ path: 'pkg/wrap/testdata/fill-10.golden', additions: 4, deletions: 4 }],
      }),
    ).knownGaps.find((gap) => gap.code === 'fix_no_fail_to_pass')?.hint;
    expect(hint?.[0]).toContain(
      'restore the test and the test data it reads (pkg/wrap/testdata/fill-10.golden), then ',
    );
  });

  it('fix: with nothing integrated (no head), says so, not "add a test that fails without the fix"', () => {
    // Every slice failed its gates: the base's failing test exists, the fix was never judged.
    const pending = {
      id: 's1-fix',
      title: 'Fix',
      status: 'pending' as const,
      branch: 'omk/g/s1-fix',
      headSha: null,
    };
    const proof = buildProof(
      evidence({
        oracle: oracle({ class: 'fix' }),
        git: { baseRef: 'main', baseSha: BASE_SHA, headSha: null },
        gates: [],
        slices: [{ ...pending, attempts: 1, changedFiles: [] }],
        decisions: [{ kind: 'plan', decision: 'one slice', reason: 'small' }],
        sliceFailures: {
          's1-fix': 'gate test failed (exit 1); newly failing tests (they pass on the base): t::b',
        },
      }),
    );
    expect(proof.status).toBe('not_ready');
    // What broke is in the gap, not only in the terminal's progress line.
    expect(proof.knownGaps.at(-1)?.message).toBe(
      'Slice s1-fix "Fix" is not done yet; its last attempt failed: gate test failed (exit 1); newly failing tests (they pass on the base): t::b.',
    );
    expect(Object.keys(proof.slices[0] ?? {})).not.toContain('sliceFailures');
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual([
      'missing_head',
      'gate_missing',
      'slice_incomplete',
    ]);
    expect(renderProofText(proof)).not.toContain('Add a test that fails without the fix');
  });

  it('words each slice that is not done by where it stands: not done yet, failed, still running', () => {
    const slice = (id: string, status: 'pending' | 'failed' | 'running') => ({
      id,
      title: id.toUpperCase(),
      status,
      branch: `omk/g/${id}`,
      headSha: null,
      attempts: 1,
      changedFiles: [],
    });
    const proof = buildProof(
      evidence({
        slices: [
          slice('s1', 'failed'),
          slice('s2', 'failed'),
          slice('s3', 'running'),
          slice('s4', 'pending'),
        ],
        sliceFailures: { s1: 'gate test failed (exit 1).' },
      }),
    );
    expect(
      proof.knownGaps.filter((gap) => gap.code === 'slice_incomplete').map((gap) => gap.message),
    ).toEqual([
      'Slice s1 "S1" has failed: gate test failed (exit 1).',
      'Slice s2 "S2" has failed.',
      'Slice s3 "S3" is still running.',
      'Slice s4 "S4" is not done yet.',
    ]);
  });

  it('adds nothing for rewrite goals, nor before execution completes', () => {
    expect(codesOf({ oracle: oracle({ class: 'rewrite', shape: 'pass_to_pass' }) })).toEqual([]);
    expect(
      codesOf({ oracle: oracle({ class: 'greenfield' }), changedFiles: [source], execution: 'in_progress' }),
    ).toEqual(['execution_in_progress']);
  });
});
