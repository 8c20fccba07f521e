import { describe, expect, it } from 'vitest';
import { buildProof } from './build.js';
import { renderProofMarkdown } from './render-markdown.js';
import { renderProofText } from './render-text.js';
import { evidence, finding, gate, HEAD_SHA, oracle } from './test-evidence.js';

const allOutcomes = evidence({
  execution: 'in_progress',
  oracle: oracle({ requiredGates: ['test', 'lint', 'typecheck', 'format'] }),
  gates: [
    gate({ kind: 'test', outcome: 'passed' }),
    gate({ kind: 'lint', outcome: 'failed', exitCode: 1, tail: 'src/a.ts:1 no-unused' }),
    gate({
      kind: 'typecheck',
      outcome: 'pre_existing',
      exitCode: 2,
      tail: 'TS2322 on base too',
      diagnostics: { source: 'tsc', new: 0, fixed: 0, preExisting: 1, firstNew: [] },
    }),
    // Fails on the base too, but its output could not be read: compared by exit code only.
    gate({ kind: 'lint', name: 'house-style', outcome: 'pre_existing', exitCode: 1, tail: 'unhappy' }),
    gate({ kind: 'format', outcome: 'flaky', tail: 'retry passed' }),
    gate({ kind: 'e2e', outcome: 'timeout', exitCode: null, tail: 'killed after 600 s' }),
    gate({ kind: 'docs', outcome: 'skipped', exitCode: null }),
    gate({ kind: 'style', outcome: 'unavailable', exitCode: null, tail: '[omk] ruff: could not start' }),
  ],
  findings: [finding()],
  delivery: {
    acceptance: null,
    rejection: null,
    cancellation: null,
    merge: null,
    mergeEvaluation: null,
    pullRequests: [
      { sliceId: 's1', url: 'https://github.com/o/r/pull/7', number: 7, headSha: null, checkRunId: null },
    ],
  },
});

