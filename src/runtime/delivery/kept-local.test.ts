import { describe, expect, it } from 'vitest';
import {
  type ExecutionStateRecord,
  emptyExecution,
  sliceRecord,
  withSlice,
} from '../controller/execution-state.js';
import { securityReview } from '../review/security.js';
import { keptBranchText, keptIntegration, keptSlice } from './kept-local.js';

const WORKFLOW_DIFF = [
  'diff --git a/.github/workflows/x.yml b/.github/workflows/x.yml',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/.github/workflows/x.yml',
  '@@ -0,0 +1 @@',
  '+on: push',
  '',
].join('\n');

/** The security review of a change adding a workflow, with the plan allowing it or not. */
function workflowReview(allowed: readonly string[]) {
  return securityReview({
    taskId: 's1',
    writes: ['.'],
    allowedProtectedPaths: allowed,
    changedFiles: [{ path: '.github/workflows/x.yml', additions: 1, deletions: 0 }],
    diff: WORKFLOW_DIFF,
    gates: [],
  });
}

function withSliceFindings(findings: ReturnType<typeof workflowReview>): ExecutionStateRecord {
  const execution = emptyExecution();
  return withSlice(execution, {
    ...sliceRecord(execution, 's1'),
    branch: 'omk/g/s1',
    headSha: 'a1',
    findings,
  });
}

function withIntegration(execution: ExecutionStateRecord, merged: string[]): ExecutionStateRecord {
  return {
    ...execution,
    integration: { branch: 'omk/g/integration', workspace: '/w', headSha: 'b2', merged, conflict: null },
  };
}

describe('which branches delivery keeps local', () => {
  it('keeps a slice branch whose workflow change the plan does not allow, naming the path', () => {
    const kept = keptSlice(withSliceFindings(workflowReview([])), 's1', 'omk/g/s1');
    expect(kept).toMatchObject({
      sliceId: 's1',
      code: 'blocked_for_security',
      paths: ['.github/workflows/x.yml'],
    });
    expect(kept?.findings[0]).toMatch(/^Workflow change in "\.github\/workflows\/x\.yml"/);
    expect(keptBranchText(kept ?? fail())).toMatch(/^kept omk\/g\/s1 on this machine, not pushed: .*x\.yml/);
  });

  it('keeps a workflow change the goal was created to make until a person accepted the goal, then pushes it', () => {
    const findings = workflowReview(['.github/workflows']);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([['info', 'workflow_edited']]);
    const execution = withIntegration(withSliceFindings(findings), ['omk/g/s1']);
    const kept = keptSlice(execution, 's1', 'omk/g/s1');
    expect(kept).toEqual({
      sliceId: 's1',
      branch: 'omk/g/s1',
      code: 'awaits_acceptance',
      findings: [],
      paths: ['.github/workflows/x.yml'],
      slices: [],
    });
    expect(keptBranchText(kept ?? fail())).toBe(
      "kept omk/g/s1 on this machine, not pushed: its head changes the CI workflows, which a push would run in the repository's CI with its token and secrets: it waits for a person to read the change and accept the goal (.github/workflows/x.yml)",
    );
    expect(keptIntegration(execution, [kept ?? fail()])?.code).toBe('merges_kept_slice');
    expect(keptSlice(execution, 's1', 'omk/g/s1', true)).toBeNull();
    expect(keptIntegration(execution, [], true)).toBeNull();
    // Accepted or not, a blocking finding keeps it.
    expect(keptSlice(withSliceFindings(workflowReview([])), 's1', 'omk/g/s1', true)?.code).toBe(
      'blocked_for_security',
    );
  });

  it('keeps the integration when its own review blocks it, or when it merges a kept slice', () => {
    const blocked = withIntegration({ ...emptyExecution(), finalFindings: workflowReview([]) }, []);
    expect(keptIntegration(blocked, [])).toMatchObject({ sliceId: null, code: 'blocked_for_security' });
    const repaired = withIntegration({ ...emptyExecution(), integrationIntegrity: workflowReview([]) }, []);
    expect(keptIntegration(repaired, [])?.code).toBe('blocked_for_security');
    const execution = withIntegration(withSliceFindings(workflowReview([])), ['omk/g/s1']);
    const slice = keptSlice(execution, 's1', 'omk/g/s1');
    expect(keptIntegration(execution, slice === null ? [] : [slice])).toMatchObject({
      code: 'merges_kept_slice',
      slices: ['s1'],
    });
    const clean = withIntegration(emptyExecution(), ['omk/g/s1']);
    expect(keptIntegration(clean, [])).toBeNull();
  });
});

function fail(): never {
  throw new Error('expected a kept branch');
}
