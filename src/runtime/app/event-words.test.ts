import { describe, expect, it } from 'vitest';
import { eventWords } from './event-words.js';

describe('eventWords', () => {
  it('words each event with its attempt, outcome, duration and number', () => {
    expect(eventWords({ type: 'agent_started', data: { taskId: 's1', attempt: 2 } })).toBe(
      'agent started (attempt 2)',
    );
    expect(
      eventWords({ type: 'agent_finished', data: { outcome: 'succeeded', attempt: 1, durationMs: 90_000 } }),
    ).toBe('agent succeeded (attempt 1) in 1m30s');
    expect(eventWords({ type: 'gates_verified', data: { outcomes: ['test:passed', 'lint:failed'] } })).toBe(
      'gates test:passed; lint:failed',
    );
    expect(eventWords({ type: 'gates_verified', data: {} })).toBe('gates');
    expect(eventWords({ type: 'task_skipped', data: { because: 's1' } })).toBe('skipped (depends on s1)');
    expect(eventWords({ type: 'execution_started', data: { slice: 's2' } })).toBe('execution started for s2');
    expect(eventWords({ type: 'pr_opened', data: { number: 3 } })).toBe('PR opened #3');
    expect(eventWords({ type: 'pr_opened', data: {} })).toBe('PR opened');
    expect(eventWords({ type: 'workspace_fallback', data: { reason: 'git worktree add failed' } })).toBe(
      'runs in a branch checkout, not a worktree: git worktree add failed',
    );
  });

  it('reads an unknown type as its name', () => {
    expect(eventWords({ type: 'slice_result_folded', data: {} })).toBe('slice result folded');
  });

  it("says a review fix's request, ending and a rate limit's wait", () => {
    expect(
      eventWords({ type: 'fix_requested', data: { fix: 2, pr: 7, requestIds: ['review-comment:41'] } }),
    ).toBe('fix 2 asked on PR #7 (review-comment:41)');
    expect(eventWords({ type: 'fix_applied', data: { fix: 2, pr: 7 } })).toBe('fix 2 applied on PR #7');
    expect(eventWords({ type: 'fix_failed', data: { fix: 2, pr: 7, why: 'no change' } })).toBe(
      'fix 2 failed on PR #7: no change',
    );
    expect(eventWords({ type: 'fix_failed', data: { fix: 2, pr: 7, interrupted: true } })).toBe(
      'fix 2 on PR #7 interrupted; it runs again on resume',
    );
    expect(eventWords({ type: 'agent_rate_limited', data: { attempt: 1, waitMs: 20_000 } })).toBe(
      'agent rate-limited (attempt 1); waiting 20.0 s before running it again',
    );
  });
});
