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
    });
    expect(out).toMatch(/^# omk open-pr, dry run: g-abc123\n\nPolicy `draft-pr`, base `main`, 2 PR\(s\)\.\n/);
    expect(out).toContain('## Slice PR s1\n\n- branch: `omk/g-abc123/s1` at `dddd');
    expect(out).toContain('- labels: `omk`, `omk:slice`\n- draft: true\n');
    expect(out).toContain('- check run: `omk/proof` neutral (0 annotations)\n\n### Body\n\nthe slice body\n');
    expect(out).toContain('## Integrator PR\n\n- branch: `omk/g-abc123/integration`');
    expect(out.endsWith('\nSkipped s2: no commits\n')).toBe(true);
  });
});
