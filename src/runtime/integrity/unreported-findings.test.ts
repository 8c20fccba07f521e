import { describe, expect, it } from 'vitest';
import { strayFindings } from './findings.js';
import { leftoverKey } from './gate-leftovers.js';

const WT = '/state/worktrees/g-1/s1-fix';

describe("a sandbox's report that did not complete", () => {
  it('blocks, saying omk could not tell what the run left, not that it left nothing', () => {
    const findings = strayFindings(
      { checked: true, killed: [{ pid: 0, command: '', endedBy: 'sandbox', unreported: true }] },
      'agent',
      { checkout: WT },
    );
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'blocking',
        message: expect.stringMatching(
          /^omk could not tell what the agent left in its sandbox: its report did not complete/,
        ),
      }),
    ]);
    expect(findings[0]?.message).not.toContain('process 0');
  });

  it("is never taken for a gate leftover the base's gates also left", () => {
    const findings = strayFindings(
      { checked: true, killed: [{ pid: 0, command: '', endedBy: 'sandbox', unreported: true }] },
      'gates',
      { checkout: WT, baseLeftBehind: [leftoverKey('', WT)] },
    );
    expect(findings.map((f) => f.severity)).toEqual(['blocking']);
    expect(findings[0]?.message).toMatch(/^omk could not tell what the gates \(code the agent wrote\) left/);
  });
});
