import { describe, expect, it } from 'vitest';
import { proxyFor } from './proxy.js';

const PROXY = 'http://proxy.corp:3128';

describe('proxyFor, as the Actions toolkit picks a proxy', () => {
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, the lower-case name first', () => {
    const env = { HTTPS_PROXY: PROXY, HTTP_PROXY: 'http://plain:8080' };
    expect(proxyFor('https://api.github.com/repos', env)).toBe(PROXY);
    expect(proxyFor('http://ghes.corp/api/v3', env)).toBe('http://plain:8080');
    expect(proxyFor('https://github.com/a/b.git', { ...env, https_proxy: 'http://lower:1' })).toBe(
      'http://lower:1',
    );
    expect(proxyFor('https://github.com', {})).toBeNull();
  });

  it('adds http:// to a proxy given without a scheme', () => {
    expect(proxyFor('https://github.com', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(PROXY);
  });

  it('honours NO_PROXY: exact hosts, subdomains, leading dots, host:port and *', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: PROXY, NO_PROXY: noProxy });
    expect(proxyFor('https://api.github.com', env('github.com'))).toBeNull();
    expect(proxyFor('https://github.com', env('github.com'))).toBeNull();
    expect(proxyFor('https://notgithub.com', env('github.com'))).toBe(PROXY);
    expect(proxyFor('https://api.github.com', env('.github.com'))).toBeNull();
    expect(proxyFor('https://ghes.corp:8443/x', env('ghes.corp:8443'))).toBeNull();
    expect(proxyFor('https://ghes.corp/x', env('ghes.corp:8443'))).toBe(PROXY);
    expect(proxyFor('https://github.com', env(' other.org , GitHub.com '))).toBeNull();
    expect(proxyFor('https://github.com', env('*'))).toBeNull();
    expect(proxyFor('https://github.com', { HTTPS_PROXY: PROXY, no_proxy: 'github.com' })).toBeNull();
  });

  it('never proxies loopback', () => {
    const env = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY };
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:9', 'http://[::1]:80/']) {
      expect(proxyFor(url, env), url).toBeNull();
    }
  });
});
