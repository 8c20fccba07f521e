import { describe, expect, it } from 'vitest';
import {
  acceptJob,
  commandFingerprint,
  type IntakePort,
  observedRun,
  REPEAT_WINDOW_MS,
} from './job-intake.js';

/** A port with the adapters' rules in small: a key map, a fingerprint window, a queue of `room` places. */
function port(room: number) {
  const seen = new Map<string, string>();
  const recent = new Map<string, { key: string; until: number }>();
  const queued: string[] = [];
  const log: string[] = [];
  let now = 1_000;
  const p: IntakePort = {
    recordOnce: (key, deliveryId) => {
      const known = seen.get(key);
      if (known !== undefined) return known;
      seen.set(key, deliveryId);
      return null;
    },
    forget: (key) => void seen.delete(key),
    sameAs: (print, key, nowMs) => {
      const known = recent.get(print);
      if (known !== undefined && known.until >= nowMs && known.key !== key) return known.key;
      recent.set(print, { key, until: nowMs + REPEAT_WINDOW_MS });
      return null;
    },
    push: (key) => {
      if (queued.length >= room) return 'full';
      queued.push(key);
      return 'queued';
    },
    nowMs: () => now,
    info: (message) => void log.push(message),
  };
  return { p, seen, queued, log, advance: (ms: number) => (now += ms) };
}

const line = (key: string, deliveryId: string, fingerprint: string | null = null) => ({
  key,
  deliveryId,
  what: `comment ${key}`,
  fingerprint,
});

describe('acceptJob', () => {
  it('queues a new job once: a redelivery of its key is skipped and named by the first delivery', () => {
    const { p, queued, log } = port(5);
    let acks = 0;
    expect(acceptJob(p, line('o/r#1', 'd1'), () => (acks += 1))).toBe('queued');
    expect(acceptJob(p, line('o/r#1', 'd2'), () => (acks += 1))).toBe('skipped');
    expect(queued).toEqual(['o/r#1']);
    expect(acks).toBe(1);
    expect(log).toEqual(['delivery d2: comment o/r#1 was already accepted (delivery d1)']);
  });

  it('skips the same command within a minute, runs it again after the window', () => {
    const { p, queued, log, advance } = port(5);
    const print = commandFingerprint({ repo: 'o/r', issue: 3, author: 'ada', line: '/omk goal status' });
    expect(acceptJob(p, line('o/r#1', 'd1', print))).toBe('queued');
    advance(REPEAT_WINDOW_MS - 1);
    expect(acceptJob(p, line('o/r#2', 'd2', print))).toBe('skipped');
    expect(log.at(-1)).toBe('comment o/r#2 repeats o/r#1 within a minute; not run twice');
    advance(2);
    expect(acceptJob(p, line('o/r#3', 'd3', print))).toBe('queued');
    expect(queued).toEqual(['o/r#1', 'o/r#3']);
  });

  it('never counts a job without a fingerprint (a review) as a repeat', () => {
    const { p, queued } = port(5);
    expect(acceptJob(p, line('o/r#10', 'd1'))).toBe('queued');
    expect(acceptJob(p, line('o/r#11', 'd2'))).toBe('queued');
    expect(queued).toEqual(['o/r#10', 'o/r#11']);
  });

  it('forgets a job the full queue refused, so its redelivery is taken', () => {
    const { p, seen, queued } = port(0);
    expect(acceptJob(p, line('o/r#1', 'd1'))).toBe('full');
    expect(seen.has('o/r#1')).toBe(false);
    queued.length = 0;
    const roomy: IntakePort = {
      ...p,
      push: (key) => {
        queued.push(key);
        return 'queued';
      },
    };
    expect(acceptJob(roomy, line('o/r#1', 'd2'))).toBe('queued');
    expect(queued).toEqual(['o/r#1']);
  });

  it('tells a command from another thread, person or text apart', () => {
    const base = { repo: 'o/r', issue: 3, author: 'ada', line: '/omk goal status' };
    const prints = new Set([
      commandFingerprint(base),
      commandFingerprint({ ...base, issue: 4 }),
      commandFingerprint({ ...base, author: 'bob' }),
      commandFingerprint({ ...base, line: '/omk goal proof' }),
      commandFingerprint({ ...base, repo: 'o/s' }),
    ]);
    expect(prints.size).toBe(5);
  });
});

describe('observedRun', () => {
  it('reports success as null and a failure as its error, which still reaches the queue', async () => {
    const heard: unknown[] = [];
    const done = (_job: string, error: unknown) => void heard.push(error);
    await observedRun('a', async () => {}, done)();
    const boom = new Error('boom');
    await expect(
      observedRun(
        'b',
        async () => {
          throw boom;
        },
        done,
      )(),
    ).rejects.toBe(boom);
    expect(heard).toEqual([null, boom]);
  });
});
