import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import type { SliceWorkspace } from '../../runtime/workspace/port.js';
import { splitNumstatPatch } from './capture.js';
import { createGitWorkspaces, gitWorkspaces } from './workspaces.js';

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({
    'README.md': '# fixture\n',
    'src/a.ts': 'one\ntwo\nthree\n',
    'src/gone.ts': 'bye\n',
    'lib/keep.ts': 'outside the cone\n',
  });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

function create(sliceId: string, sparsePaths: readonly string[] | null = null): Promise<SliceWorkspace> {
  return gitWorkspaces.create({
    repoRoot: repo.root,
    goalId: 'g1',
    sliceId,
    baseSha,
    workspaceRoot,
    sparsePaths,
  });
}

describe('splitNumstatPatch', () => {
  it('splits at the empty record after the numstat part', () => {
    expect(splitNumstatPatch('1\t0\ta b\0-\t-\tbin\0\0diff --git a/a b/a\n')).toEqual({
      numstat: '1\t0\ta b\0-\t-\tbin\0',
      patch: 'diff --git a/a b/a\n',
    });
    expect(splitNumstatPatch('')).toEqual({ numstat: '', patch: '' });
  });
});

/** Overwrites the loose object file of `id` with the one of `from`, as an agent can in the shared `.git`. */
async function forge(id: string, from: string): Promise<void> {
  const object = (sha: string) => join(repo.root, '.git', 'objects', sha.slice(0, 2), sha.slice(2));
  await chmod(object(id), 0o644);
  await copyFile(object(from), object(id));
}

