import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';

// A value a run flag or the config does not take is refused before anything is made, in one
// style: the flag (or the config file and field), the values it takes, and an example.

const FIXTURE = {
  'package.json': '{ "name": "fixture", "scripts": { "test": "node --test" } }\n',
  'src/math.js': 'export const add = (a, b) => a - b;\n',
};

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

beforeEach(async () => {
  repo = await createTempRepo(FIXTURE);
  state = await tempStateDir();
});
afterEach(async () => {
  await repo.cleanup();
  await state.cleanup();
});

/** Nothing was made: no goal in the state root, no branch in the repository. */
async function expectNothingMade(): Promise<void> {
  const entries = await readdir(state.dir).catch(() => []);
  expect(entries).not.toContain('goals');
  expect(git(repo.root, 'for-each-ref', '--format=%(refname)', 'refs/heads/omk')).toBe('');
}

describe('omk goal run with a value a choice flag does not take', () => {
  it.each([
    ['--sandbox', 'auto, required, off', 'auto'],
    ['--sandbox-network', 'open, none, allow', 'none'],
    ['--merge-policy', 'disabled, manual, gated', 'gated'],
    ['--slice-execution', 'worktree, sparse, branch', 'worktree'],
    ['--policy', 'local, draft-pr, auto-pr', 'draft-pr'],
  ])('%s bogus: exit 2, the values it takes and an example, nothing made', async (flag, values, example) => {
    const refused = await omk('goal', 'run', 'fix the bug in src/math.js', '--agent', 'demo', flag, 'bogus');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `omk: error: ${flag}: 'bogus' is not one of ${values}. Example: ${flag} ${example}\n`,
    );
    await expectNothingMade();
  });
});

describe('.omk/config.yml with a sandbox it does not take', () => {
  it.each(['sandbox: bogus', 'sandbox:\n  network: bogus'])(
    '%s: names the field, what it takes and an example; nothing made',
    async (yaml) => {
      await repo.commit({ '.omk/config.yml': `version: 1\n${yaml}\n` }, 'omk config');
      const refused = await omk('goal', 'run', 'fix the bug in src/math.js', '--agent', 'demo');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('config.yml is invalid:');
      expect(refused.stderr).toContain(
        '✖ a mode (auto, required, off), or an object with mode, network and allowedHosts\n  → at sandbox\n',
      );
      expect(refused.stderr).toContain(
        'sandbox: auto   # auto (bubblewrap when this host has it), required or off',
      );
      await expectNothingMade();
    },
  );
});
