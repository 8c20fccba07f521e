import { describe, expect, it } from 'vitest';
import type { PlannedPr } from './plan.js';
import { renderDeliveryPlanMarkdown } from './plan-markdown.js';

function pull(overrides: Partial<PlannedPr>): PlannedPr {
  return {
    kind: 'slice',
    sliceId: 's1',
    branch: 'omk/g-abc123/s1',
    headSha: 'd'.repeat(40),
    base: 'main',
    title: 'omk: guard the config',
    body: 'the slice body',
    labels: ['omk', 'omk:slice'],
    draft: true,
    readyForReview: null,
    checkRun: {
      name: 'omk/proof',
      headSha: 'd'.repeat(40),
      conclusion: 'neutral',
      title: 'not ready',
      summary: '',
      annotations: [],
      externalId: 'g-abc123:s1:d',
    },
    ...overrides,
  };
}

describe('renderDeliveryPlanMarkdown', () => {
  it('shows every PR with its branch, labels, draft state, check run and body, then what is skipped', () => {
    const out = renderDeliveryPlanMarkdown({
      goalId: 'g-abc123',
      policy: 'draft-pr',
      base: 'main',
      pulls: [
        pull({}),
        pull({ kind: 'integrator', sliceId: null, branch: 'omk/g-abc123/integration', body: 'all' }),
      ],
      skipped: [{ sliceId: 's2', reason: 'no commits' }],
      kept: [],
    });
    expect(out).toMatch(/^# omk open-pr, dry run: g-abc123\n\nPolicy `draft-pr`, base `main`, 2 PR\(s\)\.\n/);
    expect(out).toContain('## Slice PR s1\n\n- branch: `omk/g-abc123/s1` at `dddd');
    expect(out).toContain('- labels: `omk`, `omk:slice`\n- draft: true\n');
    expect(out).toContain('- check run: `omk/proof` neutral (0 annotations)\n\n### Body\n\nthe slice body\n');
    expect(out).toContain('## Integrator PR\n\n- branch: `omk/g-abc123/integration`');
    expect(out.endsWith('\nSkipped s2: no commits\n')).toBe(true);
    expect(out).not.toContain('ready for review');
  });

  it('says which recorded draft PR an auto-pr delivery would mark ready for review', () => {
    const out = renderDeliveryPlanMarkdown({
      goalId: 'g-abc123',
      policy: 'auto-pr',
      base: 'main',
      pulls: [
        pull({ draft: false, readyForReview: { number: 4, recordedDraft: true } }),
        pull({ sliceId: 's2', draft: false, readyForReview: { number: 5, recordedDraft: null } }),
        pull({ kind: 'integrator', sliceId: null, draft: false }),
      ],
      skipped: [],
      kept: [],
    });
    expect(out).toContain(
      '- draft: false\n- ready for review: would mark #4 ready for review (a draft when last delivered)\n',
    );
    expect(out).toContain('- ready for review: would mark #5 ready for review if it is a draft\n');
    expect(out.match(/ready for review:/g)).toHaveLength(2);
  });
});
