import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { replaceRefs } from './replace-refs.js';

let repo: TempRepo;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n' });
});

afterEach(async () => {
  await repo.cleanup();
});

/** What git itself lists under refs/replace/. */
function gitsOwn(): Map<string, string> {
  const listed = git(repo.root, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/replace/');
  return new Map(
    listed
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

let blobs = 0;
async function blob(text: string): Promise<string> {
  blobs += 1;
  const path = join(repo.root, `blob-${blobs}.txt`);
  await writeFile(path, text);
  return git(repo.root, 'hash-object', '-w', path);
}

describe('replaceRefs', () => {
  it('reads what git lists, from loose refs, packed refs and both', async () => {
    expect(await replaceRefs(repo.root)).toEqual(new Map());
    const [a, b, c] = [await blob('key\n'), await blob('clean\n'), await blob('other\n')];
    git(repo.root, 'replace', a, b);
    expect(await replaceRefs(repo.root)).toEqual(gitsOwn());
    git(repo.root, 'pack-refs', '--all');
    expect(await replaceRefs(repo.root)).toEqual(gitsOwn());
    // A loose ref over its packed line: git reads the loose one.
    git(repo.root, 'replace', '-f', a, c);
    git(repo.root, 'replace', b, c);
    const listed = gitsOwn();
    expect(listed.size).toBe(2);
    expect(await replaceRefs(repo.root)).toEqual(listed);
  });

  it('asks git where the refs are not plain object ids (a symbolic ref)', async () => {
    const [a, b] = [await blob('key\n'), await blob('clean\n')];
    git(repo.root, 'replace', a, b);
    git(repo.root, 'symbolic-ref', `refs/replace/${b}`, `refs/replace/${a}`);
    const listed = gitsOwn();
    expect(listed.size).toBe(2);
    expect(await replaceRefs(repo.root)).toEqual(listed);
  });
});
