import { describe, expect, it } from 'vitest';
import { repoRefOf } from './github.js';

describe('repoRefOf', () => {
  const repository = (api: string, web: string) => ({
    name: 'widgets',
    full_name: 'acme/widgets',
    url: `${api}/repos/acme/widgets`,
    html_url: `${web}/acme/widgets`,
    default_branch: 'main',
    owner: { login: 'acme' },
  });

  it('takes API and web roots from the payload: github.com and GHES', () => {
    expect(repoRefOf(repository('https://api.github.com', 'https://github.com'), 7)).toMatchObject({
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      installationId: 7,
    });
    expect(
      repoRefOf(repository('https://ghe.example/api/v3', 'https://ghe.example'), undefined),
    ).toMatchObject({
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
    });
  });

  it('refuses URLs that do not name the repository', () => {
    const bad = {
      ...repository('https://api.github.com', 'https://github.com'),
      html_url: 'https://evil.example/x/y',
    };
    expect(() => repoRefOf(bad, 1)).toThrow(/do not name acme\/widgets/);
  });
});
