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

/**
 * Two confined runs at once, as two omk processes of the same user would start them: run A has
 * `network: allow` and its proxy; run B has `network: none`. A finds its proxy socket's path (in
 * its bridge's argv) and hands it to B through a shared directory; B must not be able to use it
 * (it would reach A's allowed hosts from a network namespace meant to reach nothing).
 */
describe('bubblewrap network: allow, a proxy socket seen from another sandbox', () => {
  let server: Server;
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'omk-two-sandboxes-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  // A: the socket's path from its bridge's argv, handed over; then wait until B is done.
  const runA = () => `
const fs = require('fs');
let found = '';
for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
  try {
    const arg = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').find((a) => a.startsWith('UNIX-CONNECT:'));
    if (arg) found = arg.slice('UNIX-CONNECT:'.length);
  } catch {}
}
console.log('socket ' + found);
fs.writeFileSync(process.argv[1] + '/socket', found);
const until = Date.now() + 15000;
const wait = () => fs.existsSync(process.argv[1] + '/done') || Date.now() > until ? process.exit(0) : setTimeout(wait, 50);
wait();
`;
  // B: once A's socket path is there, a CONNECT to A's allowed host through it.
  const runB = () => `
const fs = require('fs');
const http = require('http');
const dir = process.argv[1];
const until = Date.now() + 15000;
const finish = (line) => { console.log(line); fs.writeFileSync(dir + '/done', ''); process.exit(0); };
const attempt = () => {
  if (!fs.existsSync(dir + '/socket')) return Date.now() > until ? finish('no socket handed over') : setTimeout(attempt, 50);
  const socketPath = fs.readFileSync(dir + '/socket', 'utf8');
  if (socketPath === '') return finish('no socket handed over');
  const req = http.request({ socketPath, method: 'CONNECT', path: 'localhost:${port}' });
  req.on('connect', (res, socket, head) => {
    let data = head.toString();
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => finish('other proxy ' + res.statusCode + ' ' + data.trim()));
  });
  req.on('error', (e) => finish('other proxy error ' + e.code));
  req.end();
};
attempt();
`;

  it("cannot be reached from another run's sandbox", async () => {
    const spec = (script: string, network: 'allow' | 'none'): ProcessSpec => ({
      argv: [process.execPath, '-e', script, dir],
      cwd: tmpdir(),
      env: { PATH },
      timeoutMs: 30_000,
      tailChars: 4_000,
      confine: { writable: [dir], readable: [], network, allowedHosts: [`localhost:${port}`] },
    });
    // Two sandboxes of their own, as two omk processes have.
    const a = createBubblewrap({ env: { PATH } });
    const b = createBubblewrap({ env: { PATH } });
    const probed = await a.probe();
    const [resultA, resultB] = await Promise.all([
      a.runner(runProcess)(spec(runA(), 'allow')),
      b.runner(runProcess)(spec(runB(), 'none')),
    ]);
    if (!probed.available || !probed.network.isolated || (await findOnPath('socat', { PATH })) === null) {
      console.warn(`two sandboxes' proxies not exercised here: ${JSON.stringify(probed)}`);
      expect(resultA.exitCode).not.toBe(0);
      return;
    }
    expect(resultA.exitCode, resultA.tail).toBe(0);
    expect(resultB.exitCode, resultB.tail).toBe(0);
    // A did find its own socket (the attack is real), and B could not use it.
    expect(resultA.stdout).toMatch(/^socket \/.+/m);
    expect(resultB.stdout).toMatch(/other proxy error (ENOENT|EACCES|ECONNREFUSED)/);
    expect(resultB.stdout).not.toContain('hello from the host');
  });
});
