import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../../../test/helpers/git-repo.js';
import { runGit } from './run-git.js';

let repo: TempRepo | null = null;
afterEach(async () => {
  await repo?.cleanup();
  repo = null;
  delete process.env.GITHUB_TOKEN;
});

describe('runGit', () => {
  it('keeps secret-named variables from git and its hooks, but passes the auth it is given', async () => {
    repo = await createTempRepo();
    const out = await mkdtemp(join(tmpdir(), 'omk-hook-'));
    try {
      const hook = join(repo.root, '.git', 'hooks', 'pre-commit');
      await writeFile(hook, `#!/bin/sh\nenv > '${join(out, 'env.txt')}'\n`);
      await chmod(hook, 0o755);
      process.env.GITHUB_TOKEN = 'ghs_canaryRunGit0123456789abcdef';
      await runGit(['commit', '--allow-empty', '--quiet', '-m', 'x'], {
        cwd: repo.root,
        env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'omk.test', GIT_CONFIG_VALUE_0: 'given' },
      });
      const seen = await readFile(join(out, 'env.txt'), 'utf8');
      expect(seen).not.toContain('ghs_canaryRunGit');
      expect(seen).toContain('GIT_CONFIG_VALUE_0=given');
      expect(seen).toContain('GIT_TERMINAL_PROMPT=0');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
