import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { type CountingProxy, startCountingProxy } from '../helpers/proxy.js';
import {
  type ActionEnv,
  type ActionRun,
  createActionEnv,
  errorLines,
  NO_CI_CONFIG,
  TOKEN,
} from './harness.js';

// The fake GitHub answers as `fake-github.test`, a name only the proxy resolves: a request for it
// succeeds only through the proxy. (Loopback addresses are never proxied, as in the toolkit.)
const HOST = 'fake-github.test';

let env: ActionEnv;
let proxy: CountingProxy;
let run: ActionRun;
let hostEnv: Record<string, string>;

beforeAll(async () => {
  env = await createActionEnv({ files: NO_CI_CONFIG });
  const port = new URL(env.server.url).port;
  proxy = await startCountingProxy({ [HOST]: '127.0.0.1' });
  const url = `http://${HOST}:${port}`;
  hostEnv = { GITHUB_API_URL: url, GITHUB_SERVER_URL: url, HTTP_PROXY: proxy.url };
  run = await env.run(
    { goal: DEMO_GOAL, agent: 'demo', policy: 'draft-pr', 'llm-planner': 'false' },
    hostEnv,
  );
}, 180_000);
afterAll(async () => {
  await proxy?.close();
  await env.cleanup();
});

describe('HTTP_PROXY / NO_PROXY', () => {
  it('API calls and git both go through the proxy, and the goal is delivered', () => {
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(env.server.state.pulls.size).toBe(3);
    // undici's ProxyAgent tunnels the API calls; git sends absolute-URI requests for its http URL.
    expect(proxy.seen.connect.length).toBeGreaterThan(0);
    expect(proxy.seen.connect.every((target) => target.startsWith(`${HOST}:`))).toBe(true);
    const gitRequests = proxy.seen.forward.filter((line) => line.includes('/acme/widgets.git/'));
    expect(gitRequests.some((line) => line.includes('git-receive-pack'))).toBe(true);
    expect(gitRequests.some((line) => line.includes('git-upload-pack'))).toBe(true);
  });

  it('keeps the token out of what it printed', () => {
    expect(
      `${run.stdout}${run.stderr}`
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain(TOKEN);
  });

  it('NO_PROXY naming the host sends nothing through the proxy', async () => {
    const before = proxy.seen.connect.length + proxy.seen.forward.length;
    const direct = await env.run(
      { command: 'status', 'goal-id': run.outputs['goal-id'] ?? '', 'fail-on-not-ready': 'false' },
      { ...hostEnv, NO_PROXY: `example.org,${HOST}` },
    );
    // Directly, the name resolves nowhere: the step fails to reach it, and the proxy saw nothing.
    expect(direct.code).toBe(1);
    expect(errorLines(direct).join('\n')).toMatch(new RegExp(`${HOST.replace('.', '\\.')}`));
    expect(proxy.seen.connect.length + proxy.seen.forward.length).toBe(before);
  });
});
