import type { Forge } from '../../runtime/forge/port.js';
import { createGitHubForge } from './forge.js';
import { createOctokit } from './octokit.js';

/** The GitHub forge for octo/demo as the nock tests talk to it: no retry, no throttling. */
export function testForge(): Forge {
  const octokit = createOctokit({
    token: 'test-token',
    retry: false,
    throttle: false,
    request: { fetch: globalThis.fetch },
  });
  return createGitHubForge({
    octokit,
    repo: { owner: 'octo', name: 'demo' },
    token: 'test-token',
    serverUrl: 'https://github.com',
  });
}
