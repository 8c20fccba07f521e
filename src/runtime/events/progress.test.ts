import { describe, expect, it } from 'vitest';
import { progressSection } from '../markdown/goal-sections.js';
import { ProgressFold, runningSlices, runProgress, settledSlices } from './progress.js';
import type { GoalEvent } from './schema.js';

let seq = 0;
function ev(type: string, data: Record<string, unknown> = {}, second = 0): GoalEvent {
  seq += 1;
  return { v: 1, seq, ts: `2026-01-01T00:00:${String(second).padStart(2, '0')}Z`, type, data };
}
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Each shuffle of `events` by a fixed permutation, so a failing order can be replayed. */
function permutations(events: readonly GoalEvent[]): GoalEvent[][] {
  const reversed = [...events].reverse();
  const interleaved = events.filter((_, i) => i % 2 === 1).concat(events.filter((_, i) => i % 2 === 0));
  const rotated = [...events.slice(3), ...events.slice(0, 3)];
  return [reversed, interleaved, rotated];
}

describe('runProgress: one fold for the watch, the status comment and the job summary', () => {
  it('folds a run into its phases: planned, slices with attempts and gates, integrated, PRs, merged', () => {
    const progress = runProgress(
      [
        ev('plan_written', { tasks: 2 }),
        ev('execution_started', {}, 1),
        ev('task_leased', { taskId: 's1', attempt: 1 }, 2),
        ev('gates_verified', { taskId: 's1', outcomes: ['test:passed', 'lint:pre_existing'] }, 8),
        ev('task_done', { taskId: 's1', attempt: 1 }, 9),
        ev('task_leased', { taskId: 's2', attempt: 1 }, 3),
        ev('task_pending', { taskId: 's2', attempt: 1 }, 5),
        ev('task_leased', { taskId: 's2', attempt: 2 }, 6),
        ev('task_done', { taskId: 's2', attempt: 2 }, 12),
        ev('integration_done', { target: 'omk/g/integration' }, 13),
        ev('execution_finished', { state: 'done' }, 14),
        ev('pr_opened', { sliceId: 's1', number: 1, url: 'https://x/pull/1' }),
        ev('pr_opened', { sliceId: null, number: 3, url: 'https://x/pull/3' }),
        ev('pr_opened', { sliceId: 's1', number: 1, url: 'https://x/pull/1' }),
        ev('goal_merged', { pr: 3, sha: 'b'.repeat(40), target: 'main' }),
      ],
      [
        { id: 's1', title: 'first' },
        { id: 's2', title: 'second' },
      ],
    );
    expect(progress.planned).toBe(2);
    expect(progress.startedMs).toBe(T0 + 1000);
    expect(progress.slices).toEqual([
      {
        id: 's1',
        title: 'first',
        state: 'done',
        attempt: 1,
        startedMs: T0 + 2000,
        endedMs: T0 + 9000,
        gates: ['test:passed', 'lint:pre_existing'],
        gatesByExitCode: [],
        lastLine: null,
        settledSeq: expect.any(Number),
        rateLimitedUntilMs: null,
      },
      {
        id: 's2',
        title: 'second',
        state: 'done',
        attempt: 2,
        startedMs: T0 + 6000,
        endedMs: T0 + 12000,
        gates: [],
        gatesByExitCode: [],
        lastLine: null,
        settledSeq: expect.any(Number),
        rateLimitedUntilMs: null,
      },
    ]);
    expect(progress.integration).toBe('done');
    expect(progress.pulls).toEqual([
      { sliceId: 's1', number: 1, url: 'https://x/pull/1' },
      { sliceId: null, number: 3, url: 'https://x/pull/3' },
    ]);
    expect(progress.merged).toEqual({ target: 'main', sha: 'b'.repeat(40) });
    expect(progress.stopped).toBeNull();
    expect(progress.lastEvent?.type).toBe('goal_merged');
  });

  it('names the failed slices when a run finishes with some, and forgets a stop on resume', () => {
    const failed = [
      ev('plan_written', { tasks: 2 }),
      ev('execution_started', {}),
      ev('task_leased', { taskId: 's1', attempt: 3 }),
      ev('task_failed', { taskId: 's1', attempts: 3, failure: 'at /tmp/x: git push failed' }),
      ev('task_skipped', { taskId: 's2', because: 's1' }),
      ev('execution_finished', { state: 'done' }),
    ];
    const progress = runProgress(failed);
    expect(progress.stopped).toEqual({ kind: 'slices_failed', slices: ['s1'] });
    expect(settledSlices(progress).map((s) => [s.id, s.state, s.attempt])).toEqual([
      ['s1', 'failed', 3],
      ['s2', 'skipped', 0],
    ]);
    // The failure's own text (a temp path, a command) is not part of the progress.
    expect(JSON.stringify(progress)).not.toContain('/tmp');
    expect(JSON.stringify(progress)).not.toContain('git push');
    const resumed = runProgress([
      ...failed,
      ev('execution_started', {}),
      ev('slice_reopened', { taskId: 's1' }),
    ]);
    expect(resumed.stopped).toBeNull();
    expect(settledSlices(resumed).map((s) => s.id)).toEqual(['s2']);
    expect(resumed.slices.find((s) => s.id === 's1')?.state).toBe('pending');
  });

  it('keeps a slice with attempts left as waiting, and says so when the run ends', () => {
    const progress = runProgress([
      ev('execution_started', {}),
      ev('task_pending', { taskId: 's1', attempt: 1, attemptsLeft: 2 }),
      ev('execution_finished', { state: 'done' }),
    ]);
    expect(settledSlices(progress).map((s) => [s.id, s.state, s.attempt])).toEqual([['s1', 'waiting', 1]]);
    expect(progress.stopped).toEqual({ kind: 'slices_waiting', slices: ['s1'] });
  });

  it('tells a budget stop, a conflict, an interruption and an integration repair apart', () => {
    expect(runProgress([ev('budget_exhausted', { state: 'x' })]).stopped).toEqual({ kind: 'budget' });
    const conflict = runProgress([ev('integration_conflict', { branch: 'omk/g/s1' })]);
    expect(conflict.stopped).toEqual({ kind: 'integration_conflict', branch: 'omk/g/s1' });
    expect(conflict.integration).toBe('conflict');
    expect(runProgress([ev('execution_interrupted', { by: 'pause' })]).stopped).toEqual({
      kind: 'interrupted',
      by: 'pause',
    });
    const repair = runProgress([
      ev('integration_repair_started', { attempt: 1 }),
      ev('agent_started', { taskId: 'integration', attempt: 1, pid: 5 }),
    ]);
    expect(repair.integration).toBe('repairing');
    // The repair agent is not a slice.
    expect(repair.slices).toEqual([]);
    // Nor is a review fix task: a failed one does not read as a failed slice.
    const fix = runProgress([
      ev('execution_started', {}),
      ev('task_leased', { taskId: 'fix-1', attempt: 1 }),
      ev('task_failed', { taskId: 'fix-1', attempts: 1 }),
      ev('execution_finished', {}),
    ]);
    expect(fix.slices).toEqual([]);
    expect(fix.stopped).toBeNull();
  });

  it('ignores events read twice: the same state, no PR or slice counted twice', () => {
    const events = [
      ev('execution_started', {}),
      ev('task_leased', { taskId: 's1', attempt: 1 }),
      ev('task_done', { taskId: 's1', attempt: 1 }),
      ev('pr_opened', { sliceId: 's1', number: 4, url: 'https://x/pull/4' }),
      ev('execution_finished', {}),
    ];
    const once = runProgress(events);
    const fold = new ProgressFold().foldAll(events).foldAll(events);
    fold.fold(events[1] as GoalEvent);
    expect(fold.state()).toEqual(once);
    expect(once.slices).toHaveLength(1);
    expect(once.pulls).toHaveLength(1);
  });

  it('lands events that arrive out of order where their sequence number puts them', () => {
    const events = [
      ev('plan_written', { tasks: 2 }),
      ev('execution_started', {}),
      ev('task_leased', { taskId: 's1', attempt: 1 }, 1),
      ev('task_leased', { taskId: 's2', attempt: 1 }, 1),
      ev('gates_verified', { taskId: 's1', outcomes: ['test:failed'] }, 2),
      ev('task_pending', { taskId: 's1', attempt: 1 }, 3),
      ev('task_leased', { taskId: 's1', attempt: 2 }, 4),
      ev('gates_verified', { taskId: 's1', outcomes: ['test:passed'] }, 5),
      ev('task_done', { taskId: 's1', attempt: 2 }, 6),
      ev('task_failed', { taskId: 's2', attempts: 1 }, 7),
      ev('pr_opened', { sliceId: 's1', number: 1, url: 'https://x/pull/1' }),
      ev('pr_opened', { sliceId: null, number: 2, url: 'https://x/pull/2' }),
      ev('execution_finished', {}),
    ];
    const inOrder = runProgress(events);
    expect(inOrder.slices.map((s) => [s.id, s.state, s.attempt, s.gates])).toEqual([
      ['s1', 'done', 2, ['test:passed']],
      ['s2', 'failed', 1, []],
    ]);
    expect(inOrder.stopped).toEqual({ kind: 'slices_failed', slices: ['s2'] });
    for (const shuffled of permutations(events)) {
      const progress = runProgress(shuffled);
      // The slices appear in the order the events first named them; everything else is the same.
      expect([...progress.slices].sort((a, b) => a.id.localeCompare(b.id))).toEqual(inOrder.slices);
      expect({ ...progress, slices: [] }).toEqual({ ...inOrder, slices: [] });
    }
  });

  it('never lets a late agent start reopen the attempt that already settled', () => {
    const progress = runProgress([
      ev('task_leased', { taskId: 's1', attempt: 1 }, 1),
      ev('task_done', { taskId: 's1', attempt: 1 }, 4),
      // Appended without waiting: it can land after the slice is done.
      ev('agent_started', { taskId: 's1', attempt: 1, pid: 7 }, 2),
      ev('task_leased', { taskId: 's2', attempt: 2 }, 5),
      ev('agent_started', { taskId: 's2', attempt: 1, pid: 8 }, 3),
    ]);
    expect(progress.slices.map((s) => [s.id, s.state, s.attempt, s.startedMs])).toEqual([
      ['s1', 'done', 1, T0 + 1000],
      ['s2', 'running', 2, T0 + 5000],
    ]);
    expect(runningSlices(progress).map((s) => s.id)).toEqual(['s2']);
  });

  it('starts a slice from its agent when the lease is not in the log, and keeps its last line while it runs', () => {
    const fold = new ProgressFold([{ id: 's1', title: 'one' }]);
    fold.fold(ev('agent_started', { taskId: 's1', attempt: 1, pid: 9 }, 3));
    expect(fold.running()).toEqual([{ id: 's1', attempt: 1 }]);
    fold.setLastLine('s1', 'editing src/a.ts');
    expect(fold.state().slices[0]).toMatchObject({
      state: 'running',
      startedMs: T0 + 3000,
      lastLine: 'editing src/a.ts',
    });
    fold.fold(ev('task_done', { taskId: 's1', attempt: 1 }, 9));
    fold.setLastLine('s1', 'too late');
    expect(fold.state().slices[0]).toMatchObject({ state: 'done', lastLine: null, endedMs: T0 + 9000 });
    expect(fold.running()).toEqual([]);
  });

  it('hands out a copy: folding more does not change a state already returned', () => {
    const fold = new ProgressFold();
    fold.fold(ev('task_leased', { taskId: 's1', attempt: 1 }));
    const before = fold.state();
    fold.fold(ev('gates_verified', { taskId: 's1', outcomes: ['test:passed'] }));
    fold.fold(ev('task_done', { taskId: 's1', attempt: 1 }));
    expect(before.slices[0]).toMatchObject({ state: 'running', gates: [] });
    expect(fold.state().slices[0]).toMatchObject({ state: 'done', gates: ['test:passed'] });
  });

  it('keeps which gates of the last verification were judged by exit code only', () => {
    const fold = new ProgressFold([{ id: 's1', title: 'one' }]);
    fold.fold(ev('task_leased', { taskId: 's1', attempt: 1 }));
    fold.fold(
      ev('gates_verified', {
        taskId: 's1',
        outcomes: ['test:passed', 'style:pre_existing'],
        byExitCode: ['style'],
      }),
    );
    expect(fold.state().slices[0]).toMatchObject({ gatesByExitCode: ['style'] });
    // A later verification without any replaces it.
    fold.fold(ev('gates_verified', { taskId: 's1', outcomes: ['test:passed', 'style:passed'] }));
    expect(fold.state().slices[0]).toMatchObject({
      gates: ['test:passed', 'style:passed'],
      gatesByExitCode: [],
    });
  });

  it('keeps the last merge verdict until a later evaluation or the merge replaces it', () => {
    const blocked = ev('merge_evaluated', {
      pr: 4,
      merge: false,
      reasons: [
        { blocker: 'proof_check', detail: 'no omk/proof run on the head' },
        { blocker: 'checks_pending', detail: 'ci is pending' },
        { blocker: 7, detail: 'malformed: left out' },
      ],
      checks: [{ name: 'ci', state: 'pending' }],
    });
    const cleared = ev('merge_evaluated', { pr: 4, merge: true, sha: 'c'.repeat(40), reasons: [] });
    const merged = ev('goal_merged', { pr: 4, sha: 'c'.repeat(40), target: 'main' });
    const verdict = {
      pr: 4,
      merge: false,
      blockedBy: 'proof_check',
      reasons: ['no omk/proof run on the head', 'ci is pending'],
    };
    expect(runProgress([blocked]).mergeVerdict).toEqual(verdict);
    // An earlier evaluation folded late does not replace a later one.
    expect(runProgress([cleared, blocked]).mergeVerdict).toEqual({
      pr: 4,
      merge: true,
      blockedBy: null,
      reasons: [],
    });
    expect(progressSection(runProgress([blocked]), 'g-1')).toContain(
      '- ⛔ merge blocked by proof\\_check (PR \\#4): no omk/proof run on the head; ci is pending',
    );
    // Still said after other events, as every later render folds the same log.
    const later = runProgress([
      blocked,
      ev('pr_opened', { sliceId: null, number: 4, url: 'https://x/pull/4' }),
    ]);
    expect(later.mergeVerdict).toEqual(verdict);
    const afterClearing = progressSection(runProgress([blocked, cleared]), 'g-1').join('\n');
    expect(afterClearing).not.toContain('merge blocked');
    expect(afterClearing).toContain('merge of PR \\#4 cleared by the gate; merging');
    const done = progressSection(runProgress([blocked, cleared, merged]), 'g-1').join('\n');
    expect(done).not.toContain('merge of PR');
    expect(done).toContain('merged into `main`');
  });
});
