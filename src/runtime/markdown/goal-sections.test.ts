import { describe, expect, it } from 'vitest';
import { goalRecord } from '../delivery/test-delivery.js';
import { buildProof } from '../proof/build.js';
import type { Proof } from '../proof/schema.js';
import { evidence, gate, slice } from '../proof/test-evidence.js';
import {
  dryRunSection,
  finalSummary,
  gatesLine,
  notesList,
  pullRequestsTable,
  slicesTable,
  wavesTable,
} from './goal-sections.js';

function proof(): Proof {
  const built = buildProof(
    evidence({
      slices: [slice({ id: 's1', title: 'Guard <b>the</b> config' })],
      gates: [
        gate({ name: 'test', outcome: 'passed' }),
        gate({ name: 'lint', required: false, outcome: 'failed' }),
      ],
    }),
  );
  return {
    ...built,
    delivery: {
      ...built.delivery,
      pullRequests: [
        { sliceId: 's1', number: 7, url: 'https://github.com/o/r/pull/7', headSha: null, checkRunId: null },
        { sliceId: null, number: 8, url: 'https://github.com/o/r/pull/8', headSha: null, checkRunId: null },
      ],
    },
  };
}

describe('goal sections', () => {
  it('tables each slice with its PR and the integrator, escaping titles', () => {
    const lines = slicesTable(proof()).join('\n');
    expect(lines).toContain('| `s1` | Guard &lt;b&gt;the&lt;/b&gt; config |');
    expect(lines).toContain('| done | 1 | [\\#7](https://github.com/o/r/pull/7) |');
    expect(lines).toContain('| integration | all slices | – | – | [\\#8](https://github.com/o/r/pull/8) |');
    expect(pullRequestsTable(proof())).toContain('| integrator | [\\#8](https://github.com/o/r/pull/8) |');
  });

  it('marks optional gates and leaves out empty sections', () => {
    expect(gatesLine(proof()).join('\n')).toMatch(/`lint` failed \(optional\)/);
    const byExitCode = buildProof(
      evidence({ gates: [gate({ kind: 'lint', outcome: 'pre_existing', exitCode: 1, required: true })] }),
    );
    expect(gatesLine(byExitCode).join('\n')).toContain('`lint` failing on base too, judged by exit code');
    const empty = buildProof(evidence({ slices: [], gates: [] }));
    expect([...slicesTable(empty), ...gatesLine(empty), ...pullRequestsTable(empty)]).toEqual([]);
    expect([...wavesTable([]), ...notesList([])]).toEqual([]);
  });

  it('says how a goal ended and escapes notes and wave titles', () => {
    const summary = finalSummary(goalRecord(), proof()).join('\n');
    expect(summary).toContain('#### Final summary');
    expect(summary).toMatch(/- Outcome: not ready, proof /);
    expect(notesList(['@someone <script>'], 'Notes')).toEqual([
      '',
      '### Notes',
      '',
      expect.stringContaining('&lt;script&gt;'),
    ]);
    expect(wavesTable([{ wave: 0, slice: 's1', title: '*bold*' }]).at(-1)).toBe('| 0 | `s1` | \\*bold\\* |');
  });

  it('lists what a dry run would open, what it skips and what it keeps local', () => {
    const lines = dryRunSection({
      policy: 'draft-pr',
      base: 'main',
      pulls: [],
      skipped: [{ sliceId: 's2', reason: 'no commits' }],
      kept: [
        {
          sliceId: null,
          branch: 'omk/g/integration',
          code: 'blocked_for_security',
          findings: ['Workflow change in ".github/workflows/x.yml".'],
          paths: ['.github/workflows/x.yml'],
          slices: [],
        },
      ],
    } as unknown as Parameters<typeof dryRunSection>[0]).join('\n');
    expect(lines).toContain('0 pull request(s) open-pr would open or update');
    expect(lines).toContain('Skipped `s2`: no commits');
    expect(lines).toContain(
      'Kept `integrator`: kept omk/g/integration on this machine, not pushed: its head holds a change the security review blocks',
    );
  });

  it('shows a recorded draft an auto-pr delivery would mark ready in the Draft column', () => {
    const pull = (sliceId: string, readyForReview: { number: number; recordedDraft: true } | null) => ({
      kind: 'slice',
      sliceId,
      branch: `omk/g/${sliceId}`,
      headSha: 'd'.repeat(40),
      title: sliceId,
      labels: [],
      draft: false,
      readyForReview,
      checkRun: { conclusion: 'success' },
    });
    const lines = dryRunSection({
      policy: 'auto-pr',
      base: 'main',
      pulls: [pull('s1', { number: 4, recordedDraft: true }), pull('s2', null)],
      skipped: [],
      kept: [],
    } as unknown as Parameters<typeof dryRunSection>[0]);
    expect(lines.filter((line) => line.startsWith('| slice'))).toEqual([
      expect.stringMatching(
        / \| no: would mark #4 ready for review \(a draft when last delivered\) \| success \|$/,
      ),
      expect.stringMatching(/ \| no \| success \|$/),
    ]);
  });
});
