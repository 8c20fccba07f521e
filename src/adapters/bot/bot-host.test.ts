import { describe, expect, it } from 'vitest';
import { systemClock } from '../../runtime/app/ports.js';
import { BotHost, type KeyedJob } from './bot-host.js';
import { readBotConfig } from './config.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function botHost(env: Record<string, string>): BotHost<KeyedJob> {
  return new BotHost<KeyedJob>({
    config: readBotConfig(env),
    env,
    clock: systemClock,
    host: { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false },
    reporter: { info: () => {}, warn: () => {} },
    githubFor: () => Promise.reject(new Error('no GitHub in this test')),
  });
}

/** One phase edit, then stop: how long stop took, and how long after the edit it returned. */
async function stopAfterOneEdit(
  host: BotHost<KeyedJob>,
): Promise<{ edits: number; stopMs: number; sinceEditMs: number }> {
  const edits: number[] = [];
  const follower = host.follow('g1', async () => {
    edits.push(performance.now());
  });
  host.host.eventsAppended?.('g1', ['task_done']);
  await sleep(20);
  const t0 = performance.now();
  await follower.stop();
  const end = performance.now();
  return { edits: edits.length, stopMs: end - t0, sinceEditMs: end - (edits[0] ?? end) };
}

describe('BotHost.follow', () => {
  it('spaces the status edits by OMK_BOT_STATUS_GAP_MS: stop waits out the gap after the last edit', async () => {
    const spaced = await stopAfterOneEdit(botHost({ OMK_BOT_STATUS_GAP_MS: '400' }));
    expect(spaced.edits).toBe(1);
    expect(spaced.sinceEditMs).toBeGreaterThanOrEqual(399);
    const unspaced = await stopAfterOneEdit(botHost({ OMK_BOT_STATUS_GAP_MS: '0' }));
    expect(unspaced.edits).toBe(1);
    expect(unspaced.stopMs).toBeLessThan(300);
  });
});
