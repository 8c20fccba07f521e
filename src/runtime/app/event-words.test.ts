import { describe, expect, it } from 'vitest';
import { eventWords } from './event-words.js';

describe('eventWords', () => {
  it('words each event with its attempt, outcome, duration and number', () => {
    expect(eventWords({ type: 'agent_started', data: { taskId: 's1', attempt: 2 } })).toBe(
      'agent started (attempt 2)',
    );
    expect(
      eventWords({ type: 'agent_finished', data: { outcome: 'succeeded', attempt: 1, durationMs: 90_000 } }),
    ).toBe('agent succeeded (attempt 1) in 1m 30s');
    expect(eventWords({ type: 'gates_verified', data: { outcomes: ['test:passed', 'lint:failed'] } })).toBe(
      'gates test:passed; lint:failed',
    );
    expect(eventWords({ type: 'gates_verified', data: {} })).toBe('gates');
    expect(eventWords({ type: 'task_skipped', data: { because: 's1' } })).toBe('skipped (depends on s1)');
    expect(eventWords({ type: 'execution_started', data: { slice: 's2' } })).toBe('execution started for s2');
    expect(eventWords({ type: 'pr_opened', data: { number: 3 } })).toBe('PR opened #3');
    expect(eventWords({ type: 'pr_opened', data: {} })).toBe('PR opened');
  });

  it('reads an unknown type as its name', () => {
    expect(eventWords({ type: 'fix_requested', data: {} })).toBe('fix requested');
  });
});
