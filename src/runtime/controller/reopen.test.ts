import { describe, expect, it } from 'vitest';
import { task } from '../delivery/test-delivery.js';
import type { GateEvidence } from '../proof/schema.js';
import { testResults } from '../proof/test-evidence.js';
import { type ExecutionStateRecord, emptyExecution, sliceRecord, withSlice } from './execution-state.js';
import { type ClassEvidenceGap, classEvidenceReopenings, type Reopening, slicesToReopen } from './reopen.js';

const blocks = (gate: GateEvidence) => gate.required && gate.outcome === 'failed';
const any = () => true;

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

/** A test gate's per-test results where `failToPass` failed on the base and pass on the head. */
const failedToPassed = (failToPass: string[]) => testResults({ failToPass, passed: 1, baseSha: 'b' });

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
    expect(slicesToReopen(tasks, execution, blocks, { canRetry: any })).toEqual({
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
    expect(
      slicesToReopen(tasks, emptyExecution(), blocks, { canRetry: any }).reopen.map((r) => r.taskId),
    ).toEqual(['a']);
  });

  it('reopens done slices whose own gates or findings block', () => {
    const tasks = [task({ id: 'b', status: 'done' }), task({ id: 'd', status: 'done' })];
    let execution = withRecord(emptyExecution(), 'b', {
      findings: [{ review: 'security', severity: 'blocking', message: 'a secret', paths: ['k'] }],
    });
    execution = withRecord(execution, 'd', { gates: [gate('failed', false), gate('pre_existing')] });
    expect(slicesToReopen(tasks, execution, blocks, { canRetry: any })).toEqual({
      reopen: [{ taskId: 'b', why: 'findings_block', detail: 'a secret', newRound: true }],
      held: [],
    });
  });

  describe('a done slice that done slices were built on', () => {
    // a's required gate fails; c was built on a, e on c.
    const tasks = [
      task({ id: 'a', status: 'done' }),
      task({ id: 'c', status: 'done', dependsOn: ['a'] }),
      task({ id: 'e', status: 'done', dependsOn: ['c'] }),
      task({ id: 'p', status: 'pending', attempts: 0, dependsOn: ['a'] }),
    ];
    const execution = withRecord(emptyExecution(), 'a', { gates: [gate('failed')] });

    it('is reopened with them: they run again after it, from its new head', () => {
      const told =
        'slice a, which this slice is built on, runs again first (test:failed); this slice starts again from its new head.';
      expect(slicesToReopen(tasks, execution, blocks, { canRetry: any })).toEqual({
        reopen: [
          { taskId: 'a', why: 'gates_block', detail: 'test:failed', newRound: true },
          {
            taskId: 'c',
            why: 'dependency_reopened',
            detail: 'a',
            newRound: true,
            evidence: told,
            dependencyRedone: true,
          },
          {
            taskId: 'e',
            why: 'dependency_reopened',
            detail: 'a',
            newRound: true,
            evidence: told,
            dependencyRedone: true,
          },
        ],
        held: [],
      });
    });

    it('is held while one of them has no attempt left; not reopened at all when it has none itself', () => {
      expect(slicesToReopen(tasks, execution, blocks, { canRetry: (t) => t.id !== 'e' })).toEqual({
        reopen: [],
        held: [{ taskId: 'a', why: 'gates_block', detail: 'test:failed', dependents: ['c', 'e'] }],
      });
      expect(slicesToReopen(tasks, execution, blocks, { canRetry: (t) => t.id !== 'a' })).toEqual({
        reopen: [],
        held: [],
      });
    });

    it('each of them failing the integrated tree too keeps its own reason, and starts from the new head', () => {
      const integrated: ExecutionStateRecord = {
        ...emptyExecution(),
        integration: {
          branch: 'omk/g/integration',
          workspace: '/w',
          headSha: 'f',
          merged: [],
          conflict: null,
        },
        finalGates: [gate('pre_existing')],
      };
      const chain = tasks.slice(0, 2);
      const plan = slicesToReopen(chain, integrated, blocks, { canRetry: any });
      expect(plan.held).toEqual([]);
      expect(plan.reopen).toEqual([
        expect.objectContaining({ taskId: 'a', why: 'integration_blocks', newRound: true }),
        expect.objectContaining({ taskId: 'c', why: 'integration_blocks', dependencyRedone: true }),
      ]);
      expect(plan.reopen[0]?.dependencyRedone).toBeUndefined();
      // Told which slice runs again first, then what the integrated tree fails.
      expect(plan.reopen[1]?.evidence).toMatch(
        /^slice a, which this slice is built on, runs again first \(test:pre_existing\); this slice starts again from its new head\.\n\nthe integrated tree is not ready:/,
      );
      // Whichever of them is listed first in the graph.
      expect(slicesToReopen([...chain].reverse(), integrated, blocks, { canRetry: any }).reopen).toEqual(
        [...plan.reopen].reverse(),
      );
      // Until ready within a run, only what the integrated tree fails is reopened.
      const own = withRecord(integrated, 'a', { gates: [gate('failed')] });
      const only = (r: Reopening) => r.why === 'integration_blocks';
      expect(slicesToReopen(chain, own, blocks, { canRetry: any, only }).reopen.map((r) => r.taskId)).toEqual(
        ['c'],
      );
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
    expect(slicesToReopen(tasks, execution, blocks, { canRetry: any }).reopen).toEqual([
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
    expect(slicesToReopen(tasks, execution, blocks, { canRetry: any }).reopen).toEqual([
      { taskId: 'b', why: 'integration_blocks', detail: 'too big', newRound: true },
    ]);
  });

  it('reopens nothing when every check holds', () => {
    const tasks = [task({ id: 'a', status: 'done' }), task({ id: 'p', status: 'pending', attempts: 1 })];
    const execution = withRecord(emptyExecution(), 'a', { gates: [gate('passed')] });
    expect(slicesToReopen(tasks, execution, blocks, { canRetry: any })).toEqual({ reopen: [], held: [] });
  });
});

describe('classEvidenceReopenings', () => {
  const gap: ClassEvidenceGap = {
    code: 'fix_no_fail_to_pass',
    message: 'Fail-to-pass not shown: the change edited that test itself.',
    hint: "A fix keeps the base's failing test as it is and makes it pass.",
  };
  const evidence = `the integrated tree is not ready:\n\n${gap.message}\n${gap.hint}`;
  const changed = (...paths: string[]) => ({
    changedFiles: paths.map((path) => ({ path, additions: 1, deletions: 1 })),
  });
  /** The head's test gate: the target test failed on the base and passes on the head (by its edit). */
  function rewritten(execution: ExecutionStateRecord): ExecutionStateRecord {
    const flipped = { ...gate('passed'), tests: failedToPassed(['parse trims the text']) };
    return { ...execution, finalGates: [flipped] };
  }

  it('redoes the slice that rewrote the test with the done slices built on it, not holding it', () => {
    // s1 (the fix) weakened the test; s2 (a regression test) was built on it.
    const tasks = [
      task({ id: 's1', status: 'done' }),
      task({ id: 's2', status: 'done', dependsOn: ['s1'] }),
      task({ id: 's3', status: 'done' }),
    ];
    let execution = rewritten(withRecord(emptyExecution(), 's1', changed('src/p.js', 'test/trim.test.js')));
    execution = withRecord(execution, 's2', changed('test/regression.test.js'));
    execution = withRecord(execution, 's3', changed('README.md'));
    expect(classEvidenceReopenings(tasks, execution, [gap], any).reopen).toEqual([
      { taskId: 's1', why: 'class_evidence', detail: 'fix_no_fail_to_pass', newRound: false, evidence },
      {
        taskId: 's2',
        why: 'class_evidence',
        detail: 'fix_no_fail_to_pass',
        newRound: false,
        evidence: `slice s1, which this slice is built on, runs again first (fix_no_fail_to_pass); this slice starts again from its new head.\n\n${evidence}`,
        dependencyRedone: true,
      },
    ]);
  });

  it("redoes the slice that edited a root conftest.py (its tests' set-up), not the one that changed source", () => {
    const tasks = [task({ id: 's1', status: 'done' }), task({ id: 's2', status: 'done' })];
    let execution = rewritten(withRecord(emptyExecution(), 's1', changed('calc.py')));
    execution = withRecord(execution, 's2', changed('conftest.py'));
    expect(classEvidenceReopenings(tasks, execution, [gap], any).reopen.map((r) => r.taskId)).toEqual(['s2']);
  });

  it('a dependent that did not touch the tests runs again after it, from its new head', () => {
    const tasks = [task({ id: 's1', status: 'done' }), task({ id: 's2', status: 'done', dependsOn: ['s1'] })];
    let execution = rewritten(withRecord(emptyExecution(), 's1', changed('test/trim.test.js')));
    execution = withRecord(execution, 's2', changed('docs/x.md'));
    const [first, second] = classEvidenceReopenings(tasks, execution, [gap], any).reopen;
    expect(first).toMatchObject({ taskId: 's1', why: 'class_evidence' });
    expect(second).toMatchObject({
      taskId: 's2',
      why: 'dependency_reopened',
      detail: 's1',
      newRound: false,
      dependencyRedone: true,
    });
    expect(second?.evidence).toContain('slice s1, which this slice is built on, runs again first');
  });

  it("not when the base's run of a test gate reported no per-test results where the head's did: no agent's change mends the base", () => {
    const tasks = [task({ id: 's1', status: 'done' })];
    const head = { ...gate('passed'), tests: failedToPassed(['parse trims the text']) };
    const crashed = { ...gate('failed'), sha: 'b'.repeat(40) };
    const execution = withRecord(
      { ...emptyExecution(), finalGates: [head], baseGates: [crashed] },
      's1',
      changed('src/p.js'),
    );
    expect(classEvidenceReopenings(tasks, execution, [gap], any).reopen).toEqual([]);
    // The same goal whose base run reported its tests is retried.
    const read = { ...execution, baseGates: [{ ...crashed, tests: failedToPassed([]) }] };
    expect(classEvidenceReopenings(tasks, read, [gap], any).reopen).toMatchObject([{ taskId: 's1' }]);
  });

  it('not when it or a slice built on it has no attempt left in its round', () => {
    const tasks = [task({ id: 's1', status: 'done' }), task({ id: 's2', status: 'done', dependsOn: ['s1'] })];
    const execution = rewritten(withRecord(emptyExecution(), 's1', changed('test/trim.test.js')));
    // s2 has no attempt left: s1 is held, as slicesToReopen holds one, and a reader of the events sees why.
    expect(classEvidenceReopenings(tasks, execution, [gap], (t) => t.id !== 's2')).toEqual({
      reopen: [],
      held: [{ taskId: 's1', why: 'class_evidence', detail: 'fix_no_fail_to_pass', dependents: ['s2'] }],
    });
    // s1 has none itself: nothing to hold, it could not run again anyway.
    expect(classEvidenceReopenings(tasks, execution, [gap], (t) => t.id !== 's1')).toEqual({
      reopen: [],
      held: [],
    });
  });

  it('the slices that changed source when no test passes by its edit; every done slice for an empty change', () => {
    const tasks = [task({ id: 'a', status: 'done' }), task({ id: 'b', status: 'done' })];
    const execution = withRecord(
      withRecord(emptyExecution(), 'a', changed('test/a.test.js')),
      'b',
      changed('src/b.js'),
    );
    expect(classEvidenceReopenings(tasks, execution, [gap], any).reopen.map((r) => r.taskId)).toEqual(['b']);
    expect(classEvidenceReopenings(tasks, emptyExecution(), [gap], any).reopen.map((r) => r.taskId)).toEqual([
      'a',
      'b',
    ]);
    expect(classEvidenceReopenings(tasks, execution, [], any).reopen).toEqual([]);
  });
});
