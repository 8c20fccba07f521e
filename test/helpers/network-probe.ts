/**
 * A node script for a confined process under `sandbox.network: allow`: tries a CONNECT tunnel
 * through `HTTPS_PROXY` to `localhost:<port>` (listed) and `127.0.0.1:<port>` (not listed), then a
 * direct connection to the host's loopback; prints one line each (`<to> 200 <what came through>`,
 * `<to> <status>`, `direct reached` or `direct <error code>`).
 */
export function networkProbeScript(port: number): string {
  return `
const http = require('http');
const net = require('net');
const proxy = new URL(process.env.HTTPS_PROXY || 'http://unset:1');
const tunnel = (to) => new Promise((resolve) => {
  const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: to });
  req.on('connect', (res, socket, head) => {
    if (res.statusCode !== 200) { socket.destroy(); resolve(to + ' ' + res.statusCode); return; }
    // Bytes that came with the proxy's answer are in head.
    let data = head.toString();
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve(to + ' 200 ' + data.trim()));
  });
  req.on('error', (e) => resolve(to + ' error ' + e.code));
  req.end();
});
const direct = () => new Promise((resolve) => {
  net.connect(${port}, '127.0.0.1').on('data', () => resolve('direct reached')).on('error', (e) => resolve('direct ' + e.code));
});
(async () => {
  console.log(await tunnel('localhost:${port}'));
  console.log(await tunnel('127.0.0.1:${port}'));
  console.log(await direct());
})();
`;
}
