import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import type { SliceWorkspace } from '../../runtime/workspace/port.js';
import { createGitWorkspaces } from './workspaces.js';

let repo: TempRepo;
let scratch: string;
let baseSha: string;

beforeEach(async () => {
  repo = await createTempRepo({
    'README.md': '# fixture\n',
    'src/a.js': 'one\n',
    '.gitignore': 'node_modules/\n',
  });
  baseSha = git(repo.root, 'rev-parse', 'HEAD');
  scratch = await mkdtemp(join(tmpdir(), 'omk-reset-'));
});

afterEach(async () => {
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

async function failedAttempt(forceFallback: boolean): Promise<SliceWorkspace> {
  const workspaces = createGitWorkspaces({ forceFallback });
  const ws = await workspaces.create({
    repoRoot: repo.root,
    goalId: 'g1',
    sliceId: 's1',
    baseSha,
    workspaceRoot: join(scratch, 'ws'),
    sparsePaths: null,
  });
  await writeFile(join(ws.path, 'src/a.js'), 'one\nwrong\n');
  await writeFile(join(ws.path, 'new.js'), 'new\n');
  await workspaces.capture(ws, 'attempt 1');
  // Left after the capture: an uncommitted edit and installed dependencies (ignored).
  await writeFile(join(ws.path, 'README.md'), '# edited\n');
  await mkdir(join(ws.path, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(ws.path, 'node_modules', 'dep', 'index.js'), 'installed\n');
  return ws;
}

describe.each([
  ['a worktree', false],
  ['a branch checkout', true],
])('resetToBase on %s', (_, forceFallback) => {
  it('saves what the attempt left as a patch, then puts the branch and files back at the base', async () => {
    const ws = await failedAttempt(forceFallback);
    const before = git(ws.path, 'rev-parse', 'HEAD');
    const diffPath = join(scratch, 'artifacts', 'attempt-1.diff');

    const workspaces = createGitWorkspaces({ forceFallback });
    const reset = await workspaces.resetToBase(ws, diffPath);

    expect(reset).toEqual({ diffSaved: true, previousHead: before });
    const patch = await readFile(diffPath, 'utf8');
    expect(patch).toContain('+wrong');
    expect(patch).toContain('new.js');
    expect(patch).toContain('+# edited');
    expect(git(ws.path, 'rev-parse', 'HEAD')).toBe(baseSha);
    expect(git(repo.root, 'rev-parse', 'omk/g1/s1')).toBe(baseSha);
    expect(git(ws.path, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(ws.path, 'new.js'))).toBe(false);
    expect(existsSync(join(ws.path, 'node_modules', 'dep', 'index.js'))).toBe(true);
    // The saved patch applies on the base again.
    git(ws.path, 'apply', '--check', diffPath);

    // The next attempt's capture is one commit on the base.
    await writeFile(join(ws.path, 'src/a.js'), 'one\nright\n');
    await workspaces.capture(ws, 'attempt 2');
    expect(git(repo.root, 'rev-list', '--count', `${baseSha}..omk/g1/s1`)).toBe('1');
  });

  it('writes no patch when the workspace holds nothing beyond the base', async () => {
    const workspaces = createGitWorkspaces({ forceFallback });
    const ws = await workspaces.create({
      repoRoot: repo.root,
      goalId: 'g1',
      sliceId: 's1',
      baseSha,
      workspaceRoot: join(scratch, 'ws'),
      sparsePaths: null,
    });
    const diffPath = join(scratch, 'artifacts', 'attempt-1.diff');
    expect(await workspaces.resetToBase(ws, diffPath)).toEqual({ diffSaved: false, previousHead: baseSha });
    expect(existsSync(diffPath)).toBe(false);
  });
});
