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

/** How long a follower's stop takes after one phase edit landed. */
async function stopAfterOneEdit(host: BotHost<KeyedJob>): Promise<{ edits: number; stopMs: number }> {
  let edits = 0;
  const follower = host.follow('g1', async () => {
    edits += 1;
  });
  host.host.eventsAppended?.('g1', ['task_done']);
  await sleep(20);
  const t0 = performance.now();
  await follower.stop();
  return { edits, stopMs: performance.now() - t0 };
}

describe('BotHost.follow', () => {
  it('spaces the status edits by OMK_BOT_STATUS_GAP_MS: stop waits out the gap after the last edit', async () => {
    const spaced = await stopAfterOneEdit(botHost({ OMK_BOT_STATUS_GAP_MS: '400' }));
    expect(spaced.edits).toBe(1);
    expect(spaced.stopMs).toBeGreaterThanOrEqual(300);
    const unspaced = await stopAfterOneEdit(botHost({ OMK_BOT_STATUS_GAP_MS: '0' }));
    expect(unspaced.edits).toBe(1);
    expect(unspaced.stopMs).toBeLessThan(300);
  });
});