describe('renderProofText', () => {
  const text = renderProofText(buildProof(allOutcomes));

  it('leads with the status and shows short SHAs', () => {
    expect(text.split('\n')[0]).toBe('omk proof: NOT_READY (not ready)');
    expect(text).toContain(`Head ${HEAD_SHA.slice(0, 7)}`);
    expect(text).not.toContain(HEAD_SHA);
  });

  it('shows every section a reader needs, ending with the digest', () => {
    for (const part of [
      'Gates (',
      'Slices (1)',
      'Changed files (1)',
      'Known gaps (',
      'Warnings (',
      'Findings (1)',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).toContain('PR #7 https://github.com/o/r/pull/7 (slice s1)');
    expect(text).toMatch(/Budget: time 42\.0 s of 10m, tokens 1,500 of 100,000, cost \$0\.12 of \$5\.00/);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
  });

  it('tells every gate outcome apart and shows the output of the ones that did not pass', () => {
    for (const label of [
      'passed',
      'failed',
      'pre-existing',
      'failing on base too, judged by exit code',
      'flaky',
      'timed out',
      'skipped',
      'could not start',
    ]) {
      expect(text).toMatch(new RegExp(`^ {2}${label} +`, 'm'));
    }
    expect(text).toContain('    TS2322 on base too');
  });

  it('shows failures with their evidence and the human decisions', () => {
    const failed = renderProofText(
      buildProof(evidence({ gates: [gate({ outcome: 'failed', tail: 'boom' })] })),
    );
    expect(failed).toMatch(/Failures \(1\):\n {2}\[gate_failed\].*\n {6}gate test/);
    const blocked = buildProof(
      evidence({ oracle: oracle({ testable: false, humanDecisions: ['Pick a DB'] }) }),
    );
    expect(renderProofText(blocked)).toContain('Human decisions (1):\n  - Pick a DB');
  });

  it('cannot be used to drive the terminal', () => {
    const hostile = renderProofText(
      buildProof(evidence({ goalText: 'x\u001b]0;pwned\u0007\u001b[2J\u202eevil' })),
    );
    for (const unsafe of ['\u001b', '\u0007', '\u202e']) expect(hostile).not.toContain(unsafe);
  });
});

describe('renderProofMarkdown', () => {
  const md = renderProofMarkdown(buildProof(allOutcomes));

  it('has a status heading and a gates table with every outcome distinct', () => {
    expect(md.startsWith('## 🟡 omk proof: not ready\n')).toBe(true);
    expect(md).toContain('| Result | Gate | Kind | Required | SHA | Exit | Time |');
    const cells = md.split('\n').filter((line) => line.startsWith('| ') && /^\| \S+ /.test(line));
    for (const label of [
      '✅ passed',
      '❌ failed',
      '🟠 pre-existing',
      '🟠 failing on base too, judged by exit code',
      '⚠️ flaky',
      '⏱️ timed out',
      '⏭️ skipped',
      '🚫 could not start',
    ]) {
      expect(cells.some((line) => line.startsWith(`| ${label} |`))).toBe(true);
    }
  });

  it('puts gate output in collapsed details', () => {
    expect(md).toContain(
      '<details><summary>Output of lint: failed</summary>\n\n<pre>src/a.ts:1 no-unused</pre>',
    );
    expect(md).not.toContain('Output of test');
  });

  it('links pull requests and lists gaps', () => {
    expect(md).toContain('- [\\#7](https://github.com/o/r/pull/7) (slice `s1`)');
    expect(md).toMatch(/### Known gaps \(\d+\)\n\n- `execution_in_progress` /);
  });

  it('keeps hostile goal text and gate output from breaking the table or injecting HTML', () => {
    const hostileGoal = 'a | b <script>alert(1)</script>\n```\n# Heading @octocat [x](javascript:alert(1))';
    const tail = 'ok\n</pre></details><img src=x onerror=alert(1)>\n| --- |';
    const proof = buildProof(
      evidence({
        goalText: hostileGoal,
        gates: [
          gate({ name: 'a|b`c', outcome: 'flaky', tail }),
          gate({ kind: 'x|y', outcome: 'failed', tail: '' }),
        ],
      }),
    );
    const out = renderProofMarkdown(proof);
    expect(out).not.toMatch(/<script|<img|<\/pre><\/details>|(?<!\\)\]\(javascript/);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('@&#8203;octocat');
    expect(out).toContain('> \\`\\`\\`');
    expect(out).toContain('> \\# Heading');
    expect(out).toContain('\\[x\\](javascript:alert(1))');
    // Each gate row still has exactly 7 cells: no unescaped pipe leaked from user text.
    const rows = out.split('\n').filter((line) => /^\| (✅|⚠️|❌)/.test(line));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(7);
    expect(out).toContain('``a\\|b`c``');
  });

  it('keeps quoted goal lines from becoming lists, headings or rules', () => {
    const out = renderProofMarkdown(
      buildProof(evidence({ goalText: 'Intro\n1. first\n- item\n===\n  + more' })),
    );
    expect(out).toContain('> Intro\n> 1\\. first\n> \\- item\n> \\===\n>   \\+ more\n');
  });

  it('refuses to turn a non-web URL into a link', () => {
    const delivery = {
      ...allOutcomes.delivery,
      pullRequests: [
        { sliceId: null, url: 'javascript:alert(1)', number: 1, headSha: null, checkRunId: null },
      ],
    };
    const out = renderProofMarkdown(buildProof(evidence({ delivery })));
    expect(out).toContain('- \\#1 `javascript:alert(1)`');
  });

  it('cuts long output to its last lines and folds long file lists', () => {
    const tail = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join('\n');
    const changedFiles = Array.from({ length: 150 }, (_, i) => ({
      path: `f${i}.ts`,
      additions: 1,
      deletions: 0,
    }));
    const out = renderProofMarkdown(
      buildProof(evidence({ gates: [gate({ outcome: 'flaky', tail })], changedFiles })),
    );
    expect(out).toContain('(last 50 of 120 lines)\nline 71\n');
    expect(out).not.toContain('line 70\n');
    expect(out).toContain('<details><summary>Changed files (150)</summary>');
    expect(out).toContain('- … and 50 more');
  });

  it('is deterministic', () => {
    expect(renderProofMarkdown(buildProof(allOutcomes))).toBe(md);
  });
});

describe('per-test evidence', () => {
  const counts = {
    passed: 12,
    failed: 2,
    skipped: 1,
    failToPass: 1,
    regressions: 1,
    stillFailing: 1,
    added: 0,
    removed: 0,
  };
  const many = Array.from({ length: 14 }, (_, i) => `tests/test_io.py::test_${i}`);
  const compared = evidence({
    gates: [
      gate({
        kind: 'test',
        outcome: 'failed',
        exitCode: 1,
        tests: {
          source: 'pytest',
          baseSha: 'b'.repeat(40),
          counts: { ...counts, regressions: 14 },
          failing: [...many, 'tests/test_x.py::test_old'],
          failToPass: ['tests/test_x.py::test_y'],
          regressions: many,
          stillFailing: ['tests/test_x.py::test_old'],
          added: [],
          removed: [],
        },
      }),
      gate({ kind: 'test', name: 'e2e', outcome: 'pre_existing', exitCode: 1, tail: 'Segmentation fault' }),
      gate({ kind: 'lint', outcome: 'passed' }),
    ],
  });

  it('names fail→pass, regressions and still-failing tests in the text proof', () => {
    const text = renderProofText(buildProof(compared));
    expect(text).toContain(
      'tests of test: 12 passed, 2 failed, 1 skipped (pytest, compared with base bbbbbbb)',
    );
    expect(text).toContain('    fail→pass: tests/test_x.py::test_y');
    expect(text).toContain(`    regression: ${many.slice(0, 10).join(', ')} and 4 more`);
    expect(text).toContain('    still failing: tests/test_x.py::test_old');
    expect(text).not.toContain('    new:');
    expect(text).toContain(
      'tests of e2e: no per-test results could be read from its output; judged by its exit code',
    );
    expect(text).not.toContain('tests of lint');
  });

  it('names them in the Markdown proof as code', () => {
    const markdown = renderProofMarkdown(buildProof(compared));
    expect(markdown).toContain('- fail→pass: `tests/test_x.py::test_y`');
    expect(markdown).toContain('- still failing: `tests/test_x.py::test_old`');
    expect(markdown).toMatch(
      /\*\*Tests of `test`:\*\* 12 passed, 2 failed, 1 skipped \(pytest, compared with base bbbbbbb\)/,
    );
  });

  it("labels a tolerated gate's old failures pre-existing, and shows new and pre-existing diagnostics", () => {
    const debt = {
      source: 'biome',
      new: 7,
      fixed: 1,
      preExisting: 4,
      firstNew: ['src/a.js:3:7 lint/style/useConst This let declares a variable that is only assigned once.'],
    };
    const proof = buildProof(
      evidence({
        gates: [
          gate({
            outcome: 'pre_existing',
            exitCode: 1,
            tests: {
              source: 'pytest',
              baseSha: 'b'.repeat(40),
              counts: { ...counts, failed: 1, regressions: 0 },
              failing: ['tests/test_x.py::test_old'],
              failToPass: ['tests/test_x.py::test_y'],
              regressions: [],
              stillFailing: ['tests/test_x.py::test_old'],
              added: [],
              removed: [],
            },
          }),
          gate({ kind: 'lint', name: 'lint', outcome: 'failed', exitCode: 1, diagnostics: debt }),
          gate({
            kind: 'format',
            name: 'format',
            outcome: 'pre_existing',
            exitCode: 1,
            diagnostics: { source: 'format-check', new: 0, fixed: 0, preExisting: 2, firstNew: [] },
          }),
        ],
        oracle: oracle({ requiredGates: ['test', 'lint', 'format'] }),
      }),
    );
    const text = renderProofText(proof);
    expect(text).toContain('    pre-existing: tests/test_x.py::test_old');
    expect(text).not.toContain('still failing: tests/test_x.py::test_old');
    expect(text).toContain(
      'diagnostics of lint: 7 new, 4 pre-existing, 1 fixed (biome, compared with the base)',
    );
    expect(text).toContain(`    new: ${debt.firstNew[0]} and 6 more`);
    expect(text).toContain(
      'diagnostics of format: 0 new, 2 pre-existing, 0 fixed (format-check, compared with the base)',
    );
    const markdown = renderProofMarkdown(proof);
    expect(markdown).toContain('- pre-existing: `tests/test_x.py::test_old`');
    expect(markdown).toMatch(/\*\*Diagnostics of `lint`:\*\* 7 new, 4 pre-existing, 1 fixed/);
    expect(markdown).toContain('- new: `src/a.js:3:7 lint/style/useConst');
  });

  it('lists the failing tests when there was no base to compare with', () => {
    const alone = evidence({
      gates: [
        gate({
          outcome: 'failed',
          exitCode: 1,
          tests: {
            source: 'cargo-test',
            baseSha: null,
            counts: { ...counts, failToPass: 0, regressions: 0, stillFailing: 0, failed: 1 },
            failing: ['tests::wrong'],
            failToPass: [],
            regressions: [],
            stillFailing: [],
            added: [],
            removed: [],
          },
        }),
      ],
    });
    const text = renderProofText(buildProof(alone));
    expect(text).toContain('(cargo-test, no base results to compare with)');
    expect(text).toContain('    failing: tests::wrong');
  });
});

describe('a goal whose agents ran with the sandbox off', () => {
  const decisions = [
    { kind: 'plan', decision: 'one slice', reason: 'the fix touches one file' },
    { kind: 'sandbox', decision: 'off', reason: 'sandbox: off; the sandbox is off' },
  ];
  const off = buildProof(evidence({ gates: [gate()], decisions }));
  const confined = buildProof(
    evidence({
      gates: [gate()],
      decisions: [{ kind: 'sandbox', decision: 'sandboxed', reason: 'sandbox: auto; bubblewrap' }],
    }),
  );
  const NOTE = "Agents and gates ran unsandboxed: sandbox off, by the user's choice";

  it('says so in one line of the text and the Markdown proof, a note that changes no verdict', () => {
    expect(off.status).toBe(confined.status);
    expect(off.warnings).toEqual([]);
    const text = renderProofText(off).split('\n');
    expect(text.filter((line) => line.includes(NOTE))).toHaveLength(1);
    expect(text.findIndex((line) => line.includes(NOTE))).toBe(
      text.findIndex((line) => line.startsWith('Required gates:')) + 1,
    );
    expect(renderProofMarkdown(off)).toContain(`| Sandbox | ${NOTE}`);
  });

  it('says nothing of it when the agents ran confined', () => {
    expect(renderProofText(confined)).not.toContain('unsandboxed');
    expect(renderProofMarkdown(confined)).not.toContain('| Sandbox |');
  });
});
