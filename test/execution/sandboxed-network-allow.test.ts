import { chmod, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBubblewrap } from '../../src/adapters/sandbox/bubblewrap.js';
import { findOnPath } from '../../src/runtime/doctor/path-lookup.js';
import { BUGGY_FIXTURE, createExecutionEnv, type ExecutionEnv, GOALS } from '../helpers/execution.js';
import { networkProbeScript } from '../helpers/network-probe.js';

/**
 * `sandbox.network: allow` through the CLI: an agent confined with `agents: allow` and
 * `allowedHosts: [localhost:<port>]` reaches a server on the host's loopback through HTTPS_PROXY
 * under that name, is refused it as 127.0.0.1 (not listed), and cannot connect directly.
 */
const PATH = process.env.PATH ?? '/usr/bin:/bin';
let env: ExecutionEnv;
let server: Server;
let port = 0;

beforeEach(async () => {
  env = await createExecutionEnv(BUGGY_FIXTURE);
  server = createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await env.cleanup();
});

describe('sandbox.network allow through the CLI', () => {
  it('reaches only the allowed host, through the proxy; the decision names it', async () => {
    const host = await createBubblewrap({ env: { PATH } }).probe();
    await env.repo.commit(
      {
        '.omk/config.yml': [
          'version: 1',
          'sandbox:',
          '  mode: required',
          '  network: { agents: allow, gates: none }',
          `  allowedHosts: ["localhost:${port}"]`,
          '',
        ].join('\n'),
      },
      'agents reach only the allowed host',
    );
    const probe = join(env.kit.dir, 'probe.cjs');
    await writeFile(probe, networkProbeScript(port));
    const agent = join(env.kit.dir, 'allow.sh');
    await writeFile(
      agent,
      [
        '#!/bin/sh',
        "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
        `node ${probe}`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      `script:${agent}`,
      '--sandbox',
      'required',
      '--json',
    );
    if (!host.available || !host.network.isolated || (await findOnPath('socat', { PATH })) === null) {
      console.warn(`sandbox network allow not exercised here: ${JSON.stringify(host)}`);
      expect(result.code).not.toBe(0);
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const transcript = await readFile(
      join(env.goalDir(id), 'artifacts', 'agent-runs', 's1-fix-the-bug-in-src-parser-js', 'transcript-1.log'),
      'utf8',
    );
    expect(transcript).toContain(`localhost:${port} 200 hello from the host`);
    expect(transcript).toContain(`127.0.0.1:${port} 403`);
    expect(transcript).toContain('direct ECONNREFUSED');
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({
        kind: 'sandbox',
        decision: 'sandboxed',
        reason: expect.stringContaining(`network: agents allow, gates none (allowed: localhost:${port})`),
      }),
    );
  }, 180_000);
});
