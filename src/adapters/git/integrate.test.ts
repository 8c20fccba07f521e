import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { GitError } from '../../runtime/errors.js';
import type { IntegrateInput } from '../../runtime/workspace/port.js';
import { createGitWorkspaces, gitWorkspaces } from './workspaces.js';

let repo: TempRepo;
let workspaceRoot: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# fixture\n', 'shared.txt': 'line 1\nline 2\nline 3\n' });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  workspaceRoot = await mkdtemp(join(tmpdir(), 'omk-ws-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(workspaceRoot, { recursive: true, force: true });
});

/** Creates slice `sliceId` on top of `fromBranch` (or the base) with `files`, captured. */
async function slice(sliceId: string, files: Record<string, string>, fromBranch?: string): Promise<string> {
  const from = fromBranch === undefined ? baseSha : git(repo.root, 'rev-parse', fromBranch);
  if (from !== baseSha) git(repo.root, 'branch', `omk/g1/${sliceId}`, from);
  const ws = await gitWorkspaces.create({
    repoRoot: repo.root,
    goalId: 'g1',
    sliceId,
    baseSha,
    workspaceRoot,
    sparsePaths: null,
  });
  for (const [path, content] of Object.entries(files)) await writeFile(join(ws.path, path), content);
  await gitWorkspaces.capture(ws, `omk(${sliceId})`);
  return ws.branch;
}

function integrateInput(branches: string[]): IntegrateInput {
  return {
    repoRoot: repo.root,
    workspaceRoot,
    goalId: 'g1',
    baseSha,
    target: 'omk/g1/integration',
    branches,
  };
}

