import { describe, expect, it } from 'vitest';
import { progressSection } from '../markdown/goal-sections.js';
import type { FixProgress } from './fix-progress.js';
import { fixWords } from './fix-words.js';
import { runProgress } from './progress.js';
import type { GoalEvent } from './schema.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, second: number): GoalEvent => {
  seq += 1;
  return { v: 1, seq, ts: new Date(T0 + second * 1000).toISOString(), type, data };
};

/** Fix 1 on the integrator PR #3: asked, its agent rate-limited once, run, committed, applied; fix 2 on a slice PR, failed. */
function fixRun(): GoalEvent[] {
  return [
    ev(
      'fix_requested',
      { fix: 1, taskId: 'fix-1', pr: 3, sliceId: null, requestIds: ['review-comment:41'] },
      0,
    ),
    ev('task_leased', { taskId: 'fix-1', attempt: 1, pr: 3, sliceId: null }, 1),
    ev('agent_started', { taskId: 'fix-1', attempt: 1, pid: 10 }, 1),
    ev('agent_rate_limited', { taskId: 'fix-1', attempt: 1, waitMs: 30_000, waitedMs: 0 }, 2),
  ];
}

describe('review fixes in the progress fold', () => {
  it('lists each fix with its PR, request, state and attempt, and a rate limit while it waits', () => {
    const progress = runProgress(fixRun());
    expect(progress.slices).toEqual([]);
    expect(progress.fixes).toEqual([
      {
        id: 'fix-1',
        pr: 3,
        sliceId: null,
        requests: ['review-comment:41'],
        state: 'running',
        attempt: 1,
        why: null,
        rateLimitedUntilMs: T0 + 32_000,
      },
    ]);
    expect(fixWords(progress.fixes[0] as FixProgress, T0 + 12_000)).toBe(
      'fix-1 for PR #3 (review-comment:41): running, attempt 1; rate-limited, runs again in 20.0 s',
    );
  });

  it('ends a fix as fix_applied / fix_failed say; an interrupted ending leaves it to run again', () => {
    const events = [
      ...fixRun(),
      ev('agent_started', { taskId: 'fix-1', attempt: 1, pid: 11 }, 33),
      ev('task_done', { taskId: 'fix-1', attempt: 1 }, 40),
      ev('fix_applied', { fix: 1, pr: 3, requestIds: ['review-comment:41'] }, 50),
      ev('fix_requested', { fix: 2, taskId: 'fix-2', pr: 1, sliceId: 's1', requestIds: ['comment:9'] }, 60),
      ev('task_leased', { taskId: 'fix-2', attempt: 1 }, 61),
      ev('fix_failed', { fix: 2, pr: 1, why: 'agent: crashed', interrupted: true }, 62),
    ];
    const interrupted = runProgress(events).fixes;
    expect(interrupted.map((fix) => [fix.id, fix.state, fix.attempt, fix.rateLimitedUntilMs])).toEqual([
      ['fix-1', 'applied', 1, null],
      ['fix-2', 'pending', 1, null],
    ]);
    const failed = runProgress([...events, ev('fix_failed', { fix: 2, pr: 1, why: 'no change' }, 70)]).fixes;
    expect(failed[1]).toMatchObject({ state: 'failed', why: 'no change', sliceId: 's1' });
    expect(fixWords(failed[1] as FixProgress)).toBe(
      'fix-2 for PR #1 (comment:9): failed, attempt 1: no change',
    );
  });

  it("the bot's status comment lists the fixes as the watch does", () => {
    const progress = runProgress([...fixRun(), ev('task_done', { taskId: 'fix-1', attempt: 1 }, 40)]);
    expect(progressSection(progress, 'g-1').at(-1)).toBe(
      '- 🔧 review fix-1 for PR \\#3 (review-comment:41): committed; verifying the goal again, attempt 1',
    );
  });
});
