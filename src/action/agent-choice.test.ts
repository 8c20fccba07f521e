import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../runtime/app/index.js';
import { loadActionConfig } from './agent-choice.js';

let root: string;
let repo: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-config-path-'));
  repo = join(root, 'repo');
  await mkdir(join(repo, '.github', 'omk'), { recursive: true });
  await writeFile(join(repo, '.github', 'omk.yml'), 'agents:\n  default: demo\n');
  // A config of 300 KB: a long comment under a valid document.
  await writeFile(join(repo, 'big.yml'), `agents:\n  default: demo\n# ${'x'.repeat(300 * 1024)}\n`);
  await writeFile(join(root, 'outside.yml'), 'agents:\n  default: demo\n');
  await symlink(join(root, 'outside.yml'), join(repo, 'linked.yml'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(configPath: string): Promise<UsageError> {
  const error = await loadActionConfig(repo, { configPath, workspaceSetup: undefined }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('config-path', () => {
  it('loads the named config', async () => {
    const loaded = await loadActionConfig(repo, { configPath: '.github/omk.yml', workspaceSetup: undefined });
    expect(loaded.config.agents.default).toBe('demo');
  });

  it.each([
    ['missing.yml', "config-path: 'missing.yml' does not exist (looked at"],
    ['linked.yml', "config-path: 'linked.yml' is not a file inside the repository."],
    [
      '.github/omk',
      "config-path: '.github/omk' is not a regular file (a directory?): name the config file itself.",
    ],
    ['big.yml', "config-path: 'big.yml' is larger than 256 KB, the most a config file may hold."],
  ])('says what is wrong with %s, and where it is looked for', async (configPath, message) => {
    const error = await refusal(configPath);
    expect(error.message).toContain(message);
    expect(error.hint).toContain('relative to working-directory');
  });
});
