type Env = Readonly<Record<string, string | undefined>>;

/** Hosts a proxy is never used for, whatever NO_PROXY says (as @actions/http-client). */
function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  return (
    lower === 'localhost' ||
    lower.startsWith('127.') ||
    lower.startsWith('[::1]') ||
    lower.startsWith('[0:0:0:0:0:0:0:1]')
  );
}

/** NO_PROXY: `*`, or hosts (`host`, `host:port`), each matching itself and its subdomains. */
function bypassed(url: URL, env: Env): boolean {
  if (isLoopback(url.hostname)) return true;
  const list = env.no_proxy || env.NO_PROXY || '';
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const hosts = [url.hostname.toUpperCase(), `${url.hostname.toUpperCase()}:${port}`];
  return list
    .split(',')
    .map((item) => item.trim().toUpperCase())
    .filter((item) => item !== '')
    .some(
      (item) =>
        item === '*' ||
        hosts.some(
          (host) =>
            host === item || host.endsWith(`.${item}`) || (item.startsWith('.') && host.endsWith(item)),
        ),
    );
}

/**
 * The proxy for a request to `url`, as the Actions toolkit picks it (@actions/http-client):
 * https_proxy / HTTPS_PROXY for https, http_proxy / HTTP_PROXY for http (the lower case wins),
 * none for loopback hosts or a host NO_PROXY lists. A proxy given without a scheme is http://.
 */
export function proxyFor(url: string, env: Env): string | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (bypassed(target, env)) return null;
  const raw =
    target.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY;
  if (!raw) return null;
  return /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
}

/**
 * A fetch for requests to `baseUrl`: the global one, through undici's ProxyAgent when a proxy
 * applies (loaded only then). The agent comes from the undici package (major 6): Node's own fetch
 * (undici 6 in Node 20 and 22, 7 in Node 24) accepts its dispatchers.
 */
export async function fetchFor(baseUrl: string, env: Env): Promise<typeof globalThis.fetch> {
  const proxy = proxyFor(baseUrl, env);
  if (proxy === null) return globalThis.fetch;
  const [{ default: ProxyAgent }, { default: Dispatcher }, { default: api }] = await Promise.all([
    import('undici/lib/dispatcher/proxy-agent.js'),
    import('undici/lib/dispatcher/dispatcher.js'),
    import('undici/lib/api/index.js'),
  ]);
  // What undici's own index does when it loads: the agent opens its tunnel with Dispatcher#connect.
  Object.assign(Dispatcher.prototype, api);
  const dispatcher = new ProxyAgent(proxy);
  return (input, init) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit);
}
