import { describe, expect, it } from 'vitest';
import { runProgress } from './progress.js';
import type { GoalEvent } from './schema.js';

let seq = 0;
function ev(type: string, data: Record<string, unknown> = {}): GoalEvent {
  seq += 1;
  return { v: 1, seq, ts: '2026-01-01T00:00:00Z', type, data };
}

describe('runProgress', () => {
  it('folds a run into its phases: planned, slices, integrated, PRs, merged', () => {
    const progress = runProgress([
      ev('plan_written', { tasks: 2 }),
      ev('execution_started', {}),
      ev('task_leased', { taskId: 's1', attempt: 1 }),
      ev('task_done', { taskId: 's1', attempt: 1 }),
      ev('task_pending', { taskId: 's2', attempt: 1 }),
      ev('task_done', { taskId: 's2', attempt: 2 }),
      ev('integration_done', { target: 'omk/g/integration' }),
      ev('execution_finished', { state: 'done' }),
      ev('pr_opened', { sliceId: 's1', number: 1, url: 'https://x/pull/1' }),
      ev('pr_opened', { sliceId: null, number: 3, url: 'https://x/pull/3' }),
      ev('pr_opened', { sliceId: 's1', number: 1, url: 'https://x/pull/1' }),
      ev('goal_merged', { pr: 3, sha: 'b'.repeat(40), target: 'main' }),
    ]);
    expect(progress).toEqual({
      planned: 2,
      slices: [
        { id: 's1', state: 'done', attempts: 1 },
        { id: 's2', state: 'done', attempts: 2 },
      ],
      integrated: 'done',
      pulls: [
        { sliceId: 's1', number: 1, url: 'https://x/pull/1' },
        { sliceId: null, number: 3, url: 'https://x/pull/3' },
      ],
      merged: { target: 'main', sha: 'b'.repeat(40) },
      stopped: null,
    });
  });

  it('names the failed slices when a run finishes with some, and forgets a stop on resume', () => {
    const failed = [
      ev('plan_written', { tasks: 2 }),
      ev('task_failed', { taskId: 's1', attempts: 3, failure: 'at /tmp/x: git push failed' }),
      ev('task_skipped', { taskId: 's2', because: 's1' }),
      ev('execution_finished', { state: 'done' }),
    ];
    expect(runProgress(failed).stopped).toEqual({ kind: 'slices_failed', slices: ['s1'] });
    expect(runProgress(failed).slices).toEqual([
      { id: 's1', state: 'failed', attempts: 3 },
      { id: 's2', state: 'skipped', attempts: 0 },
    ]);
    const resumed = runProgress([
      ...failed,
      ev('execution_started', {}),
      ev('slice_reopened', { taskId: 's1' }),
    ]);
    expect(resumed.stopped).toBeNull();
    expect(resumed.slices.map((s) => s.id)).toEqual(['s2']);
  });

  it('keeps a slice with attempts left as waiting, and says so when the run ends', () => {
    const progress = runProgress([
      ev('task_pending', { taskId: 's1', attempt: 1, attemptsLeft: 2 }),
      ev('execution_finished', { state: 'done' }),
    ]);
    expect(progress.slices).toEqual([{ id: 's1', state: 'waiting', attempts: 1 }]);
    expect(progress.stopped).toEqual({ kind: 'slices_waiting', slices: ['s1'] });
  });

  it('tells a budget stop, a conflict and an interruption apart', () => {
    expect(runProgress([ev('budget_exhausted', { state: 'x' })]).stopped).toEqual({ kind: 'budget' });
    expect(runProgress([ev('integration_conflict', { branch: 'omk/g/s1' })]).stopped).toEqual({
      kind: 'integration_conflict',
      branch: 'omk/g/s1',
    });
    expect(runProgress([ev('execution_interrupted', { by: 'pause' })]).stopped).toEqual({
      kind: 'interrupted',
      by: 'pause',
    });
  });
});
