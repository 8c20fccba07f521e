import { describe, expect, it } from 'vitest';
import { identityOf, parseJsonlRecords, rebaseJsonl, renderJsonl } from './jsonl-merge.js';

const line = (seq: number, type: string, ts = '2026-01-01T00:00:00.000Z', data: object = {}) =>
  JSON.stringify({ v: 1, seq, ts, type, data });

const log = (...lines: string[]) => parseJsonlRecords(lines.map((l) => `${l}\n`).join(''));

describe('rebaseJsonl', () => {
  const shared = [line(1, 'goal_created'), line(2, 'plan_written')];

  it('keeps the remote history in place and numbers this side’s own appends after it', () => {
    const ours = log(...shared, line(3, 'task_leased', '2026-01-01T00:00:05.000Z'));
    const theirs = log(...shared, line(3, 'goal_paused', '2026-01-01T00:00:03.000Z'));
    const merged = rebaseJsonl(ours, theirs);
    expect(merged.records.map((r) => [r.seq, r.value.type])).toEqual([
      [1, 'goal_created'],
      [2, 'plan_written'],
      [3, 'goal_paused'],
      [4, 'task_leased'],
    ]);
    expect(merged.theirsOnly.map((r) => r.value.type)).toEqual(['goal_paused']);
    expect(merged.oursOnly.map((r) => r.value.type)).toEqual(['task_leased']);
    expect(merged.changed).toBe(true);
    // seq stays where the writer put it in the line.
    expect(renderJsonl(merged.records).split('\n')[3]).toBe(
      JSON.stringify({ v: 1, seq: 4, ts: '2026-01-01T00:00:05.000Z', type: 'task_leased', data: {} }),
    );
  });

  it('keeps an append both sides hold once, whatever seq each gave it', () => {
    const event = (seq: number) => line(seq, 'task_leased', '2026-01-01T00:00:05.000Z', { taskId: 's1' });
    const theirs = log(...shared, line(3, 'goal_paused'), event(4));
    const ours = log(...shared, event(3), line(4, 'agent_started'));
    const merged = rebaseJsonl(ours, theirs);
    expect(merged.records.map((r) => r.value.type)).toEqual([
      'goal_created',
      'plan_written',
      'goal_paused',
      'task_leased',
      'agent_started',
    ]);
    expect(merged.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps two equal appends of one side as two (a multiset, not a set)', () => {
    const spend = line(3, 'budget_spent', '2026-01-01T00:00:05.000Z');
    const ours = log(...shared, spend, line(4, 'budget_spent', '2026-01-01T00:00:05.000Z'));
    const merged = rebaseJsonl(ours, log(...shared, spend));
    expect(merged.records.filter((r) => r.value.type === 'budget_spent')).toHaveLength(2);
  });

  it('changes nothing when the remote is behind or equal, and takes the remote when this side is behind', () => {
    const ours = log(...shared, line(3, 'task_leased'));
    expect(rebaseJsonl(ours, log(...shared)).changed).toBe(false);
    expect(rebaseJsonl(ours, ours).changed).toBe(false);
    const behind = rebaseJsonl(log(...shared), ours);
    expect(behind.changed).toBe(true);
    expect(behind.records).toHaveLength(3);
  });

  it('gives both writers the same bytes for the same pair, and drops a torn line', () => {
    const theirs = log(...shared, line(3, 'goal_paused'));
    const ours = parseJsonlRecords(`${shared.join('\n')}\n${line(3, 'task_leased')}\n{"v":1,"se`);
    expect(ours).toHaveLength(3);
    expect(renderJsonl(rebaseJsonl(ours, theirs).records)).toBe(
      renderJsonl(rebaseJsonl(ours, theirs).records),
    );
  });
});

describe('identityOf', () => {
  it('ignores seq and key order', () => {
    expect(identityOf({ seq: 1, a: 1, b: { d: 1, c: 2 } })).toBe(
      identityOf({ b: { c: 2, d: 1 }, a: 1, seq: 9 }),
    );
    expect(identityOf({ seq: 1, a: 1 })).not.toBe(identityOf({ seq: 1, a: 2 }));
  });
});
