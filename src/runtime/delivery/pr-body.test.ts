import { describe, expect, it } from 'vitest';
import { PROOF_STATUSES } from '../goal/schema.js';
import { buildProof } from '../proof/build.js';
import { evidence, finding, gate, oracle } from '../proof/test-evidence.js';
import {
  labelsFor,
  OMK_STATUS_LABELS,
  renderIntegratorPrBody,
  renderIntegratorTitle,
  renderSlicePrBody,
  renderSliceTitle,
  shortGoalId,
} from './pr-body.js';
import { readProofBlock } from './proof-block.js';
import { goalRecord, integratorInput, notReadyProof, SLICE_SHA, sliceInput, task } from './test-delivery.js';

const HOSTILE =
  'Fix | pipes | here <script>alert(1)</script> --> <!-- @org/team and @alice `rm -rf /` ``x`` ' +
  'zero\u200bwidth\u200d\ufeff bidi\u202e reversed\n# heading\n- [link](javascript:alert(1)) ![img](http://x/y.png)';

describe('renderSlicePrBody', () => {
  const body = renderSlicePrBody(sliceInput());

  it('is deterministic', () => {
    expect(renderSlicePrBody(sliceInput())).toBe(body);
  });

  it('has every section in order, the proof block last', () => {
    const order = [
      '## 🟡 omk slice: Guard the empty config',
      '### Goal',
      '### This slice',
      '| Owner role | backend |',
      '| Write scope | `src/config` |',
      `| Branch | \`omk/fix-the-crash-3fa9c1/s1\` |`,
      `| Head | \`${SLICE_SHA}\` |`,
      '### Gates on this slice (2)',
      '### Changed files (1, +4 −1)',
      '### Known gaps (2)',
      '### Decisions (2)',
      '### Related pull requests',
      '- Integrator: integrator pull request (not opened yet)',
      '- Slice `s2`: [Document the defaults](https://github.com/o/r/pull/8)',
    ];
    const positions = order.map((part) => body.indexOf(part));
    expect(
      positions.every((position) => position >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body.trimEnd()).toMatch(/<!-- omk:proof v1 [A-Za-z0-9_-]+ -->$/);
    expect(readProofBlock(body)).toMatchObject({ found: true, form: 'full', valid: true });
  });

  it('tells every gate outcome apart', () => {
    const outcomes = ['passed', 'failed', 'pre_existing', 'flaky', 'timeout', 'skipped'] as const;
    // Pre-existing diagnostic by diagnostic; a second failing-on-base gate compared by exit code only.
    const debt = { source: 'biome', new: 0, fixed: 0, preExisting: 2, firstNew: [] };
    const gates = [
      ...outcomes.map((outcome) =>
        gate({
          name: outcome,
          outcome,
          sha: SLICE_SHA,
          tail: `${outcome} out`,
          ...(outcome === 'pre_existing' ? { kind: 'lint', diagnostics: debt } : {}),
        }),
      ),
      gate({ name: 'style', kind: 'lint', outcome: 'pre_existing', sha: SLICE_SHA, tail: 'style out' }),
    ];
    const input = sliceInput();
    const rendered = renderSlicePrBody({ ...input, slice: { ...input.slice, gates } });
    for (const label of [
      '✅ passed',
      '❌ failed',
      '🟠 pre-existing',
      '🟠 failing on base too, judged by exit code',
      '⚠️ flaky',
      '⏱️ timed out',
      '⏭️ skipped',
    ]) {
      expect(rendered).toContain(`| ${label} |`);
    }
    expect(rendered).toContain('Output of style: failing on base too, judged by exit code');
    expect(rendered).toContain('<pre>timeout out</pre>');
    expect(rendered).not.toContain('<pre>passed out</pre>');
  });

  it('lists the slice findings, dependencies and every known gap and failure of the goal', () => {
    const proof = buildProof(
      evidence({
        findings: [finding()],
        failures: [{ code: 'crash', message: 'agent crashed', evidence: 'sig 9' }],
      }),
    );
    const input = sliceInput({ proof });
    const rendered = renderSlicePrBody({
      ...input,
      slice: { ...input.slice, task: task({ dependsOn: ['s0', 'base'] }), findings: [finding()] },
    });
    expect(rendered).toContain('| Depends on | `s0`, `base` |');
    expect(rendered).toContain('### Review findings (1)');
    expect(rendered).toContain('- `blocking_finding` Blocking security review finding');
    expect(rendered).toContain('### Failures (1)');
    expect(rendered).toContain('- `crash` agent crashed');
    expect(rendered).toContain('<pre>sig 9</pre>');
  });

  it('escapes hostile goal text: no HTML, no mentions, no table or comment break-out', () => {
    const proof = buildProof(evidence({ goalText: HOSTILE }));
    const rendered = renderSlicePrBody(sliceInput({ goal: goalRecord(HOSTILE), proof }));
    const human = rendered.slice(0, rendered.lastIndexOf('<!-- omk:proof'));
    expect(human).not.toMatch(/<script|<!--|-->|@org|@alice/);
    expect(human).toContain('@&#8203;org/team');
    expect(human).toContain('Fix \\| pipes \\| here');
    expect(human).toContain('\\`rm -rf /\\`');
    expect(human).toContain('> \\# heading');
    expect(human).toContain('\\[link\\](javascript:alert(1)) !\\[img\\](http://x/y.png)');
    for (const hidden of ['\u200b', '\u200d', '\ufeff', '\u202e']) expect(human).not.toContain(hidden);
    expect(human).toContain('zero\ufffdwidth\ufffd\ufffd bidi\ufffd');
    expect(readProofBlock(rendered)).toMatchObject({ valid: true, proof: { goal: { text: HOSTILE } } });
  });

  it('keeps hostile names inside their table cells and code spans', () => {
    const input = sliceInput();
    const rendered = renderSlicePrBody({
      ...input,
      slice: {
        ...input.slice,
        task: task({ ownerRole: 'a | b', writes: ['src/a|b', 'x`y'] }),
        gates: [gate({ name: 'lint | x', sha: SLICE_SHA })],
      },
      siblings: [{ id: 's2', title: '[t](javascript:x)', url: 'javascript:alert(1)' }],
    });
    expect(rendered).toContain('| Owner role | a \\| b |');
    expect(rendered).toContain('| Write scope | `src/a\\|b`, ``x`y`` |');
    expect(rendered).toContain('| `lint \\| x` |');
    expect(rendered).toContain('- Slice `s2`: \\[t\\](javascript:x) `javascript:alert(1)`');
  });
});

describe('per-test evidence in PR bodies', () => {
  it('names fail→pass and regressions under the slice gates', () => {
    const tests = {
      source: 'pytest',
      baseSha: 'b'.repeat(40),
      counts: {
        passed: 3,
        failed: 1,
        skipped: 0,
        failToPass: 1,
        regressions: 1,
        stillFailing: 0,
        added: 0,
        removed: 0,
      },
      failing: ['tests/test_b.py::test_other'],
      failToPass: ['tests/test_a.py::test_target'],
      regressions: ['tests/test_b.py::test_other'],
      stillFailing: [],
      added: [],
      removed: [],
    };
    const input = sliceInput();
    const body = renderSlicePrBody({
      ...input,
      slice: { ...input.slice, gates: [gate({ sha: SLICE_SHA, outcome: 'failed', exitCode: 1, tests })] },
    });
    expect(body).toContain('- fail→pass: `tests/test_a.py::test_target`');
    expect(body).toContain('- regression: `tests/test_b.py::test_other`');
  });
});

describe('renderIntegratorPrBody', () => {
  const body = renderIntegratorPrBody(integratorInput());

  it('shows every slice PR with its status, the gates on the integrated head, gaps and the merge policy', () => {
    for (const part of [
      '## 🟡 omk integration: not ready',
      '| done | `s1` | Guard the empty config | [pull request](https://github.com/o/r/pull/7) |',
      '| running | `s2` | Document the defaults | pull request (not opened yet) |',
      '### Gates on head `ccccccc` (2)',
      '### Known gaps (2)',
      '- Delivery `draft-pr`: pull requests are opened as drafts.',
      '- Merge `gated`: omk merges only when the proof is ready',
    ]) {
      expect(body).toContain(part);
    }
    expect(renderIntegratorPrBody(integratorInput())).toBe(body);
    expect(readProofBlock(body)).toMatchObject({ form: 'full', valid: true });
  });

  it("states the policy the PRs are opened under, not the goal's local one", () => {
    const goal = goalRecord();
    const local = { ...goal, options: { ...goal.options, policy: 'local' as const } };
    const drafted = renderIntegratorPrBody(integratorInput({ goal: local, policy: 'draft-pr' }));
    expect(drafted).toContain('- Delivery `draft-pr`: pull requests are opened as drafts.');
    expect(drafted).not.toContain('opens no pull request');
    const opened = renderIntegratorPrBody(integratorInput({ goal: local, policy: 'auto-pr' }));
    expect(opened).toContain('- Delivery `auto-pr`: pull requests are opened ready for review.');
  });
});

describe('titles', () => {
  it('names the slice, the goal suffix and the slice id', () => {
    expect(renderSliceTitle(sliceInput())).toBe('omk: Guard the empty config [3fa9c1/s1]');
    expect(renderIntegratorTitle(integratorInput())).toBe(
      'omk: Fix the crash when the config file is empty [3fa9c1]',
    );
    expect(shortGoalId('no-suffix-here')).toBe('no-suffix-he');
  });

  it('is one line of at most 256 characters, however long or odd the title', () => {
    const input = sliceInput();
    const long = {
      ...input,
      slice: { ...input.slice, task: task({ title: `a\nb\u200b\u0007${'😀'.repeat(400)}` }) },
    };
    const title = renderSliceTitle(long);
    expect(title.length).toBeLessThanOrEqual(256);
    expect(title).toMatch(/^omk: a b 😀+… \[3fa9c1\/s1\]$/u);
    for (const hidden of ['\n', '\u200b', '\u0007']) expect(title).not.toContain(hidden);
    expect(encodeURIComponent(title)).toBeTruthy(); // throws on a lone surrogate
    expect(renderIntegratorTitle({ goal: goalRecord('   ') })).toBe('omk: untitled [3fa9c1]');
  });
});

describe('labelsFor', () => {
  it.each([
    ['ready', 'omk:proof-ready'],
    ['not_ready', 'omk:not-ready'],
    ['failed', 'omk:failed'],
    ['blocked_on_human', 'omk:blocked'],
  ] as const)('labels a %s proof %s', (status, label) => {
    expect(labelsFor('draft-pr', status, 'slice')).toEqual(['omk', 'omk:slice', label]);
    expect(labelsFor('auto-pr', status, 'integrator')).toEqual(['omk', 'omk:integrator', label]);
    expect(labelsFor('local', status, 'slice')).toEqual([]);
  });

  it('exports every status label so stale ones can be removed', () => {
    expect(OMK_STATUS_LABELS).toHaveLength(PROOF_STATUSES.length);
    expect(new Set(PROOF_STATUSES.map((status) => labelsFor('draft-pr', status, 'slice')[2]))).toEqual(
      new Set(OMK_STATUS_LABELS),
    );
  });

  it('uses the proof status, which a not-testable goal makes blocked', () => {
    const proof = buildProof(evidence({ oracle: oracle({ testable: false }) }));
    expect(labelsFor('draft-pr', proof.status, 'slice')).toContain('omk:blocked');
  });
});

describe('the PR bodies of a goal whose agents ran with the sandbox off', () => {
  const offProof = () => {
    const proof = notReadyProof();
    return {
      ...proof,
      decisions: [
        ...proof.decisions,
        { kind: 'sandbox', decision: 'off', reason: 'sandbox: off; the sandbox is off' },
      ],
    };
  };
  const NOTE = "Agents and gates ran unsandboxed: sandbox off, by the user's choice";

  it('say so in their header, before the goal; not when the agents ran confined', () => {
    for (const body of [
      renderSlicePrBody(sliceInput({ proof: offProof() })),
      renderIntegratorPrBody(integratorInput({ proof: offProof() })),
    ]) {
      expect(body.indexOf(NOTE)).toBeGreaterThan(0);
      expect(body.indexOf(NOTE)).toBeLessThan(body.indexOf('### Goal'));
    }
    expect(renderSlicePrBody(sliceInput())).not.toContain('ran unsandboxed');
    expect(renderIntegratorPrBody(integratorInput())).not.toContain('ran unsandboxed');
  });
});
