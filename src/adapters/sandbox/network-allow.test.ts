import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkProbeScript } from '../../../test/helpers/network-probe.js';
import { findOnPath } from '../../runtime/doctor/path-lookup.js';
import type { ProcessSpec } from '../../runtime/ports.js';
import { runProcess } from '../process/run-process.js';
import { createBubblewrap } from './bubblewrap.js';
import { allowsHost } from './connect-proxy.js';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

describe('allowsHost', () => {
  it('takes a host for port 443, host:port for that port, and *.domain for its subdomains only', () => {
    const list = ['api.anthropic.com', 'localhost:8080', '*.googleapis.com'];
    expect(allowsHost(list, 'api.anthropic.com', 443)).toBe(true);
    expect(allowsHost(list, 'API.Anthropic.com', 443)).toBe(true);
    expect(allowsHost(list, 'api.anthropic.com', 80)).toBe(false);
    expect(allowsHost(list, 'evil.anthropic.com', 443)).toBe(false);
    expect(allowsHost(list, 'api.anthropic.com.evil.net', 443)).toBe(false);
    expect(allowsHost(list, 'localhost', 8080)).toBe(true);
    expect(allowsHost(list, 'localhost', 443)).toBe(false);
    expect(allowsHost(list, 'generativelanguage.googleapis.com', 443)).toBe(true);
    expect(allowsHost(list, 'googleapis.com', 443)).toBe(false);
    expect(allowsHost(list, 'xgoogleapis.com', 443)).toBe(false);
    expect(allowsHost([], 'api.anthropic.com', 443)).toBe(false);
  });
});

/**
 * `network: allow` against a TCP server on the host's loopback: through the proxy (HTTPS_PROXY, a
 * CONNECT tunnel) a listed host:port answers; the same server under a name not listed is refused
 * by the proxy; a direct connection finds nothing (the sandbox's own loopback).
 */
describe('bubblewrap network: allow', () => {
  let server: Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      accepted += 1;
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const script = () => networkProbeScript(port);

  const spec = (): ProcessSpec => ({
    argv: [process.execPath, '-e', script()],
    cwd: tmpdir(),
    env: { PATH },
    timeoutMs: 20_000,
    tailChars: 4_000,
    confine: { writable: [], readable: [], network: 'allow', allowedHosts: [`localhost:${port}`] },
  });

  it('reaches a listed host through the proxy, is refused an unlisted one, and cannot connect directly', async () => {
    const sandbox = createBubblewrap({ env: { PATH } });
    const probed = await sandbox.probe();
    const run = sandbox.runner(runProcess);
    const before = accepted;
    const result = await run(spec());
    if (!probed.available || !probed.network.isolated || (await findOnPath('socat', { PATH })) === null) {
      // Reported, not skipped: this host cannot give a command a network of its own, or has no socat.
      console.warn(`network: allow not exercised here: ${JSON.stringify(probed)}`);
      expect(result.exitCode).not.toBe(0);
      return;
    }
    expect(result.exitCode, result.tail).toBe(0);
    expect(result.stdout).toContain(`localhost:${port} 200 hello from the host`);
    expect(result.stdout).toContain(`127.0.0.1:${port} 403`);
    expect(result.stdout).toContain('direct ECONNREFUSED');
    // Only the tunnel to the listed name reached the server.
    expect(accepted - before).toBe(1);
  });

  it('refuses to start without socat rather than run with the network open', async () => {
    const bwrap = await findOnPath('bwrap', { PATH });
    const dir = await mkdtemp(join(tmpdir(), 'omk-no-socat-'));
    try {
      // A PATH with bwrap but no socat.
      if (bwrap !== null) await symlink(bwrap, join(dir, 'bwrap'));
      const sandbox = createBubblewrap({ env: { PATH: dir } });
      const result = await sandbox.runner(runProcess)({ ...spec(), env: { PATH: dir } });
      expect(result.exitCode).toBeNull();
      const probed = await sandbox.probe();
      expect(result.spawnError).toContain(
        probed.available
          ? 'sandbox network allow needs socat, which is not on the PATH'
          : 'the sandbox is unavailable',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
