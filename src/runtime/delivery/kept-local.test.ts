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

  it('pushes a workflow change the plan allowed (its finding is only information)', () => {
    const findings = workflowReview(['.github/workflows/x.yml']);
    expect(findings.map((f) => f.severity)).toEqual(['info']);
    expect(keptSlice(withSliceFindings(findings), 's1', 'omk/g/s1')).toBeNull();
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
