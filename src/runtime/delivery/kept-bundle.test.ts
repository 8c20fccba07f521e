import { describe, expect, it } from 'vitest';
import {
  type ExecutionStateRecord,
  emptyExecution,
  sliceRecord,
  withSlice,
} from '../controller/execution-state.js';
import { securityReview } from '../review/security.js';
import { awaitedBranches, savedSlices } from './kept-bundle.js';

const WORKFLOW = '.github/workflows/x.yml';
const DIFF = `diff --git a/${WORKFLOW} b/${WORKFLOW}\nnew file mode 100644\n--- /dev/null\n+++ b/${WORKFLOW}\n@@ -0,0 +1 @@\n+on: push\n`;

/** A done slice that added a workflow, the goal allowing it (`allowed`) or not. */
function slice(execution: ExecutionStateRecord, id: string, allowed: boolean): ExecutionStateRecord {
  const findings = securityReview({
    taskId: id,
    writes: ['.'],
    allowedProtectedPaths: allowed ? ['.github/workflows'] : [],
    changedFiles: [{ path: WORKFLOW, additions: 1, deletions: 0 }],
    diff: DIFF,
    gates: [],
  });
  return withSlice(execution, {
    ...sliceRecord(execution, id),
    branch: `omk/g/${id}`,
    headSha: `${id}-head`,
    changedFiles: [{ path: WORKFLOW, additions: 1, deletions: 0 }],
    findings,
  });
}

function integrated(execution: ExecutionStateRecord, merged: string[]): ExecutionStateRecord {
  return {
    ...execution,
    integration: {
      branch: 'omk/g/integration',
      workspace: '/w',
      headSha: 'int-head',
      merged,
      conflict: null,
    },
  };
}

const done = (...ids: string[]) => ids.map((id) => ({ id, status: 'done' as const }));

describe('the branches saved with the goal until it is accepted', () => {
  it('are the workflow changes the goal was created to make and the integration merging only those', () => {
    const execution = integrated(slice(emptyExecution(), 's1', true), ['omk/g/s1']);
    expect(awaitedBranches(done('s1'), execution)).toEqual([
      { sliceId: 's1', branch: 'omk/g/s1', headSha: 's1-head', file: 'kept/s1.bundle' },
      { sliceId: null, branch: 'omk/g/integration', headSha: 'int-head', file: 'kept/integration.bundle' },
    ]);
  });

  it('never a branch kept for security, nor an integration that merges one', () => {
    const blocked = integrated(slice(emptyExecution(), 's1', false), ['omk/g/s1']);
    expect(awaitedBranches(done('s1'), blocked)).toEqual([]);
    const mixed = integrated(slice(slice(emptyExecution(), 's1', true), 's2', false), [
      'omk/g/s1',
      'omk/g/s2',
    ]);
    expect(awaitedBranches(done('s1', 's2'), mixed).map((branch) => branch.branch)).toEqual(['omk/g/s1']);
  });
});

/** A done slice that changed src/x.js only: nothing keeps it. */
function ordinary(execution: ExecutionStateRecord, id: string): ExecutionStateRecord {
  return withSlice(execution, {
    ...sliceRecord(execution, id),
    branch: `omk/g/${id}`,
    headSha: `${id}-head`,
    changedFiles: [{ path: 'src/x.js', additions: 1, deletions: 0 }],
  });
}

describe('the slices a host that publishes none saved with the goal', () => {
  it('are the done slices no delivery keeps, each at the head its evidence records', () => {
    const execution = slice(ordinary(ordinary(emptyExecution(), 's1'), 's2'), 's3', true);
    const tasks = [...done('s1', 's3'), { id: 's2', status: 'pending' as const }];
    expect(savedSlices(tasks, execution)).toEqual([
      { sliceId: 's1', branch: 'omk/g/s1', headSha: 's1-head', file: 'kept/s1.bundle' },
    ]);
  });

  it('never a slice kept for security, nor one without a head', () => {
    const blocked = slice(ordinary(emptyExecution(), 's1'), 's2', false);
    const headless = withSlice(blocked, { ...sliceRecord(blocked, 's1'), headSha: null });
    expect(savedSlices(done('s1', 's2'), headless)).toEqual([]);
  });
});