describe('gitWorkspaces.integrate', () => {
  it('merges disjoint slices in order with one merge commit each', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const b = await slice('b', { 'b.txt': 'b\n' });
    const result = await gitWorkspaces.integrate(integrateInput([a, b]));

    expect(result.conflict).toBeNull();
    expect(result.merged).toEqual([a, b]);
    expect(result.workspace.branch).toBe('omk/g1/integration');
    expect(result.workspace.path).toBe(join(workspaceRoot, 'g1', 'integration'));
    expect(git(repo.root, 'rev-parse', 'omk/g1/integration')).toBe(result.headSha);
    expect(git(result.workspace.path, 'log', '--first-parent', '--format=%s', `${baseSha}..HEAD`)).toBe(
      'omk: integrate omk/g1/b\nomk: integrate omk/g1/a',
    );
    expect(existsSync(join(result.workspace.path, 'a.txt'))).toBe(true);
    expect(existsSync(join(result.workspace.path, 'b.txt'))).toBe(true);
  });

  it('refuses a branch that is not at the commit omk captured it at, merging nothing', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const b = await slice('b', { 'b.txt': 'b\n' });
    const captured = { [a]: git(repo.root, 'rev-parse', a), [b]: git(repo.root, 'rev-parse', b) };
    // Something moves b after its capture: a commit of its own on top.
    const moved = git(repo.root, 'commit-tree', '-p', b, '-m', 'more', `${b}^{tree}`);
    git(repo.root, 'update-ref', `refs/heads/${b}`, moved);
    const refused = gitWorkspaces.integrate({ ...integrateInput([a, b]), heads: captured });
    await expect(refused).rejects.toThrow(GitError);
    await expect(refused).rejects.toThrow(
      `Cannot integrate ${b}: it is at ${moved}, not at ${captured[b]} where omk captured it`,
    );
    expect(git(repo.root, 'rev-parse', 'omk/g1/integration'), 'nothing merged').toBe(baseSha);
    git(repo.root, 'update-ref', `refs/heads/${b}`, captured[b] ?? '');
    const result = await gitWorkspaces.integrate({ ...integrateInput([a, b]), heads: captured });
    expect(result.merged).toEqual([a, b]);
  });

  it('merges a dependency chain in order', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const b = await slice('b', { 'b.txt': 'b\n' }, a);
    const result = await gitWorkspaces.integrate(integrateInput([a, b]));
    expect(result.conflict).toBeNull();
    expect(result.merged).toEqual([a, b]);
    expect(git(result.workspace.path, 'show', 'HEAD:b.txt')).toBe('b');
    expect(git(result.workspace.path, 'merge-base', '--is-ancestor', b, 'HEAD')).toBe('');
    expect(git(result.workspace.path, 'rev-list', '--count', '--merges', `${baseSha}..HEAD`)).toBe('2');
  });

  it('stops at a conflict, reports its paths and leaves no merge in progress', async () => {
    const a = await slice('a', { 'shared.txt': 'line 1\nfrom a\nline 3\n' });
    const b = await slice('b', { 'shared.txt': 'line 1\nfrom b\nline 3\n' });
    const c = await slice('c', { 'c.txt': 'c\n' });
    const bHead = git(repo.root, 'rev-parse', b);
    const result = await gitWorkspaces.integrate(integrateInput([a, b, c]));

    expect(result.merged).toEqual([a]);
    expect(result.conflict).toEqual({
      branch: b,
      paths: ['shared.txt'],
      detail: expect.stringContaining('shared.txt'),
    });
    const cwd = result.workspace.path;
    expect(git(cwd, 'status', '--porcelain')).toBe('');
    expect(() => git(cwd, 'rev-parse', '--verify', '--quiet', 'MERGE_HEAD')).toThrow();
    expect(git(cwd, 'rev-parse', 'HEAD')).toBe(result.headSha);
    expect(git(cwd, 'show', 'HEAD:shared.txt')).toBe('line 1\nfrom a\nline 3');
    // The conflicting slice is left exactly as it was.
    expect(git(repo.root, 'rev-parse', b)).toBe(bHead);
  });

  it('is idempotent: a rerun merges nothing twice and only adds what is new', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const b = await slice('b', { 'b.txt': 'b\n' });
    const first = await gitWorkspaces.integrate(integrateInput([a, b]));
    const again = await gitWorkspaces.integrate(integrateInput([a, b]));
    expect(again.headSha).toBe(first.headSha);
    expect(again.merged).toEqual([a, b]);
    expect(again.workspace.path).toBe(first.workspace.path);

    const c = await slice('c', { 'c.txt': 'c\n' });
    const third = await gitWorkspaces.integrate(integrateInput([a, b, c]));
    expect(
      git(repo.root, 'rev-list', '--count', '--first-parent', `${first.headSha}..${third.headSha}`),
    ).toBe('1');
  });

  it('rejects a foreign target or branch', async () => {
    await expect(gitWorkspaces.integrate({ ...integrateInput([]), target: 'main' })).rejects.toBeInstanceOf(
      GitError,
    );
    await expect(gitWorkspaces.integrate(integrateInput(['main']))).rejects.toBeInstanceOf(GitError);
    await expect(gitWorkspaces.integrate(integrateInput(['omk/other/a']))).rejects.toBeInstanceOf(GitError);
    await expect(gitWorkspaces.integrate(integrateInput(['omk/g1/missing']))).rejects.toThrow(
      /does not exist/,
    );
  });
});