describe('gitWorkspaces.capture', () => {
  it('names a file whose loose object was rewritten before the commit, and no other', async () => {
    const ws = await create('s1');
    await writeFile(join(ws.path, 'src/a.ts'), 'holds a key\n');
    await writeFile(join(ws.path, 'src/b.ts'), 'new and honest\n');
    // What an agent can do: write the object of the content it is about to have committed, then
    // overwrite that object's file with another object's (git does not check ids when it reads).
    const real = git(ws.path, 'hash-object', '-w', 'src/a.ts');
    await writeFile(join(workspaceRoot, 'clean.txt'), 'clean\n');
    const clean = git(ws.path, 'hash-object', '-w', join(workspaceRoot, 'clean.txt'));
    const object = (id: string) => join(repo.root, '.git', 'objects', id.slice(0, 2), id.slice(2));
    await chmod(object(real), 0o644);
    await copyFile(object(clean), object(real));
    const captured = await gitWorkspaces.capture(ws, 'forged');
    expect(captured.committed).toBe(true);
    expect(captured.forgedObjects).toEqual(['src/a.ts']);
    const honest = await create('s2');
    await writeFile(join(honest.path, 'src/a.ts'), 'an honest edit\n');
    expect((await gitWorkspaces.capture(honest, 'honest')).forgedObjects).toBeUndefined();
  });

  it("names a file whose object was rewritten to hold the base's content, which no diff shows", async () => {
    // git drops a pair whose two blobs read the same from a diff: the change omk describes is then
    // empty, and the forged object must still be found from the commit's tree.
    const ws = await create('s1');
    await writeFile(join(ws.path, 'src/a.ts'), 'one\ntwo\nthree\nfour\n');
    const real = git(ws.path, 'hash-object', '-w', 'src/a.ts');
    const base = git(ws.path, 'rev-parse', `${baseSha}:src/a.ts`);
    await forge(real, base);
    const captured = await gitWorkspaces.capture(ws, 'forged to the base');
    expect(captured.committed).toBe(true);
    expect(captured.changedFiles).toEqual([]);
    expect(captured.forgedObjects).toEqual(['src/a.ts']);
  });

  it('names a forged object in a commit the agent made itself, with nothing left for omk to commit', async () => {
    const ws = await create('s1');
    await writeFile(join(ws.path, 'src/a.ts'), 'holds a key\n');
    await writeFile(join(workspaceRoot, 'clean.txt'), 'clean\n');
    const clean = git(ws.path, 'hash-object', '-w', join(workspaceRoot, 'clean.txt'));
    git(ws.path, 'add', 'src/a.ts');
    git(ws.path, 'commit', '--quiet', '-m', 'the agent commits');
    await forge(git(ws.path, 'rev-parse', 'HEAD:src/a.ts'), clean);
    const captured = await gitWorkspaces.capture(ws, 'nothing left');
    expect(captured.committed).toBe(false);
    expect(captured.forgedObjects).toEqual(['src/a.ts']);
  });

  it('makes no commit when nothing changed', async () => {
    const ws = await create('s1');
    const captured = await gitWorkspaces.capture(ws, 'nothing');
    expect(captured).toEqual({ committed: false, headSha: baseSha, changedFiles: [], diff: '' });
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
  });

  it('commits every change once, as omk, and reports numstat, binaries and deletions', async () => {
    const ws = await create('s1');
    await writeFile(join(ws.path, 'src/a.ts'), 'one\n2\nthree\nfour\n');
    await unlink(join(ws.path, 'src/gone.ts'));
    await mkdir(join(ws.path, 'assets'));
    await writeFile(join(ws.path, 'assets/logo.bin'), Buffer.from([0, 1, 2, 0, 255, 0]));
    await writeFile(join(ws.path, 'new file.md'), 'hello\n');

    const captured = await gitWorkspaces.capture(ws, 'omk(s1): add things');
    expect(captured.committed).toBe(true);
    expect(git(ws.path, 'rev-list', '--count', `${baseSha}..HEAD`)).toBe('1');
    expect(git(ws.path, 'log', '-1', '--format=%s|%an|%ae|%cn')).toBe(
      'omk(s1): add things|omk|omk@localhost|omk',
    );
    expect(captured.headSha).toBe(git(repo.root, 'rev-parse', 'omk/g1/s1'));
    expect(captured.changedFiles).toEqual([
      { path: 'assets/logo.bin', additions: 0, deletions: 0 },
      { path: 'new file.md', additions: 1, deletions: 0 },
      { path: 'src/a.ts', additions: 2, deletions: 1 },
      { path: 'src/gone.ts', additions: 0, deletions: 1 },
    ]);
    // One git diff gives both: nothing of the numstat part leaks into the patch.
    expect(captured.diff.startsWith('diff --git a/assets/logo.bin b/assets/logo.bin\n')).toBe(true);
    expect(captured.diff).not.toContain('\0');
    expect(captured.diff).toContain('diff --git a/src/a.ts b/src/a.ts');
    expect(captured.diff).toContain('+four');
    expect(captured.diff).toContain('deleted file mode');
    expect(git(ws.path, 'status', '--porcelain')).toBe('');
  });

  it('accumulates over retries and counts commits the agent made itself', async () => {
    const ws = await create('s1');
    await writeFile(join(ws.path, 'first.txt'), 'first\n');
    const first = await gitWorkspaces.capture(ws, 'attempt 1');
    await writeFile(join(ws.path, 'second.txt'), 'second\n');
    git(ws.path, 'add', 'second.txt');
    git(ws.path, 'commit', '--quiet', '-m', 'agent commit');

    const second = await gitWorkspaces.capture(ws, 'attempt 2');
    expect(second.committed).toBe(false);
    expect(second.headSha).not.toBe(first.headSha);
    expect(second.changedFiles.map((file) => file.path)).toEqual(['first.txt', 'second.txt']);
  });

  it('never stages files outside a sparse cone as deletions, and keeps new files there', async () => {
    const ws = await create('s1', ['src']);
    expect(existsSync(join(ws.path, 'lib/keep.ts'))).toBe(false);
    await writeFile(join(ws.path, 'src/a.ts'), 'changed\n');
    await mkdir(join(ws.path, 'docs'));
    await writeFile(join(ws.path, 'docs/note.md'), 'outside the cone\n');

    const captured = await gitWorkspaces.capture(ws, 'sparse change');
    expect(captured.changedFiles.map((file) => file.path)).toEqual(['docs/note.md', 'src/a.ts']);
    expect(git(repo.root, 'show', 'omk/g1/s1:lib/keep.ts')).toBe('outside the cone');
    expect(git(repo.root, 'ls-tree', '-r', '--name-only', 'omk/g1/s1').split('\n')).toContain('src/gone.ts');
  });

  it('bounds the diff with a marker that says how to get the rest', async () => {
    const small = createGitWorkspaces({ diffLimitBytes: 2_000 });
    const ws = await create('s1');
    await writeFile(join(ws.path, 'big.txt'), `${'é line of text\n'.repeat(1_000)}`);
    const captured = await small.capture(ws, 'big');
    expect(Buffer.byteLength(captured.diff)).toBeLessThan(2_200);
    expect(captured.diff).toMatch(
      /\[omk: diff truncated: \d+ of \d+ bytes shown; full diff: git diff [0-9a-f]{40} [0-9a-f]{40}\]\n$/,
    );
    expect(captured.diff).not.toContain('\uFFFD');
  });

  it('reports a capture that git refuses as an error, never as "nothing changed"', async () => {
    const ws = await create('s1');
    // A held index lock makes git refuse (exit 128), as a full disk or a crashed git would.
    await writeFile(join(git(ws.path, 'rev-parse', '--absolute-git-dir'), 'index.lock'), '');
    await writeFile(join(ws.path, 'x.txt'), 'x\n');
    await expect(gitWorkspaces.capture(ws, 'x')).rejects.toThrow(/failed \(exit 128\)/);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
  });

  it('never runs a hook planted in the shared .git/hooks: the commit is made without it', async () => {
    const ws = await create('s1');
    const hooks = join(repo.root, '.git', 'hooks');
    await mkdir(hooks, { recursive: true });
    await writeFile(join(hooks, 'prepare-commit-msg'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    await writeFile(join(ws.path, 'x.txt'), 'x\n');
    const captured = await gitWorkspaces.capture(ws, 'x');
    expect(captured.committed).toBe(true);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(captured.headSha);
  });

  it('refuses to capture when the workspace left its branch', async () => {
    const ws = await create('s1');
    git(ws.path, 'switch', '--quiet', '--detach');
    await writeFile(join(ws.path, 'x.txt'), 'x\n');
    await expect(gitWorkspaces.capture(ws, 'x')).rejects.toBeInstanceOf(GitError);
  });
});
