import { describe, expect, it } from 'vitest';
import type { AgentRunResult } from '../agents/port.js';
import { judgeFailureOnBoth } from '../gates/test-verdict.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { unreadOnHeadWords } from '../proof/unread-on-base.js';
import { describeAttemptFailure, failureHeadline, logPath, trimOutput } from './attempt-failure.js';

/** Where a slice's worktree lives beside the goal directory, under the state root. */
const WORKDIR = '/state/worktrees/g/s1';
const succeeded = { outcome: 'succeeded', exitCode: 0, summary: 'ok' } as AgentRunResult;

function gate(name: string, tail: string): GateEvidence {
  return {
    name,
    kind: 'test',
    required: true,
    outcome: 'failed',
    exitCode: 1,
    durationMs: 10,
    sha: 'abc',
    tail,
    artifact: `/state/goals/g/artifacts/gates/abc-${name}.log`,
  };
}

const finding = (message: string, paths: string[], severity: Finding['severity'] = 'blocking'): Finding => ({
  review: 'controller',
  severity,
  message,
  paths,
});

describe('describeAttemptFailure', () => {
  it('is null when nothing blocks', () => {
    expect(
      describeAttemptFailure({
        agent: succeeded,
        findings: [finding('fyi', ['a'], 'info')],
        failingGates: [],
        workdir: WORKDIR,
      }),
    ).toBeNull();
  });

  it('lists every blocking finding with its paths and every failing gate with its output', () => {
    const text = describeAttemptFailure({
      agent: succeeded,
      findings: [
        finding('changed files outside the write set', ['README.md', 'docs/x.md']),
        finding('a secret in the diff', ['src/key.js']),
        finding('only a warning', ['src/w.js'], 'warning'),
      ],
      failingGates: [gate('test', 'not ok 1 - parse keeps text\n# fail 1'), gate('lint', 'src/a.js:1 error')],
      workdir: WORKDIR,
    });
    expect(text).toBe(
      [
        'review found blocking problems:',
        '- [controller review] changed files outside the write set (paths: README.md, docs/x.md)',
        '- [controller review] a secret in the diff (paths: src/key.js)',
        '',
        'gate test failed (exit 1):',
        'not ok 1 - parse keeps text',
        '# fail 1',
        // Relative to the worktree the next agent works in: no directory of this machine.
        '(full output: ../../../goals/g/artifacts/gates/abc-test.log)',
        '',
        'gate lint failed (exit 1):',
        'src/a.js:1 error',
        '(full output: ../../../goals/g/artifacts/gates/abc-lint.log)',
      ].join('\n'),
    );
    expect(text).not.toContain('only a warning');
  });

  it("starts with the agent's own failure", () => {
    const crashed = { outcome: 'failed', exitCode: 3, summary: 'agent exited with code 3' } as AgentRunResult;
    const text = describeAttemptFailure({
      agent: crashed,
      findings: [],
      failingGates: [gate('test', 'boom')],
      workdir: WORKDIR,
    });
    expect(text?.startsWith('agent failed (exit 3): agent exited with code 3\n\ngate test failed')).toBe(
      true,
    );
  });

  it('stays bounded however noisy the gates and findings are', () => {
    const noisy = Array.from({ length: 5_000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n');
    const text =
      describeAttemptFailure({
        agent: succeeded,
        findings: Array.from({ length: 50 }, (_, i) =>
          finding(`problem ${i} ${'y'.repeat(2_000)}`, [`f${i}`]),
        ),
        failingGates: [gate('test', noisy), gate('lint', noisy)],
        workdir: WORKDIR,
      }) ?? '';
    expect(text.length).toBeLessThan(20_000);
    expect(text).toContain('- … and 30 more');
    expect(text).toContain('line 4999');
    expect(text).toContain('(earlier output trimmed) …');
  });

  it('cuts a long finding without splitting the emoji at the cut (no lone surrogate for the agent)', () => {
    const text =
      describeAttemptFailure({
        agent: succeeded,
        findings: [finding(`${'y'.repeat(499)}😀 and the rest`, ['a.js'])],
        failingGates: [],
        workdir: WORKDIR,
      }) ?? '';
    expect(text).toContain(`${'y'.repeat(499)}… (paths: a.js)`);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('logPath', () => {
  it('names a gate log relative to the worktree, and leaves a relative one as it is', () => {
    expect(logPath('/state/goals/g/artifacts/gates/abc-test.log', '/state/worktrees/g/integration')).toBe(
      '../../../goals/g/artifacts/gates/abc-test.log',
    );
    expect(logPath('artifacts/gates/abc-test.log', WORKDIR)).toBe('artifacts/gates/abc-test.log');
  });
});

describe('trimOutput', () => {
  it('keeps short output whole and the end of long output', () => {
    expect(trimOutput('a\nb\n')).toBe('a\nb');
    const long = Array.from({ length: 100 }, (_, i) => `l${i}`).join('\n');
    const trimmed = trimOutput(long);
    expect(trimmed.startsWith('(earlier output trimmed) …\nl40\n')).toBe(true);
    expect(trimmed.endsWith('l99')).toBe(true);
  });
});

describe('describeAttemptFailure: per-test results and diagnostics', () => {
  const counts = {
    passed: 3,
    failed: 2,
    skipped: 0,
    failToPass: 0,
    regressions: 1,
    stillFailing: 1,
    added: 0,
    removed: 0,
  };
  const withTests = (tail: string): GateEvidence => ({
    ...gate('test', tail),
    tests: {
      source: 'tap',
      baseSha: 'base',
      counts,
      failing: ['parse keeps text', 'parse trims the text'],
      failToPass: [],
      regressions: ['parse keeps text'],
      stillFailing: ['parse trims the text'],
      added: [],
      removed: [],
    },
  });

  it('names the tests the attempt broke and the ones still failing, before the output', () => {
    const text = describeAttemptFailure({
      agent: succeeded,
      findings: [],
      failingGates: [withTests('# fail 2')],
      workdir: WORKDIR,
    });
    expect(text).toBe(
      [
        'gate test failed (exit 1):',
        'newly failing tests (they pass on the base):',
        '- parse keeps text',
        'tests still failing (they fail on the base too):',
        '- parse trims the text',
        '# fail 2',
        '(full output: ../../../goals/g/artifacts/gates/abc-test.log)',
      ].join('\n'),
    );
  });

  it('names them even when the output that held them was trimmed away, and bounds the lists', () => {
    const noisy = Array.from({ length: 500 }, (_, i) => `noise ${i}`).join('\n');
    const many = Array.from({ length: 30 }, (_, i) => `case ${i}`);
    const base = withTests(noisy);
    const gateWithMany: GateEvidence = {
      ...base,
      tests: {
        ...(base.tests as NonNullable<GateEvidence['tests']>),
        counts: { ...counts, stillFailing: 75 },
        stillFailing: many,
      },
    };
    const text =
      describeAttemptFailure({
        agent: succeeded,
        findings: [],
        failingGates: [gateWithMany],
        workdir: WORKDIR,
      }) ?? '';
    expect(text).toContain('- parse keeps text');
    expect(text).toContain('- case 19');
    expect(text).not.toContain('- case 20');
    expect(text).toContain('- … and 55 more');
    expect(text).not.toContain('noise 0\n');
  });

  it('names the new diagnostics of a lint gate', () => {
    const lint: GateEvidence = {
      ...gate('lint', 'src/a.js:1:1 no-unused-vars x'),
      kind: 'lint',
      diagnostics: {
        source: 'eslint-stylish',
        new: 1,
        fixed: 0,
        preExisting: 4,
        firstNew: ['src/a.js:1:1 no-unused-vars x'],
      },
    };
    const text = describeAttemptFailure({
      agent: succeeded,
      findings: [],
      failingGates: [lint],
      workdir: WORKDIR,
    });
    expect(text).toContain('new diagnostics (not on the base):\n- src/a.js:1:1 no-unused-vars x\n');
  });
});

describe('failureHeadline', () => {
  const broken = (regressions: string[], total: number): GateEvidence => ({
    ...gate('test', 'FAIL'),
    tests: {
      source: 'go-test-json',
      baseSha: 'base',
      counts: {
        passed: 3,
        failed: total,
        skipped: 0,
        failToPass: 0,
        regressions: total,
        stillFailing: 0,
        added: 0,
        removed: 0,
      },
      failing: regressions,
      failToPass: [],
      regressions,
      stillFailing: [],
      added: [],
      removed: [],
    },
  });
  const failure = (gates: GateEvidence[]) =>
    describeAttemptFailure({ agent: succeeded, findings: [], failingGates: gates, workdir: WORKDIR }) ?? '';

  it('names the tests the change broke, not only "gate test failed (exit 1):"', () => {
    const gates = [broken(['pkg::TestShortHours'], 1)];
    expect(failureHeadline(failure(gates), gates)).toBe(
      'gate test failed (exit 1); newly failing tests (they pass on the base): pkg::TestShortHours',
    );
  });

  it('says which newly failing tests did not run on the base at all, never that they pass there', () => {
    // cargo stopped at the base's failing unit test; the head ran the integration test too.
    const [gate] = [broken(['tests::adds_negatives', 'levenshtein_works'], 2)];
    if (gate?.tests === undefined) throw new Error('no tests');
    const gates = [{ ...gate, tests: { ...gate.tests, added: ['levenshtein_works'] } }];
    expect(failureHeadline(failure(gates), gates)).toBe(
      'gate test failed (exit 1); newly failing tests (they pass on the base): tests::adds_negatives; failing tests the base did not run: levenshtein_works',
    );
    expect(failure(gates)).toContain(
      'newly failing tests (they pass on the base):\n- tests::adds_negatives\nfailing tests the base did not run (new, or never reached there):\n- levenshtein_works\n',
    );
  });

  it('names three and counts the rest', () => {
    const gates = [broken(['a', 'b', 'c', 'd'], 29)];
    expect(failureHeadline(failure(gates), gates)).toBe(
      'gate test failed (exit 1); newly failing tests (they pass on the base): a, b, c and 26 more',
    );
  });

  it('says what failed beyond the tests when every test passed but the run still failed', () => {
    // vitest exits 1 on an unhandled rejection the change left, every test passing (gates/verify.ts).
    const { note, beyondTests } = judgeFailureOnBoth(
      { source: 'vitest', passed: ['a > trims'], failed: [], skipped: 0 },
      { source: 'vitest', passed: [], failed: ['a > trims'], skipped: 0 },
      'bbbbbbbbbbbb',
      { exitCode: 1, tail: 'Unhandled Rejection\nError: cache not warmed\n ❯ src/parser.js:2:16' },
    );
    const gates = [{ ...gate('test', `[omk] ${note}\n Tests  1 passed (1)`), beyondTests }];
    expect(failureHeadline(failure(gates), gates)).toBe(
      'gate test failed (exit 1); every test passes but the run fails beyond them: Unhandled Rejection | Error: cache not warmed',
    );
    // Read from the evidence's field, not the note's words.
    const unsaid = [{ ...gates[0], tail: ' Tests  1 passed (1)' } as GateEvidence];
    expect(failureHeadline(failure(unsaid), unsaid)).toContain('beyond them: Unhandled Rejection');
    // A coverage figure worse than the base's: the thresholds with both figures come first.
    const worse = judgeFailureOnBoth(
      { source: 'vitest', passed: ['a > trims'], failed: [], skipped: 0 },
      { source: 'vitest', passed: [], failed: ['a > trims'], skipped: 0 },
      'bbbbbbbbbbbb',
      { exitCode: 1, tail: 'ERROR: Coverage for lines (35%) does not meet global threshold (80%)' },
      'ERROR: Coverage for lines (35.29%) does not meet global threshold (80%)',
    );
    const lower = [{ ...gate('test', `[omk] ${worse.note}`), beyondTests: worse.beyondTests }];
    expect(failureHeadline(failure(lower), lower)).toBe(
      'gate test failed (exit 1); every test passes but the run fails beyond them: coverage lines below 80% (global): ' +
        '35% here, 35.29% on the base | ERROR: Coverage for lines (35%) does not meet global threshold (80%)',
    );
  });

  it('says the change stopped the tests from running when they ran on the base and not on the head', () => {
    // ts-dedent's `"pretest": "npm run lint"` failing on the change's lint error: npm test ends
    // before the runner starts (gates/verify.ts calls it failed with these words, and says so in its evidence).
    const note = unreadOnHeadWords({ outcome: 'failed', exitCode: 1 }, 'on base bbbbbbbbbbbb');
    const tail = `[omk] ${note}\n> ts-dedent@2.2.0 pretest\n✖ 1 problem (1 error, 0 warnings)`;
    const gates: GateEvidence[] = [{ ...gate('test', tail), stoppedOnHead: true }];
    expect(failureHeadline(failure(gates), gates)).toBe(
      'gate test failed (exit 1); the change stopped its tests from running (they run on the base)',
    );
    // Two such gates are named.
    const two = [...gates, { ...gates[0], name: 'e2e' } as GateEvidence];
    expect(failureHeadline(failure(two), two)).toBe(
      'gate test failed (exit 1); the change stopped the tests of test, e2e from running (they run on the base)',
    );
    // The note's words alone (a tail any output could start with) say nothing.
    const unsaid = [gate('test', tail)];
    expect(failureHeadline(failure(unsaid), unsaid)).toBe('gate test failed (exit 1)');
  });

  it("is the failure's first line when no test regressed, with no colon left hanging", () => {
    const gates = [gate('lint', 'src/a.js:1 error')];
    expect(failureHeadline(failure(gates), gates)).toBe('gate lint failed (exit 1)');
  });

  it("names a lint or format gate's new diagnostics (a workspace member the change broke), not only its exit code", () => {
    // cargo clippy and cargo fmt --check on a workspace whose add_two the change broke.
    const diagnosed = (name: string, firstNew: string[], count: number): GateEvidence => ({
      ...gate(name, firstNew.join('\n')),
      kind: name,
      diagnostics: { source: 'rustc', new: count, fixed: 0, preExisting: 0, firstNew },
    });
    const lint = diagnosed(
      'lint',
      ['add_two/src/lib.rs:2:5 clippy::needless_return unneeded `return` statement'],
      1,
    );
    expect(failureHeadline(failure([lint]), [lint])).toBe(
      'gate lint failed (exit 1); new diagnostics (not on the base): add_two/src/lib.rs:2:5 clippy::needless_return unneeded `return` statement',
    );
    const format = diagnosed('format', ['add_two/src/lib.rs format not formatted'], 1);
    const many = diagnosed('lint', ['a.rs:1:1 x', 'b.rs:1:1 y', 'c.rs:1:1 z'], 7);
    expect(failureHeadline(failure([format, many]), [format, many])).toBe(
      'gate format failed (exit 1); new diagnostics (not on the base): add_two/src/lib.rs format not formatted (format), a.rs:1:1 x (lint), b.rs:1:1 y (lint) and 5 more',
    );
  });

  it('names the first blocking finding when the review blocked the attempt, and counts the others', () => {
    const blocked = (findings: Finding[]) =>
      describeAttemptFailure({ agent: succeeded, findings, failingGates: [], workdir: WORKDIR }) ?? '';
    const edited = finding('The change edits "package.json scripts.test"', ['package.json']);
    expect(failureHeadline(blocked([edited]), [])).toBe(
      'review found blocking problems: [controller review] The change edits "package.json scripts.test" (paths: package.json)',
    );
    const many = Array.from({ length: 25 }, (_, i) => finding(`problem ${i + 1}`, []));
    expect(failureHeadline(blocked(many), [])).toBe(
      'review found blocking problems: [controller review] problem 1 (and 24 more)',
    );
  });
});
