import { describe, expect, it } from 'vitest';
import { renderReplayJson, renderReplayText } from './replay.js';
import type { GoalEvent, SkippedLine } from './schema.js';

const events: GoalEvent[] = [
  {
    v: 1,
    seq: 1,
    ts: '2024-05-01T10:00:00.000Z',
    type: 'goal_created',
    data: { text: 'fix the login bug', id: 'g-1' },
  },
  {
    v: 1,
    seq: 2,
    ts: '2024-05-01T10:00:01.000Z',
    type: 'task_accepted',
    data: {
      zeta: { b: 2, a: [1, { d: 4, c: 3 }] },
      alpha: 3,
      beta: true,
      gamma: null,
      empty: '',
      path: 'src/a.ts',
    },
  },
  { v: 1, seq: 3, ts: '2024-05-01T10:00:02.000Z', type: 'goal_paused', data: {} },
  {
    v: 1,
    seq: 4,
    ts: '2024-05-01T10:00:03.000Z',
    type: 'goal_blocked',
    data: { why: 'esc\u001b[31m\u009bred\nnext' },
  },
];
const skipped: SkippedLine[] = [
  { line: 3, reason: 'not valid JSON', torn: false },
  { line: 9, reason: 'does not match\nthe schema', torn: true },
];

describe('renderReplayText', () => {
  it('renders one line per event with sorted keys, then the skipped lines', () => {
    expect(renderReplayText('g-1', events, skipped)).toBe(
      [
        'goal g-1: 4 events, 2 skipped lines',
        '#1 2024-05-01T10:00:00.000Z goal_created id=g-1 text="fix the login bug"',
        '#2 2024-05-01T10:00:01.000Z task_accepted alpha=3 beta=true empty="" gamma=null path=src/a.ts zeta={"a":[1,{"c":3,"d":4}],"b":2}',
        '#3 2024-05-01T10:00:02.000Z goal_paused',
        '#4 2024-05-01T10:00:03.000Z goal_blocked why="esc\\u001b[31m\\u009bred\\nnext"',
        '! line 3 skipped: not valid JSON',
        '! line 9 skipped: does not match the schema (torn write)',
        '',
      ].join('\n'),
    );
  });

  it('is deterministic, whatever order the data keys came in', () => {
    const reordered = events.map((e) => ({
      ...e,
      data: Object.fromEntries(Object.entries(e.data).reverse()),
    }));
    const first = renderReplayText('g-1', events, skipped);
    expect(renderReplayText('g-1', events, skipped)).toBe(first);
    expect(renderReplayText('g-1', reordered, skipped)).toBe(first);
  });

  it('renders an empty history', () => {
    expect(renderReplayText('g-1', [], [])).toBe('goal g-1: 0 events, 0 skipped lines\n');
  });
});

describe('renderReplayJson', () => {
  it('parses back to the same goal, events and skipped lines', () => {
    const text = renderReplayJson('g-1', events, skipped);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ goalId: 'g-1', events, skipped });
  });

  it('is deterministic and puts one event per line', () => {
    const text = renderReplayJson('g-1', events, skipped);
    expect(renderReplayJson('g-1', events, skipped)).toBe(text);
    expect(text.split('\n').filter((line) => line.trimStart().startsWith('{"v":1,'))).toHaveLength(
      events.length,
    );
  });

  it('renders empty arrays compactly', () => {
    expect(renderReplayJson('g-1', [], [])).toBe(
      '{\n  "goalId": "g-1",\n  "events": [],\n  "skipped": []\n}\n',
    );
  });
});
