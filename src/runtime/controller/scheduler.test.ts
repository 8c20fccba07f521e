import { describe, expect, it } from 'vitest';
import type { Task } from '../graph/schema.js';
import { planRequiredGates } from './required-gates.js';
import { addSpend, blockedByFailure, budgetDecision, readyTasks } from './scheduler.js';

function task(id: string, status: Task['status'], dependsOn: string[] = [], timeMs = 60_000): Task {
  return {
    id,
    title: id,
    description: '',
    ownerRole: 'implementer',
    dependsOn,
    reads: [],
    writes: [id],
    risk: 'low',
    acceptance: [],
    budget: { timeMs, tokens: null, usd: null },
    maxRetries: 1,
    status,
    attempts: 0,
  };
}

describe('scheduler', () => {
  it('finds ready tasks whose dependencies are done', () => {
    const tasks = [
      task('a', 'done'),
      task('b', 'pending', ['a']),
      task('c', 'pending', ['b']),
      task('d', 'pending'),
    ];
    expect(readyTasks(tasks).map((t) => t.id)).toEqual(['b', 'd']);
  });

  it('finds tasks blocked by a failed or skipped dependency', () => {
    const tasks = [
      task('a', 'failed'),
      task('b', 'pending', ['a']),
      task('c', 'skipped'),
      task('d', 'pending', ['c']),
    ];
    expect(blockedByFailure(tasks).map((b) => [b.task.id, b.dependency])).toEqual([
      ['b', 'a'],
      ['d', 'c'],
    ]);
  });

  it('refuses to dispatch when a limit is spent, and rejects a task that would exceed the time left', () => {
    const limits = { timeMs: 100_000, tokens: 1_000, usd: null };
    expect(budgetDecision(limits, { timeMs: 0, tokens: 0, usd: 0 }, task('a', 'pending'))).toEqual({
      dispatch: true,
      timeoutMs: 60_000,
    });
    expect(budgetDecision(limits, { timeMs: 50_000, tokens: 0, usd: 0 }, task('a', 'pending'))).toMatchObject(
      {
        dispatch: false,
        exhausted: false,
      },
    );
    expect(budgetDecision(limits, { timeMs: 0, tokens: 1_000, usd: 0 }, task('a', 'pending'))).toEqual({
      dispatch: false,
      exhausted: true,
      which: 'tokens',
    });
    expect(addSpend({ timeMs: 1, tokens: 2, usd: 0.1 }, { timeMs: 1, usd: 0.2 })).toEqual({
      timeMs: 2,
      tokens: 2,
      usd: 0.3,
    });
  });
});

describe('planRequiredGates', () => {
  const gate = (name: string, kind: string) => ({
    name,
    kind,
    argv: ['x'],
    required: false,
    timeoutMs: 1,
    source: 't',
  });
  it('keeps kinds the project has, drops others with a reason, and never drops test', () => {
    const plan = planRequiredGates(['test', 'lint', 'typecheck', 'security-review'], [gate('lint', 'lint')]);
    expect(plan.required).toEqual(['test', 'lint', 'security-review']);
    expect(plan.gates).toEqual([expect.objectContaining({ name: 'lint', required: true })]);
    expect(plan.notes.join('\n')).toContain('no typecheck gate');
    expect(plan.notes.join('\n')).toContain('needs a test gate');
  });
});
