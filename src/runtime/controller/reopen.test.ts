import { describe, expect, it } from 'vitest';
import { task } from '../delivery/test-delivery.js';
import type { GateEvidence } from '../proof/schema.js';
import { type ExecutionStateRecord, emptyExecution, sliceRecord, withSlice } from './execution-state.js';
import { slicesToReopen } from './reopen.js';

const blocks = (gate: GateEvidence) => gate.required && gate.outcome === 'failed';

function gate(outcome: GateEvidence['outcome'], required = true): GateEvidence {
  return {
    name: 'test',
    kind: 'test',
    required,
    outcome,
    exitCode: 1,
    durationMs: 1,
    sha: 'abc',
    tail: '',
    artifact: null,
  };
}

function withRecord(
  execution: ExecutionStateRecord,
  id: string,
  change: Partial<ReturnType<typeof sliceRecord>>,
): ExecutionStateRecord {
  return withSlice(execution, { ...sliceRecord(execution, id), ...change });
}

describe('slicesToReopen', () => {
  it('reopens failed slices and reopens the slices skipped because of them', () => {
    const tasks = [
      task({ id: 'a', status: 'failed', attempts: 2 }),
      task({ id: 'b', status: 'skipped', attempts: 0, dependsOn: ['a'] }),
      task({ id: 'c', status: 'done' }),
    ];
    const execution = withRecord(emptyExecution(), 'a', { lastFailure: 'gate test failed (exit 1):\nboom' });
    expect(slicesToReopen(tasks, execution, blocks)).toEqual({
      reopen: [
        { taskId: 'a', why: 'failed', detail: 'gate test failed (exit 1):', newRound: true },
        { taskId: 'b', why: 'dependency_reopened', detail: 'a', newRound: false },
      ],
      held: [],
    });
  });

  it('keeps a skipped slice skipped while another of its dependencies stays failed', () => {
    const tasks = [
      task({ id: 'a', status: 'failed' }),
      task({ id: 'x', status: 'skipped', dependsOn: ['z'] }),
      task({ id: 'z', status: 'skipped', dependsOn: ['y'] }),
      task({ id: 'y', status: 'done' }),
      task({ id: 'b', status: 'skipped', dependsOn: ['a', 'x'] }),
    ];
    expect(slicesToReopen(tasks, emptyExecution(), blocks).reopen.map((r) => r.taskId)).toEqual(['a']);
  });

  it('reopens done slices whose own gates or findings block; one that done slices build on is held', () => {
    const tasks = [
      task({ id: 'a', status: 'done' }),
      task({ id: 'b', status: 'done' }),
      task({ id: 'c', status: 'done', dependsOn: ['a'] }),
      task({ id: 'd', status: 'done' }),
    ];
    let execution = withRecord(emptyExecution(), 'a', { gates: [gate('failed')] });
    execution = withRecord(execution, 'b', {
      findings: [{ review: 'security', severity: 'blocking', message: 'a secret', paths: ['k'] }],
    });
    execution = withRecord(execution, 'd', { gates: [gate('failed', false), gate('pre_existing')] });
    expect(slicesToReopen(tasks, execution, blocks)).toEqual({
      reopen: [{ taskId: 'b', why: 'findings_block', detail: 'a secret', newRound: true }],
      held: [{ taskId: 'a', why: 'gates_block', detail: 'test:failed', dependents: ['c'] }],
    });
  });

  it('reopens every done slice when a required gate fails on the integrated tree', () => {
    const tasks = [task({ id: 'a', status: 'done' }), task({ id: 'b', status: 'done' })];
    const execution: ExecutionStateRecord = {
      ...emptyExecution(),
      integration: { branch: 'omk/g/integration', workspace: '/w', headSha: 'f', merged: [], conflict: null },
      finalGates: [gate('pre_existing'), { ...gate('skipped'), name: 'lint' }],
    };
    // Each is told what the integrated tree fails: its own record holds no failure.
    const evidence = 'the integrated tree is not ready:\n\ngate test pre_existing (exit 1):\n(no output)';
    expect(slicesToReopen(tasks, execution, blocks).reopen).toEqual([
      { taskId: 'a', why: 'integration_blocks', detail: 'test:pre_existing', newRound: true, evidence },
      { taskId: 'b', why: 'integration_blocks', detail: 'test:pre_existing', newRound: true, evidence },
    ]);
  });

  it('reopens only the done slices that changed the paths of a blocking integration finding', () => {
    const tasks = [task({ id: 'a', status: 'done' }), task({ id: 'b', status: 'done' })];
    let execution: ExecutionStateRecord = {
      ...emptyExecution(),
      integration: { branch: 'omk/g/integration', workspace: '/w', headSha: 'f', merged: [], conflict: null },
      finalGates: [gate('passed')],
      finalFindings: [
        { review: 'controller', severity: 'blocking', message: 'too big', paths: ['src/b.js'] },
      ],
    };
    execution = withRecord(execution, 'b', {
      changedFiles: [{ path: 'src/b.js', additions: 1, deletions: 0 }],
    });
    expect(slicesToReopen(tasks, execution, blocks).reopen).toEqual([
      { taskId: 'b', why: 'integration_blocks', detail: 'too big', newRound: true },
    ]);
  });

  it('reopens nothing when every check holds', () => {
    const tasks = [task({ id: 'a', status: 'done' }), task({ id: 'p', status: 'pending', attempts: 1 })];
    const execution = withRecord(emptyExecution(), 'a', { gates: [gate('passed')] });
    expect(slicesToReopen(tasks, execution, blocks)).toEqual({ reopen: [], held: [] });
  });
});
