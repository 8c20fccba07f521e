import { describe, expect, it } from 'vitest';
import { parseGitHubRemote } from './compose.js';

describe('parseGitHubRemote', () => {
  it.each([
    ['https://github.com/octo/hello.git', { owner: 'octo', name: 'hello' }],
    ['https://github.com/octo/hello', { owner: 'octo', name: 'hello' }],
    ['https://x-access-token:abc@github.com/octo/hello.git', { owner: 'octo', name: 'hello' }],
    ['git@github.com:octo/hello.git', { owner: 'octo', name: 'hello' }],
    ['ssh://git@ghe.example/octo/hello.js.git', { owner: 'octo', name: 'hello.js' }],
  ])('%s', (url, expected) => {
    expect(parseGitHubRemote(url)).toEqual(expected);
  });

  it.each(['/srv/git/repo.git', 'file:///tmp/x', 'https://github.com/only-owner', ''])(
    'refuses %j',
    (url) => {
      expect(parseGitHubRemote(url)).toBeNull();
    },
  );
});
