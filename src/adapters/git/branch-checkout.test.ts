import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import type { CreateWorkspaceInput } from '../../runtime/workspace/port.js';
import { createGitWorkspaces } from './workspaces.js';

const fallback = createGitWorkspaces({ forceFallback: true });

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n', 'src/a.ts': 'a\n', 'lib/b.ts': 'b\n' });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

function input(sliceId: string): CreateWorkspaceInput {
  return { repoRoot: repo.root, goalId: 'g1', sliceId, baseSha, workspaceRoot, sparsePaths: ['src'] };
}

describe('branch-checkout fallback', () => {
  it('clones onto the slice branch, which exists in the main repository from the start', async () => {
    const ws = await fallback.create(input('s1'));
    expect(ws.mode).toBe('branch-checkout');
    expect(ws.fallbackReason).toMatch(/forceFallback/);
    expect(ws.path).toBe(join(workspaceRoot, 'g1', 's1'));
    expect(git(ws.path, 'symbolic-ref', '--short', 'HEAD')).toBe('omk/g1/s1');
    expect(git(ws.path, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(existsSync(join(ws.path, 'lib/b.ts'))).toBe(true);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
    expect(git(repo.root, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('brings captures back into the main repository and reuses the clone on resume', async () => {
    const ws = await fallback.create(input('s1'));
    await writeFile(join(ws.path, 'src/a.ts'), 'changed\n');
    const first = await fallback.capture(ws, 'first');
    expect(first.committed).toBe(true);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(first.headSha);
    expect(first.changedFiles).toEqual([{ path: 'src/a.ts', additions: 1, deletions: 1 }]);

    await writeFile(join(ws.path, 'wip.txt'), 'unfinished\n');
    const again = await fallback.create(input('s1'));
    expect(again.path).toBe(ws.path);
    expect(again.mode).toBe('branch-checkout');
    expect(await readFile(join(again.path, 'wip.txt'), 'utf8')).toBe('unfinished\n');
    // Even the worktree-capable instance finds the existing clone rather than failing on the path.
    expect((await createGitWorkspaces().create(input('s1'))).mode).toBe('branch-checkout');
  });

  it('removes the clone only after its commits are in the main repository', async () => {
    const ws = await fallback.create(input('s1'));
    await writeFile(join(ws.path, 'x.txt'), 'x\n');
    git(ws.path, 'add', 'x.txt');
    git(ws.path, 'commit', '--quiet', '-m', 'agent commit, never captured');
    const head = git(ws.path, 'rev-parse', 'HEAD');

    await fallback.remove(repo.root, ws);
    expect(existsSync(ws.path)).toBe(false);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(head);
    await fallback.remove(repo.root, ws);
  });

  it('integrates through a clone and fetches the integration branch back', async () => {
    const one = await fallback.create(input('s1'));
    await writeFile(join(one.path, 'one.txt'), '1\n');
    await fallback.capture(one, 'one');
    const two = await fallback.create(input('s2'));
    await writeFile(join(two.path, 'two.txt'), '2\n');
    await fallback.capture(two, 'two');

    const result = await fallback.integrate({
      repoRoot: repo.root,
      workspaceRoot,
      goalId: 'g1',
      baseSha,
      target: 'omk/g1/integration',
      branches: ['omk/g1/s1', 'omk/g1/s2'],
    });
    expect(result.conflict).toBeNull();
    expect(result.workspace.mode).toBe('branch-checkout');
    expect(result.merged).toEqual(['omk/g1/s1', 'omk/g1/s2']);
    expect(git(repo.root, 'rev-parse', 'omk/g1/integration')).toBe(result.headSha);
    expect(git(repo.root, 'show', 'omk/g1/integration:two.txt')).toBe('2');
  });
});

describe("a branch checkout whose .git was replaced (an agent's repository put in its place)", () => {
  /** A repository of the agent's, on the slice's branch, with a commit of its own. */
  async function agentRepository(): Promise<TempRepo> {
    const theirs = await createTempRepo({ 'README.md': '# theirs\n' });
    git(theirs.root, 'checkout', '--quiet', '-b', 'omk/g1/s1');
    return theirs;
  }

  it.each([
    [
      'a link to it',
      'is now a link',
      (ws: string, theirs: string) => symlink(join(theirs, '.git'), join(ws, '.git')),
    ],
    [
      "a 'gitdir:' file naming it",
      'is now a file',
      (ws: string, theirs: string) => writeFile(join(ws, '.git'), `gitdir: ${join(theirs, '.git')}\n`),
    ],
  ])('%s: omk runs no git there, and its next run refuses the checkout', async (_name, said, replace) => {
    const ws = await fallback.create(input('s1'));
    const theirs = await agentRepository();
    try {
      const theirHead = git(theirs.root, 'rev-parse', 'HEAD');
      await rename(join(ws.path, '.git'), join(workspaceRoot, 'moved-away'));
      await replace(ws.path, theirs.root);
      await writeFile(join(ws.path, 'src/a.ts'), 'changed\n');
      const refused = new RegExp(`its \\.git ${said}.*; omk runs no git there`);
      await expect(fallback.clearLocks(ws)).rejects.toThrow(refused);
      await expect(fallback.capture(ws, 'capture')).rejects.toThrow(refused);
      await expect(fallback.resetToBase(ws, join(workspaceRoot, 'reset.diff'))).rejects.toThrow(refused);
      // Nothing was committed into the agent's repository, nor brought back into the user's.
      expect(git(theirs.root, 'rev-parse', 'HEAD')).toBe(theirHead);
      expect(git(theirs.root, 'status', '--porcelain')).toBe('');
      expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
      // A resumed run does not take it for omk's checkout, nor does the clean-up delete it.
      await expect(fallback.create(input('s1'))).rejects.toThrow(/already exists and is not omk's workspace/);
      await expect(fallback.remove(repo.root, ws)).rejects.toThrow(/Refusing to delete/);
    } finally {
      await theirs.cleanup();
    }
  });
});
