import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from './git-repo.js';

const made: TempRepo[] = [];
afterEach(async () => {
  for (const repo of made.splice(0)) await repo.cleanup();
});

async function repo(files?: Record<string, string>): Promise<TempRepo> {
  const r = await createTempRepo(files);
  made.push(r);
  return r;
}

describe('createTempRepo (copies of one template per set of files)', () => {
  it('gives a clean work repository whose origin is its own bare repository, main pushed', async () => {
    const r = await repo({ 'src/a.txt': 'a\n', 'README.md': '# r\n' });
    // First (status refreshes it): the index is fresh, no file stat-dirty, as after a checkout.
    expect(git(r.root, 'diff-files', '--name-only')).toBe('');
    expect(git(r.root, 'status', '--porcelain')).toBe('');
    expect(git(r.root, 'remote', 'get-url', 'origin')).toBe(r.origin);
    expect(git(r.root, 'config', 'user.email')).toBe('omk-test@example.invalid');
    expect(git(r.origin, 'rev-parse', 'main')).toBe(git(r.root, 'rev-parse', 'HEAD'));
    expect(git(r.root, 'ls-files').split('\n')).toEqual(['README.md', 'src/a.txt']);
    expect(await readFile(join(r.root, 'src/a.txt'), 'utf8')).toBe('a\n');
  });

  it('keeps every copy independent: a commit pushed in one is in no other, nor in a later one', async () => {
    const one = await repo();
    const two = await repo();
    expect(one.root).not.toBe(two.root);
    const sha = await one.commit({ 'x.txt': 'x\n' }, 'only in one');
    git(one.root, 'push', '--quiet', 'origin', 'main');
    await writeFile(join(one.root, 'dirty.txt'), 'dirty\n');
    expect(git(one.origin, 'rev-parse', 'main')).toBe(sha);
    const three = await repo();
    for (const other of [two, three]) {
      expect(git(other.origin, 'rev-parse', 'main')).not.toBe(sha);
      expect(git(other.root, 'status', '--porcelain')).toBe('');
      expect(existsSync(join(other.root, 'x.txt'))).toBe(false);
      expect(git(other.root, 'log', '--format=%s')).toBe('initial');
    }
  });

  it('makes separate templates for sets of files asked for at the same time', async () => {
    const sets: Record<string, string>[] = [{ 'one.txt': '1\n' }, { 'two.txt': '2\n' }, { 'one.txt': '1\n' }];
    const repos = await Promise.all(sets.map((files) => repo(files)));
    expect(repos.map((r) => git(r.root, 'ls-files'))).toEqual(['one.txt', 'two.txt', 'one.txt']);
    expect(repos.map((r) => git(r.origin, 'ls-tree', '--name-only', 'main'))).toEqual([
      'one.txt',
      'two.txt',
      'one.txt',
    ]);
  });

  it('commits different files for a different set, whatever the order of the keys', async () => {
    const ab = await repo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const ba = await repo({ 'b.txt': 'b\n', 'a.txt': 'a\n' });
    const other = await repo({ 'a.txt': 'A\n' });
    expect(git(ab.root, 'rev-parse', 'HEAD')).toBe(git(ba.root, 'rev-parse', 'HEAD'));
    expect(git(other.root, 'ls-files')).toBe('a.txt');
    expect(await readFile(join(other.root, 'a.txt'), 'utf8')).toBe('A\n');
  });
});
