import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createNetworkWatch, NETWORK_FAILURE } from './network-stall.js';

const CODEX_NO_NETWORK = new URL(
  '../../../test/fixtures/agents/codex-0.171.0-no-network.jsonl',
  import.meta.url,
);

describe('createNetworkWatch', () => {
  it('stops codex 0.171 retrying a network it cannot reach once the streak lasts the limit (its recorded output)', async () => {
    const lines = (await readFile(CODEX_NO_NETWORK, 'utf8')).split('\n');
    let now = 0;
    const watch = createNetworkWatch(10_000, () => now);
    let stopped: string | null = null;
    for (const line of lines) {
      now += 1_000;
      stopped = watch(`${line}\n`);
      if (stopped !== null) break;
    }
    expect(stopped).toMatch(/^network: .*(?:failed to lookup address|waiting for network)/);
    // It stopped while codex was still retrying, not at the end of what it printed.
    expect(now).toBeLessThan(lines.length * 1_000);
  });

  it('any other line ends the streak; a line split across chunks is read whole', () => {
    let now = 0;
    const watch = createNetworkWatch(1_000, () => now);
    expect(watch('getaddrinfo ENOTFOUND api.example.com\n')).toBeNull();
    now = 900;
    expect(watch('editing src/app.ts\n')).toBeNull();
    now = 1_000;
    expect(watch('getaddrinfo ENOTF')).toBeNull();
    now = 1_500;
    expect(watch('OUND api.example.com\n')).toBeNull();
    now = 2_600;
    expect(watch('Reconnecting... 2/5\n')).toBe('network: Reconnecting... 2/5');
  });

  it('knows the failures of the CLIs it drives and not ordinary output', () => {
    for (const line of [
      'Cannot connect to API: Unable to connect. Is the computer able to access the url?',
      'stream disconnected before completion: failed to lookup address information: Name does not resolve',
      'Error: getaddrinfo EAI_AGAIN api.anthropic.com',
      'connect ECONNREFUSED 127.0.0.1:443',
    ]) {
      expect(NETWORK_FAILURE.test(line), line).toBe(true);
    }
    for (const line of [
      '{"type":"turn.started"}',
      'All 12 tests passed',
      'Connecting the parser to the lexer',
    ]) {
      expect(NETWORK_FAILURE.test(line), line).toBe(false);
    }
  });
});
