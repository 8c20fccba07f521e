import { createServer, type Socket } from 'node:net';

export interface Trap {
  /** `http://127.0.0.1:<port>`: what a hostile agent points a proxy or an `insteadOf` at. */
  url: string;
  /** Every byte any connection sent, as latin1 text, in arrival order. */
  received(): string;
  close(): Promise<void>;
}

/**
 * A loopback listener standing for an attacker's proxy or server: it records whatever reaches it
 * (a proxied request carries its headers in the clear, an Authorization header included) and
 * answers 502, so a client that reached it fails rather than hangs.
 */
export async function startTrap(): Promise<Trap> {
  const chunks: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (data) => {
      chunks.push(data.toString('latin1'));
      if (chunks.join('').includes('\r\n\r\n')) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('trap: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => chunks.join(''),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
