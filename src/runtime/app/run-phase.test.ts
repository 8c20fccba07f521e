import { describe, expect, it } from 'vitest';
import { movesRunPhase } from './run-phase.js';

describe('movesRunPhase', () => {
  it('a slice settling, integration, a PR, a merge or the run ending moves the run to its next phase', () => {
    for (const type of [
      'plan_written',
      'task_done',
      'task_pending',
      'integration_done',
      'pr_opened',
      'goal_merged',
    ]) {
      expect(movesRunPhase([type])).toBe(true);
    }
    expect(movesRunPhase(['task_leased', 'execution_finished'])).toBe(true);
  });

  it('leases, gate runs and spend do not: a comment is not edited for every attempt', () => {
    expect(movesRunPhase(['task_leased', 'agent_started', 'gates_verified', 'budget_spent'])).toBe(false);
    expect(movesRunPhase([])).toBe(false);
  });
});
