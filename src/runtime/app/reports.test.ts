import { describe, expect, it } from 'vitest';
import { goalRecord } from '../delivery/test-delivery.js';
import { buildProof } from '../proof/build.js';
import { evidence, gate } from '../proof/test-evidence.js';
import {
  deliveredVerdict,
  fixRan,
  goalSummary,
  mergeReport,
  runVerdict,
  settledVerdict,
  sliceTally,
  statusReport,
  transitionOf,
  transitionReport,
} from './reports.js';

const AT = '2025-01-02T03:04:05.000Z';
const ready = buildProof(evidence({ gates: [gate({ required: true })] }));
const notReady = buildProof(evidence({ execution: 'in_progress', gates: [gate({ required: true })] }));

describe('goalSummary and statusReport', () => {
  it('lists a goal by id, status, class, text and times, in that order', () => {
    const goal = goalRecord();
    expect(Object.keys(goalSummary(goal))).toEqual([
      'id',
      'status',
      'class',
      'goal',
      'createdAt',
      'updatedAt',
    ]);
    expect(goalSummary(goal)).toMatchObject({ id: goal.id, goal: goal.goal.normalized, status: 'not_ready' });
  });

  it("carries the proof's status and digest check, the live slices and whether the controller lives", () => {
    const goal = { ...goalRecord(), controller: { pid: 42, host: 'box', startedAt: AT, heartbeatAt: AT } };
    const report = statusReport({
      goal,
      proof: { proof: notReady, digestValid: false },
      slices: [{ id: 's1', status: 'running', attempts: 2 }],
      fixes: [{ id: 'fix-1', pr: 7, status: 'pending', attempts: 0 }],
      lastEventSeq: 17,
      controllerAlive: true,
      kept: [],
    });
    expect(report).toMatchObject({
      id: goal.id,
      proofStatus: 'not_ready',
      proofDigest: notReady.digest,
      proofDigestValid: false,
      knownGaps: notReady.knownGaps,
      slices: [{ id: 's1', status: 'running', attempts: 2 }],
      fixes: [{ id: 'fix-1', pr: 7, status: 'pending', attempts: 0 }],
      budget: goal.budget,
      lastEventSeq: 17,
      controller: goal.controller,
      controllerAlive: true,
    });
  });
});

describe('sliceTally', () => {
  it('counts the done slices and each other status that has any, running first', () => {
    const tally = sliceTally([
      { status: 'done' },
      { status: 'pending' },
      { status: 'running' },
      { status: 'done' },
      { status: 'pending' },
    ]);
    expect(tally).toEqual({
      done: 2,
      total: 5,
      others: [
        { status: 'running', count: 1 },
        { status: 'pending', count: 2 },
      ],
    });
    expect(sliceTally([])).toEqual({ done: 0, total: 0, others: [] });
  });
});

describe('transition and merge reports', () => {
  it('reports a lifecycle change from and to, with the proof status when asked', () => {
    const result = {
      goal: { ...goalRecord(), status: 'paused' as const },
      previous: 'running' as const,
      proof: ready,
    };
    expect(transitionOf(result)).toEqual({ id: result.goal.id, from: 'running', to: 'paused' });
    expect(transitionReport(result)).toEqual({ ...transitionOf(result), proofStatus: 'ready' });
  });

  it('drops the proof from a merge, keeps recovered only when true, and keeps a refusal whole', () => {
    const merged = { merged: true as const, sha: 'a'.repeat(40), pr: 3, proof: ready };
    expect(mergeReport(merged)).toEqual({ merged: true, sha: merged.sha, pr: 3 });
    expect(mergeReport({ ...merged, recovered: true })).toEqual({
      merged: true,
      sha: merged.sha,
      pr: 3,
      recovered: true,
    });
    const blocked = { merged: false as const, blockedBy: 'conflict' as const, reasons: [], pr: 3 };
    expect(mergeReport(blocked)).toBe(blocked);
  });
});

describe('runVerdict', () => {
  it('names a signal, then the budget, then a not-ready proof only when the run was until ready', () => {
    expect(runVerdict({ stoppedBy: 'signal', proof: ready }, false)).toBe('interrupted');
    expect(runVerdict({ stoppedBy: 'budget', proof: notReady }, true)).toBe('budget');
    expect(runVerdict({ stoppedBy: null, proof: notReady }, true)).toBe('not_ready');
    expect(runVerdict({ stoppedBy: null, proof: notReady }, false)).toBeNull();
    expect(runVerdict({ stoppedBy: null, proof: ready }, true)).toBeNull();
    expect(runVerdict({ stoppedBy: 'pause', proof: ready }, true)).toBeNull();
  });
});

describe('settledVerdict', () => {
  it('judges a settled goal by its status, unless its controller is gone or its budget stopped it short', () => {
    expect(settledVerdict({ status: 'ready', stoppedBy: null })).toBe('ok');
    expect(settledVerdict({ status: 'merged', stoppedBy: null })).toBe('ok');
    expect(settledVerdict({ status: 'ready', stoppedBy: 'budget' })).toBe('ok');
    expect(settledVerdict({ status: 'not_ready', stoppedBy: 'budget' })).toBe('budget');
    expect(settledVerdict({ status: 'ready', stoppedBy: 'controller_gone' })).toBe('interrupted');
    expect(settledVerdict({ status: 'paused', stoppedBy: 'pause' })).toBe('interrupted');
    expect(settledVerdict({ status: 'cancelled', stoppedBy: 'cancel' })).toBe('refused');
    expect(settledVerdict({ status: 'rejected', stoppedBy: null })).toBe('refused');
    expect(settledVerdict({ status: 'blocked_on_human', stoppedBy: null })).toBe('not_ready');
    expect(settledVerdict({ status: 'failed', stoppedBy: null })).toBe('not_ready');
  });
});

describe('deliveredVerdict: open-pr', () => {
  it('is ok when every PR was opened; a delivery a person stopped part-way is not, as goal watch says the stop', () => {
    expect(deliveredVerdict({ stopped: null })).toBe('ok');
    expect(deliveredVerdict({ stopped: { status: 'cancelled', withheld: ['integrator'] } })).toBe('refused');
    expect(deliveredVerdict({ stopped: { status: 'rejected', withheld: ['s2', 'integrator'] } })).toBe(
      'refused',
    );
    expect(deliveredVerdict({ stopped: { status: 'paused', withheld: ['integrator'] } })).toBe('interrupted');
  });
});

describe('fixRan', () => {
  it('is false only when every request had been handled already', () => {
    expect(fixRan({ kind: 'already_handled', requestIds: ['r1'] })).toBe(false);
    const report = {
      pr: 7,
      headSha: 'a'.repeat(40),
      changedFiles: ['src/math.js'],
      agentFailure: null,
      proofStatus: 'ready' as const,
      failing: [],
      delivered: true,
    };
    const ran = {
      requestIds: ['r1'],
      pr: 7,
      sliceId: null,
      report,
      knownGaps: [],
      replied: 1,
      resolved: 0,
      withheld: null,
    };
    expect(fixRan({ kind: 'applied', ...ran, proofStatus: 'ready' })).toBe(true);
    expect(fixRan({ kind: 'failed', ...ran, proofStatus: 'not_ready' })).toBe(true);
  });
});
