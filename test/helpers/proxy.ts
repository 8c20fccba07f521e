import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: what HTTP_PROXY / HTTPS_PROXY are set to. */
  url: string;
  /** Requests seen: `CONNECT host:port` tunnels, and plain `METHOD http://host:port/path` forwards. */
  seen: { connect: string[]; forward: string[] };
  close(): Promise<void>;
}

/**
 * A forward proxy on loopback that counts what goes through it. It serves both kinds of proxied
 * request (CONNECT tunnels, as undici's ProxyAgent makes; absolute-URI requests, as git/curl make
 * for http:// URLs) and resolves names itself from `hosts` (name → 127.0.0.1 port), so a request
 * for such a name can only succeed through it: the name resolves nowhere else.
 */
export async function startCountingProxy(hosts: Record<string, string>): Promise<CountingProxy> {
  const seen = { connect: [] as string[], forward: [] as string[] };
  const resolve = (host: string, port: string) =>
    hosts[host] === undefined ? null : { host: hosts[host], port };
  const server = createServer((req: IncomingMessage, res) => {
    const target = new URL(req.url ?? '');
    seen.forward.push(`${req.method} ${target.host}${target.pathname}`);
    const to = resolve(target.hostname, target.port || '80');
    if (to === null) {
      res.writeHead(502).end(`unknown host ${target.hostname}`);
      return;
    }
    const upstream = httpRequest(
      {
        host: to.host,
        port: Number(to.port),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.connect.push(req.url ?? '');
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    const to = resolve(host, port);
    if (to === null) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(to.port), to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
