import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { git } from '../helpers/git-repo.js';
import { type ActionEnv, createActionEnv } from './harness.js';

// The Action reads merge.requireChecks from its config-path (here the only config: without it,
// `auto` would refuse a merge on a head no CI ran on), and trusts only the omk/proof check run
// created by the app its proof-check-app-id input names.
let env: ActionEnv;

beforeAll(async () => {
  env = await createActionEnv({
    files: { '.github/omk.yml': 'version: 1\nmerge:\n  requireChecks: none\n' },
  });
}, 60_000);
afterAll(async () => {
  await env.cleanup();
});

const gated = { goal: DEMO_GOAL, agent: 'demo', policy: 'auto-pr', 'merge-policy': 'gated' };

describe('the Action merge: config-path and proof-check-app-id', () => {
  it('another app id than the one that created omk/proof: the merge is refused and says why', async () => {
    const main = git(env.repo.origin, 'rev-parse', 'refs/heads/main');
    const run = await env.run({ ...gated, 'config-path': '.github/omk.yml', 'proof-check-app-id': '424242' });
    expect(run.outputs.merged, run.stderr).toBe('false');
    expect(`${run.stdout}\n${run.stderr}\n${run.summary}`).toContain(
      'not by the app omk runs as (id 424242)',
    );
    expect(git(env.repo.origin, 'rev-parse', 'refs/heads/main')).toBe(main);
  }, 180_000);

  // No CI runs on the fake GitHub: this merge holds only because config-path says requireChecks: none.
  it('OMK_CHECK_APP_ID wins over the input; requireChecks comes from config-path', async () => {
    const run = await env.run(
      { ...gated, 'config-path': '.github/omk.yml', 'proof-check-app-id': '424242' },
      { OMK_CHECK_APP_ID: '15368' },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs.merged).toBe('true');
  }, 180_000);
});
