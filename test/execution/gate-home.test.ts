import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOALS, useExecutionEnv } from '../helpers/execution.js';

// Gates run the agent's code with the user's tools: unsandboxed, what that code writes under HOME
// (a ~/.gitconfig that runs a hook in the user's next git command, a ~/.npmrc that points npm
// elsewhere) must land in a HOME omk made for the gate, never the user's. The CLI runs here with
// HOME set to the test's state directory: that is "the user's HOME".

const env = useExecutionEnv();

/** An agent whose test, run by the gates, writes into HOME and says which HOME it saw. */
async function homeWritingAgent(seen: string): Promise<string> {
  const path = join(env.kit.dir, 'home-writer.sh');
  await writeFile(
    path,
    `#!/bin/sh
set -e
printf '\\n// a harmless edit\\n' >> src/parser.js
cat >> test/parser.test.js <<'JS'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
test('writes HOME', () => {
  appendFileSync(${JSON.stringify(seen)}, homedir() + '\\n');
  appendFileSync(join(homedir(), '.gitconfig'), '[core]\\n\\thooksPath = /tmp/evil\\n');
  writeFileSync(join(homedir(), '.npmrc'), 'registry=http://127.0.0.1:9/\\n');
  mkdirSync(join(homedir(), '.config', 'git'), { recursive: true });
  writeFileSync(join(homedir(), '.config', 'git', 'config'), '[core]\\n\\tpager = evil\\n');
});
JS
`,
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function run(agent: string, ...flags: string[]) {
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  return { id, proof: await env.proof(id) };
}

const userHome = () => env.stateDir;

describe('a gate that writes ~/.gitconfig, ~/.npmrc and ~/.config/git/config', () => {
  it("writes them in a HOME omk made for it: the user's HOME is unchanged, nothing to restore", async () => {
    const seen = join(env.kit.dir, 'homes-seen');
    const { proof } = await run(await homeWritingAgent(seen));
    const homes = (await readFile(seen, 'utf8')).trim().split('\n');
    expect(homes.length).toBeGreaterThan(0);
    for (const home of homes) expect(home).not.toBe(userHome());
    for (const file of ['.gitconfig', '.npmrc', join('.config', 'git', 'config')]) {
      expect(existsSync(join(userHome(), file)), file).toBe(false);
    }
    // The HOME's git config was never touched, so no check found a change there.
    expect(proof.findings.map((f) => f.message).join('\n')).not.toContain('~/.gitconfig');
  });

  it("with gates.home: user, they run with the user's HOME (its git config still checked and put back)", async () => {
    const seen = join(env.kit.dir, 'homes-seen');
    await env.repo.commit({ '.omk/config.yml': 'version: 1\ngates:\n  home: user\n' });
    const { proof } = await run(await homeWritingAgent(seen));
    const homes = (await readFile(seen, 'utf8')).trim().split('\n');
    expect(homes).toContain(userHome());
    expect(existsSync(join(userHome(), '.npmrc'))).toBe(true);
    expect(proof.status).not.toBe('ready');
    expect(proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message)).toContainEqual(
      expect.stringContaining('~/.gitconfig'),
    );
    expect(existsSync(join(userHome(), '.gitconfig'))).toBe(false);
  });
});
