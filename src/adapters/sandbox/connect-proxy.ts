import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * The HTTP CONNECT proxy a confined process with `network: allow` reaches its allowed hosts
 * through: it listens on a unix socket outside the sandbox (bridged to a TCP port inside it by
 * socat, as @anthropic-ai/sandbox-runtime does) and opens a tunnel only to a listed host and port.
 * Plain HTTP requests are refused: model APIs speak HTTPS, and a tunnel names its host before any
 * byte passes, so the list is the whole rule.
 */
export interface ConnectProxy {
  close(): Promise<void>;
}

/** `host` allows port 443, `host:port` that port; `*.example.com` any subdomain of example.com. */
export function allowsHost(allowed: readonly string[], host: string, port: number): boolean {
  const wanted = host.toLowerCase().replace(/^\[|\]$/g, '');
  return allowed.some((entry) => {
    const at = entry.lastIndexOf(':');
    const hasPort = at > 0 && /^\d+$/.test(entry.slice(at + 1));
    const name = (hasPort ? entry.slice(0, at) : entry).toLowerCase();
    const entryPort = hasPort ? Number(entry.slice(at + 1)) : 443;
    if (entryPort !== port) return false;
    if (name.startsWith('*.')) return wanted.endsWith(name.slice(1)) && wanted.length > name.length - 1;
    return wanted === name;
  });
}

/** `host:port` of a CONNECT request, or null when it is not one. */
function target(req: IncomingMessage): { host: string; port: number } | null {
  const match = /^(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(req.url ?? '');
  if (match === null) return null;
  const port = Number(match[2]);
  return port > 0 && port < 65_536 ? { host: match[1] ?? '', port } : null;
}

export async function startConnectProxy(
  socketPath: string,
  allowed: readonly string[],
): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((_req, res) => {
    res
      .writeHead(405, { 'content-type': 'text/plain' })
      .end('omk sandbox proxy: only CONNECT (HTTPS) is relayed\n');
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const to = target(req);
    if (to === null || !allowsHost(allowed, to.host, to.port)) {
      client.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nomk sandbox: ${req.url ?? ''} is not in sandbox.allowedHosts\n`,
      );
      return;
    }
    const upstream = connect({ host: to.host.replace(/^\[|\]$/g, ''), port: to.port });
    track(upstream);
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