describe('gitWorkspaces.prepareIntegration', () => {
  const where = () => ({ repoRoot: repo.root, workspaceRoot, goalId: 'g1', baseSha });
  const branchAt = (name: string) => {
    try {
      return git(repo.root, 'rev-parse', '--verify', '--quiet', name);
    } catch {
      return null;
    }
  };

  it('makes the integration workspace ahead of time; integrate then merges into it', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const workspaces = createGitWorkspaces();
    workspaces.prepareIntegration(where());
    const result = await workspaces.integrate(integrateInput([a]));
    expect(result.merged).toEqual([a]);
    expect(result.workspace.path).toBe(join(workspaceRoot, 'g1', 'integration'));
    expect(result.changedFiles.map((file) => file.path)).toEqual(['a.txt']);
    expect(existsSync(join(result.workspace.path, 'a.txt'))).toBe(true);
  });

  it('leaves nothing behind when discarded unused: no worktree, no branch', async () => {
    const workspaces = createGitWorkspaces();
    await workspaces.prepareIntegration(where()).discard();
    expect(branchAt('omk/g1/integration')).toBeNull();
    expect(existsSync(join(workspaceRoot, 'g1', 'integration'))).toBe(false);
    expect(git(repo.root, 'worktree', 'list', '--porcelain')).not.toContain('integration');
  });

  it('never drops an integration branch it did not make, or one that moved on', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const earlier = await gitWorkspaces.integrate(integrateInput([a]));
    const workspaces = createGitWorkspaces();
    await workspaces.prepareIntegration(where()).discard();
    expect(branchAt('omk/g1/integration')).toBe(earlier.headSha);
    expect(existsSync(join(earlier.workspace.path, 'a.txt'))).toBe(true);
  });

  it('does nothing on discard after an integration took the workspace', async () => {
    const a = await slice('a', { 'a.txt': 'a\n' });
    const workspaces = createGitWorkspaces();
    const prepared = workspaces.prepareIntegration(where());
    const result = await workspaces.integrate(integrateInput([a]));
    await prepared.discard();
    expect(branchAt('omk/g1/integration')).toBe(result.headSha);
  });
});

describe('gitWorkspaces.mergeForRepair', () => {
  /** a and b conflict in shared.txt; the integration merged a and stopped at b. */
  async function conflicting(workspaces = gitWorkspaces) {
    const a = await slice('a', { 'shared.txt': 'line 1\nfrom a\nline 3\n' });
    const b = await slice('b', { 'shared.txt': 'line 1\nfrom b\nline 3\n' });
    const captured = git(repo.root, 'rev-parse', b);
    const result = await workspaces.integrate({
      ...integrateInput([a, b]),
      heads: { [a]: git(repo.root, 'rev-parse', a), [b]: captured },
    });
    expect(result.conflict?.branch).toBe(b);
    return { b, captured, workspace: result.workspace };
  }

  it('leaves the conflict of the branch where omk captured it for the repair agent', async () => {
    const { b, captured, workspace } = await conflicting();
    const merged = await gitWorkspaces.mergeForRepair(workspace, 'g1', { branch: b, head: captured });
    expect(merged.paths).toEqual(['shared.txt']);
    expect(git(workspace.path, 'rev-parse', 'MERGE_HEAD')).toBe(captured);
  });

  for (const mode of ['worktree', 'branch checkout'] as const) {
    it(`refuses a branch moved since omk captured it, merging nothing (${mode})`, async () => {
      const workspaces = mode === 'worktree' ? gitWorkspaces : createGitWorkspaces({ forceFallback: true });
      const { b, captured, workspace } = await conflicting(workspaces);
      const before = git(workspace.path, 'rev-parse', 'HEAD');
      // Another slice's agent rewrites b after the integration checked it: the repair would merge it.
      const moved = git(repo.root, 'commit-tree', '-p', captured, '-m', 'more', `${captured}^{tree}`);
      git(repo.root, 'update-ref', `refs/heads/${b}`, moved);
      const refused = workspaces.mergeForRepair(workspace, 'g1', { branch: b, head: captured });
      await expect(refused).rejects.toBeInstanceOf(GitError);
      await expect(refused).rejects.toThrow(
        `Cannot integrate ${b}: it is at ${moved}, not at ${captured} where omk captured it and its slice was reviewed. Something moved it since; nothing was merged.`,
      );
      expect(git(workspace.path, 'rev-parse', 'HEAD'), 'nothing merged').toBe(before);
      expect(() => git(workspace.path, 'rev-parse', '--verify', '--quiet', 'MERGE_HEAD')).toThrow();
      expect(git(workspace.path, 'status', '--porcelain')).toBe('');
      // A branch removed since is refused too (a clone still sees the moved commit it last fetched).
      if (mode === 'branch checkout') return;
      git(repo.root, 'update-ref', '-d', `refs/heads/${b}`);
      await expect(workspaces.mergeForRepair(workspace, 'g1', { branch: b, head: captured })).rejects.toThrow(
        `Cannot integrate ${b}: it is at no commit (it was removed), not at ${captured}`,
      );
    });
  }
});
