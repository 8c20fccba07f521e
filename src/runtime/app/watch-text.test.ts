import { describe, expect, it } from 'vitest';
import { NEUTRAL_STEPS } from '../next-steps.js';
import { runProgress, type WatchView } from './index.js';
import { renderEventLine, renderGateTail, renderWatchView, stopLines } from './watch-text.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, second: number) => {
  seq += 1;
  return { v: 1, seq, ts: new Date(T0 + second * 1000).toISOString(), type, data };
};

function view(events: ReturnType<typeof ev>[], settled: WatchView['settled']): WatchView {
  return {
    goalId: 'fix-the-parser-abc123',
    goal: 'fix the parser',
    status: settled?.status ?? 'running',
    nowMs: T0 + 90_000,
    progress: runProgress(events, [
      { id: 's1', title: 'one' },
      { id: 's2', title: 'two' },
    ]),
    spent: { timeMs: 0, tokens: 0, usd: 0 },
    limits: { timeMs: null, tokens: null, usd: null },
    settled,
  };
}

describe('the watch view', () => {
  it('lists review fixes after the slices (state, attempt, PR, request) and a rate-limited wait', () => {
    const lines = renderWatchView(
      view(
        [
          ev('execution_started', {}, 0),
          ev('task_leased', { taskId: 's1', attempt: 1 }, 10),
          ev('agent_rate_limited', { taskId: 's1', attempt: 1, waitMs: 100_000 }, 20),
          ev(
            'fix_requested',
            { fix: 1, taskId: 'fix-1', pr: 3, sliceId: null, requestIds: ['review:7'] },
            30,
          ),
          ev('task_leased', { taskId: 'fix-1', attempt: 2 }, 40),
        ],
        null,
      ),
      NEUTRAL_STEPS,
    );
    expect(lines[1]).toBe('* s1  running  attempt 1  1m20s  rate-limited, runs again in 30.0 s');
    expect(lines[3]).toBe('* fix-1 for PR #3 (review:7): running, attempt 2');
    const fixLines = [
      ev('fix_requested', { fix: 1, taskId: 'fix-1', pr: 3, requestIds: ['review:7'] }, 30),
      ev('agent_rate_limited', { taskId: 'fix-1', attempt: 1, waitMs: 30_000 }, 31),
      ev('fix_applied', { fix: 1, pr: 3 }, 90),
    ].map(renderEventLine);
    expect(fixLines).toEqual([
      '00:00:30 fix-1: fix 1 asked on PR #3 (review:7)',
      '00:00:31 fix-1: agent rate-limited (attempt 1); waiting 30.0 s before running it again',
      '00:01:30 fix 1 applied on PR #3',
    ]);
  });

  it('writes token counts with their thousands separated, as every door does', () => {
    const counted = {
      ...view([ev('execution_started', {}, 0)], null),
      spent: { timeMs: 0, tokens: 12_345, usd: 0 },
      limits: { timeMs: null, tokens: 200_000, usd: null },
    };
    expect(renderWatchView(counted, NEUTRAL_STEPS)[0]).toContain(', 12,345 tokens of 200,000, ');
  });

  it('draws each slice of the fold with its state, attempt, elapsed time and gates', () => {
    const lines = renderWatchView(
      view(
        [
          ev('execution_started', {}, 0),
          ev('task_leased', { taskId: 's1', attempt: 1 }, 10),
          ev('task_pending', { taskId: 's1', attempt: 1 }, 40),
          ev('task_leased', { taskId: 's2', attempt: 2 }, 30),
          ev('gates_verified', { taskId: 's2', outcomes: ['test:failed'] }, 60),
        ],
        null,
      ),
      NEUTRAL_STEPS,
    );
    expect(lines[0]).toMatch(/^goal fix-the-parser-abc123 \[running\] {2}1m30s {2}spent/);
    expect(lines[1]).toBe('~ s1  waiting  attempt 1  30.0 s');
    expect(lines[2]).toBe('* s2  running  attempt 2  1m  gates test:failed');
    expect(lines.join('\n')).not.toContain('what to do');
  });

  it('calls a gate pre-existing only when its failures were compared one by one, else says it was judged by exit code', () => {
    const verified = ev(
      'gates_verified',
      {
        taskId: 's1',
        sha: 'abc',
        outcomes: ['test:passed', 'lint:pre_existing', 'style:pre_existing', 'fmt:unavailable'],
        byExitCode: ['style'],
      },
      20,
    );
    const lines = renderWatchView(
      view([ev('task_leased', { taskId: 's1', attempt: 1 }, 10), verified], null),
      NEUTRAL_STEPS,
    );
    expect(lines[1]).toBe(
      '* s1  running  attempt 1  1m20s  gates test:passed; lint:pre-existing; ' +
        'style:failing on base too, judged by exit code; fmt:could not start',
    );
    expect(renderEventLine(verified)).toBe(
      '00:00:20 s1: gates test:passed; lint:pre-existing; style:failing on base too, judged by exit code; fmt:could not start',
    );
    expect(
      renderGateTail(verified, { gate: 'style', outcome: 'pre_existing', byExitCode: true, lines: ['x'] }),
    ).toBe('s1 › gate style failing on base too, judged by exit code:\n    x\n');
    expect(
      renderGateTail(verified, { gate: 'lint', outcome: 'pre_existing', byExitCode: false, lines: [] }),
    ).toBe('s1 › gate lint pre-existing:\n    (the log is empty)\n');
  });

  it('says what failed and what to do once a run settles short of done, and only then', () => {
    const events = [
      ev('execution_started', {}, 0),
      ev('task_failed', { taskId: 's1', attempts: 3, failure: 'git push failed in /tmp/x' }, 5),
      ev('execution_finished', {}, 6),
    ];
    expect(stopLines(view(events, null), NEUTRAL_STEPS)).toEqual([]);
    const lines = stopLines(view(events, { status: 'failed', stoppedBy: null }), NEUTRAL_STEPS);
    expect(lines[0]).toBe('  stopped: slice(s) s1 did not pass their gates within their attempts.');
    expect(lines[1]).toContain("'goal proof fix-the-parser-abc123'");
    expect(lines.join('\n')).not.toContain('/tmp');
    const paused = view([ev('execution_interrupted', { by: 'pause' }, 3)], {
      status: 'paused',
      stoppedBy: 'pause',
    });
    expect(stopLines(paused, NEUTRAL_STEPS)).toEqual(['  paused']);
  });
});
