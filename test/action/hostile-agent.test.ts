import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { proofSchema } from '../../src/runtime/proof/schema.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, TOKEN } from './harness.js';
import { filesHolding, leaksOf, secretForms } from './secrets.js';

// An agent in the Action that reads the token actions/checkout persisted in .git/config, prints it,
// and plants a post-commit hook in the shared .git, then makes its change and writes a model key
// into .env. Unsandboxed, so the
// integrity checks and the scrub are what stop it.
const AGENT = `#!/bin/sh
common=$(git rev-parse --git-common-dir)
printf '#!/bin/sh\\ntouch "$HOME/pwned"\\n' > "$common/hooks/post-commit"
chmod +x "$common/hooks/post-commit"
git config --get-regexp extraheader
git config --get-regexp extraheader | sed "s/.*basic //" | base64 -d
printf "\\n// touched\\n" >> "$1"
echo 'OPENAI_API_KEY=sk-proj-q8Zr2LmX0vKp7TnW4sYb9HcJ3dFg6RaE1uNy5iOx' > .env
`;

let env: ActionEnv;
let run: ActionRun;
let mainBefore = '';

beforeAll(async () => {
  env = await createActionEnv({ executables: { 'tools/agent.sh': AGENT } });
  // As actions/checkout leaves it with persist-credentials (its default).
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  git(env.repo.root, 'config', `http.${env.server.url}/.extraheader`, header);
  mainBefore = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
  run = await env.run({
    goal: DEMO_GOAL,
    agent: 'script:./tools/agent.sh',
    'agent-args': 'src/math.js',
    policy: 'auto-pr',
    'merge-policy': 'gated',
    sandbox: 'off',
  });
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('a hostile agent in the Action', () => {
  it('is never ready nor merged, and the planted hook is named and gone', () => {
    expect(run.outputs.status).not.toBe('ready');
    expect(run.outputs.merged).not.toBe('true');
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
    const proof = proofSchema.parse(JSON.parse(run.outputs['proof-json'] ?? ''));
    expect(proof.findings).toContainEqual(
      expect.objectContaining({
        review: 'security',
        severity: 'blocking',
        message: expect.stringContaining('The agent added .git/hooks/post-commit, outside its worktree'),
      }),
    );
    expect(existsSync(join(env.repo.root, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(existsSync(join(env.runnerTemp, 'pwned'))).toBe(false);
  });

  it('leaves the token it printed out of the log, the state files and the state branch', async () => {
    const forms = secretForms(TOKEN);
    expect(leaksOf(run, forms)).toEqual([]);
    expect(await filesHolding(join(env.runnerTemp, 'omk', 'state', 'goals'), forms)).toEqual([]);
    const branch = git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state');
    const transcript = branch.split('\n').find((path) => path.endsWith('transcript-1.log')) ?? '';
    // The persisted credential was out of .git/config while it ran: it had nothing to print.
    expect(transcript).not.toBe('');
    expect(git(env.repo.origin, 'show', `refs/heads/omk/state:${transcript}`)).not.toContain('AUTHORIZATION');
    for (const form of forms) {
      let found = true;
      try {
        git(env.repo.origin, 'grep', '-q', '-F', '-e', form, 'refs/heads/omk/state');
      } catch {
        found = false;
      }
      expect(found, `the state branch holds ${form}`).toBe(false);
    }
  });
});

describe('the model key the hostile agent wrote into .env', () => {
  it('blocks the slice, and is in no log line', () => {
    const proof = proofSchema.parse(JSON.parse(run.outputs['proof-json'] ?? ''));
    expect(proof.findings).toContainEqual(
      expect.objectContaining({
        review: 'security',
        severity: 'blocking',
        message: expect.stringContaining('Secret (OpenAI API key) added in ".env"'),
      }),
    );
    expect(run.stdout).not.toContain('q8Zr2LmX0vKp7TnW4sYb9HcJ3dFg6RaE1uNy5iOx');
  });
});
