import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { persistedCredentialGuard, readPersistedHeaders } from './persisted-credentials.js';

const KEY = 'http.https://github.com/.extraheader';
const HEADER = `AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_persisted_0123456789').toString('base64')}`;

describe('the persisted credential guard (real git)', () => {
  let repo: TempRepo;
  let stashDir: string;
  beforeEach(async () => {
    repo = await createTempRepo({ 'a.txt': 'a\n' });
    git(repo.root, 'config', KEY, HEADER);
    stashDir = join(await mkdtemp(join(tmpdir(), 'omk-stash-')), 'private', 'credentials');
  });
  afterEach(async () => {
    await repo.cleanup();
    await rm(join(stashDir, '..', '..'), { recursive: true, force: true });
  });

  const configText = () => readFile(join(repo.root, '.git', 'config'), 'utf8');

  it('takes the header out of .git/config, keeps it in a 0600 stash, and puts it back', async () => {
    const held = await persistedCredentialGuard.away(repo.root, stashDir);
    expect(await configText()).not.toContain('extraheader');
    const [file] = await readdir(stashDir);
    expect(file).toMatch(/\.json$/);
    const path = join(stashDir, file ?? '');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toContain(HEADER);

    await held.restore();
    expect(await readPersistedHeaders(repo.root)).toEqual([{ key: KEY, value: HEADER }]);
    expect(git(repo.root, 'config', '--get', KEY)).toBe(HEADER);
    expect(await readdir(stashDir)).toEqual([]);
  });

  it('a nested call in the same process does nothing; the outer one restores', async () => {
    const outer = await persistedCredentialGuard.away(repo.root, stashDir);
    const inner = await persistedCredentialGuard.away(repo.root, stashDir);
    await inner.restore();
    expect(await configText()).not.toContain('extraheader');
    await outer.restore();
    expect(git(repo.root, 'config', '--get', KEY)).toBe(HEADER);
  });

  it('after a crash (the stash of a process that is gone), the next call puts it back first', async () => {
    await persistedCredentialGuard.away(repo.root, stashDir);
    const [file] = await readdir(stashDir);
    const path = join(stashDir, file ?? '');
    // The process that held it ended without restoring.
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const stash = JSON.parse(await readFile(path, 'utf8')) as { pid: number };
    await writeFile(path, JSON.stringify({ ...stash, pid: Number(gone) }), { mode: 0o600 });
    expect(await configText()).not.toContain('extraheader');

    const next = await persistedCredentialGuard.away(repo.root, stashDir);
    // Put back, then taken away again for this run.
    expect(await configText()).not.toContain(HEADER);
    await next.restore();
    expect(await readPersistedHeaders(repo.root)).toEqual([{ key: KEY, value: HEADER }]);
    expect(await readdir(stashDir)).toEqual([]);
  });

  it('does nothing for a checkout without a persisted credential', async () => {
    git(repo.root, 'config', '--unset-all', KEY);
    const before = await configText();
    const held = await persistedCredentialGuard.away(repo.root, stashDir);
    await held.restore();
    expect(await configText()).toBe(before);
  });
});
