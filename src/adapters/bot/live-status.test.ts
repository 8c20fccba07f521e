import { describe, expect, it } from 'vitest';
import { LiveStatus } from './live-status.js';

const GAP = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function live(publishMs = 0, fail = false) {
  const edits: number[] = [];
  const warnings: string[] = [];
  const status = new LiveStatus({
    publish: async () => {
      edits.push(performance.now());
      await sleep(publishMs);
      if (fail) throw new Error('502 from GitHub');
    },
    nowMs: () => performance.now(),
    warn: (message) => warnings.push(message),
    gapMs: GAP,
  });
  return { status, edits, warnings };
}

describe('LiveStatus', () => {
  it('edits at once on a phase event, then coalesces a burst into one edit a gap later', async () => {
    const { status, edits } = live(20);
    status.onEvents(['plan_written']);
    await sleep(10);
    expect(edits).toHaveLength(1);
    for (const type of ['task_done', 'task_done', 'integration_done', 'pr_opened']) status.onEvents([type]);
    await sleep(GAP * 3);
    expect(edits).toHaveLength(2);
    expect((edits[1] ?? 0) - (edits[0] ?? 0)).toBeGreaterThanOrEqual(GAP);
    await status.stop();
  });

  it('edits when a slice settles in any way, a failed attempt with attempts left included', async () => {
    for (const type of [
      'task_done',
      'task_failed',
      'task_skipped',
      'task_pending',
      'integration_repair_started',
    ]) {
      const { status, edits } = live();
      status.onEvents(['task_leased', type]);
      await sleep(10);
      expect(edits, type).toHaveLength(1);
      await status.stop();
    }
  });

  it('ignores events that change no phase', async () => {
    const { status, edits } = live();
    status.onEvents(['task_leased', 'agent_started', 'budget_spent', 'gates_verified']);
    await sleep(GAP);
    expect(edits).toHaveLength(0);
    await status.stop();
  });

  it('stop waits for the edit in flight and the gap after it, and drops what was pending', async () => {
    const { status, edits } = live(40);
    status.onEvents(['task_done']);
    await sleep(5);
    status.onEvents(['task_failed']);
    const t0 = performance.now();
    await status.stop();
    const stoppedAt = performance.now();
    expect(edits).toHaveLength(1);
    expect(stoppedAt - (edits[0] ?? 0)).toBeGreaterThanOrEqual(GAP - 1);
    expect(stoppedAt).toBeGreaterThan(t0);
    status.onEvents(['goal_merged']);
    await sleep(GAP);
    expect(edits).toHaveLength(1);
  });

  it('logs a failed edit and keeps following', async () => {
    const { status, edits, warnings } = live(0, true);
    status.onEvents(['task_done']);
    await sleep(20);
    status.onEvents(['task_done']);
    await sleep(GAP * 2);
    expect(edits).toHaveLength(2);
    expect(warnings).toEqual([
      'status comment not updated: 502 from GitHub',
      'status comment not updated: 502 from GitHub',
    ]);
    await status.stop();
  });
});
