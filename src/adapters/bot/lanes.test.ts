import { describe, expect, it } from 'vitest';
import { JobLanes, RecentKeys } from './lanes.js';

function lanes() {
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
  return { lanes: new JobLanes({ commandConcurrency: 1, runConcurrency: 1, limit: 10 }, log), lines };
}

describe('JobLanes', () => {
  it('waits for both lanes and tracked calls, then refuses new jobs once drained', async () => {
    const { lanes: l, lines } = lanes();
    const order: string[] = [];
    l.push('a', async () => {
      order.push('command');
      l.runs.push('run', async () => {
        order.push('run');
      });
    });
    l.track(new Promise((resolve) => setTimeout(resolve, 20)).then(() => order.push('tracked')));
    const shutdown = new AbortController();
    expect(await l.drain(shutdown, 5_000)).toBe(true);
    expect(order).toEqual(['command', 'run', 'tracked']);
    expect(shutdown.signal.aborted).toBe(true);
    expect(l.push('late', async () => {})).toBe('full');
    expect(lines).toContain('info job late refused: the app is shutting down');
    expect(lines).toContain('info shutdown: every job finished');
  });

  it('logs a failed job and gives up waiting after the timeout', async () => {
    const { lanes: l, lines } = lanes();
    l.push('boom', async () => {
      throw new Error('exploded');
    });
    await l.idle();
    expect(lines).toContain('warn job boom failed: exploded');
    l.push('slow', () => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await l.drain(new AbortController(), 20)).toBe(false);
    expect(lines).toContain('warn shutdown: jobs still running after 20 ms; stopping anyway');
    await l.idle();
  });
});

describe('RecentKeys', () => {
  it('maps the same fingerprint within the window to the first key, and forgets it after', () => {
    const recent = new RecentKeys(60_000);
    expect(recent.sameAs('thread#me#/omk goal pause', 'k1', 0)).toBeNull();
    expect(recent.sameAs('thread#me#/omk goal pause', 'k1', 10)).toBeNull();
    expect(recent.sameAs('thread#me#/omk goal pause', 'k2', 59_000)).toBe('k1');
    expect(recent.sameAs('thread#me#/omk goal pause', 'k3', 200_000)).toBeNull();
  });
});
