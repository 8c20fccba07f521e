import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { type BotEnv, startBotEnv } from './harness.js';

/** What an agent CLI prints when its provider answers 429, then exits 1. */
const LIMITED = `#!/usr/bin/env node
process.stderr.write('API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 200ms.\\n');
process.exit(1);
`;

/**
 * The bot's agent stays rate-limited past agents.rateLimitWait: the thread is told in the
 * runtime's own words for it (it ran, how often, how long, what to do), with the bot's command for
 * the resume, not the words of an agent that cannot run here.
 */
describe('a bot run whose agent stays rate-limited (local mode)', () => {
  let env: BotEnv;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-rate-limit-'));
    const agent = join(dir, 'limited.mjs');
    await writeFile(agent, LIMITED);
    await chmod(agent, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
    await env.repo.commit({ '.omk/config.yml': 'version: 1\nagents:\n  rateLimitWait: 1s\n' }, 'omk config');
    git(env.repo.root, 'push', '--quiet', 'origin', 'main');
    await env.comment(`/omk goal run "${DEMO_GOAL}" --no-llm-planner`);
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says it was rate-limited N times over T, and to wait and resume with the bot or raise the bound', () => {
    const said = [...env.statusComments(), ...env.replies()].map((c) => c.body).join('\n---\n');
    expect(said).toMatch(
      /ran slice \S+ but was rate-limited 6 times over 1\.0 s of waiting \(waiting again would pass agents\.rateLimitWait, 1\.0 s\), so its attempt 1 is not spent: API Error: 429 Too Many Requests/,
    );
    expect(said).toMatch(
      /rate limit resets, then ['`]?\/omk goal resume [^'`;]+['`]?; or raise agents\.rateLimitWait in \.omk\/config\.yml \(it is 1\.0 s\)/,
    );
    expect(said).not.toContain('cannot run here');
  });
});
