import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, type ActionRun, createActionEnv, NO_CI_CONFIG, TOKEN } from './harness.js';
import { filesHolding, leaksOf, secretForms } from './secrets.js';

// An agent that looks for the credential actions/checkout persisted (persist-credentials: true,
// its default) in the shared .git/config and prints what it finds, then makes its change.
const AGENT = `#!/bin/sh
common=$(git rev-parse --git-common-dir)
echo "found in .git/config: [$(grep -i extraheader "$common/config")]"
echo "git config says: [$(git config --get-regexp extraheader)]"
printf "\\n// touched\\n" >> "$1"
`;

const KEY_OF = (url: string) => `http.${url}/.extraheader`;
const HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

let env: ActionEnv;
let run: ActionRun;

beforeAll(async () => {
  env = await createActionEnv({ executables: { 'tools/agent.sh': AGENT }, files: NO_CI_CONFIG });
  git(env.repo.root, 'config', KEY_OF(env.server.url), HEADER);
  run = await env.run({
    goal: DEMO_GOAL,
    agent: 'script:./tools/agent.sh',
    'agent-args': 'src/math.js',
    policy: 'auto-pr',
    'merge-policy': 'gated',
  });
}, 180_000);
afterAll(async () => {
  await env.cleanup();
});

describe('the credential actions/checkout persisted', () => {
  it('is out of .git/config while the agent runs: it found nothing', () => {
    // The agent edits a file outside the second slice's write set, so the goal is not ready:
    // what matters here is what each of its runs could read.
    const files = git(env.repo.origin, 'ls-tree', '-r', '--name-only', 'refs/heads/omk/state').split('\n');
    const transcripts = files.filter((path) => /transcript-\d+\.log$/.test(path));
    expect(transcripts.length).toBeGreaterThanOrEqual(2);
    for (const transcript of transcripts) {
      const text = git(env.repo.origin, 'show', `refs/heads/omk/state:${transcript}`);
      expect(text, transcript).toContain('found in .git/config: []');
      expect(text, transcript).toContain('git config says: []');
    }
  });

  it('is in no transcript, proof, state file, log or state branch', async () => {
    const forms = secretForms(TOKEN);
    expect(leaksOf(run, forms)).toEqual([]);
    expect(await filesHolding(join(env.runnerTemp, 'omk', 'state', 'goals'), forms)).toEqual([]);
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

  it('is back in .git/config after the run, once, and no stash is left', async () => {
    expect(git(env.repo.root, 'config', '--get-all', KEY_OF(env.server.url))).toBe(HEADER);
    const stash = join(env.runnerTemp, 'omk', 'state', 'private', 'credentials');
    expect(await readdir(stash).catch(() => [])).toEqual([]);
  });
});
