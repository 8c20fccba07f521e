import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { BusyError, GitError, StateError } from '../../runtime/errors.js';
import { GoalExistsError } from '../../runtime/state/remote.js';
import { createGitStateBranch, type GitStateBranchOptions } from './state-branch.js';
import { STUB_MARKER } from './state-files.js';
import { cQuote } from './state-git.js';
import { groupStateFiles, isLocalOnly, STATE_LIMITS } from './state-tree.js';

let repo: TempRepo;
let base: string;

/** A runner: its own clone of origin and its own state root. */
async function runner(name: string, extra: Partial<GitStateBranchOptions> = {}) {
  const root = join(base, name);
  git(base, 'clone', '--quiet', repo.origin, root);
  const stateRoot = join(base, `${name}-state`);
  const store = createGitStateBranch({ repoRoot: root, stateRoot, ...extra });
  return { root, stateRoot, store };
}

async function writeGoal(
  stateRoot: string,
  id: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(stateRoot, 'goals', id, path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** Every file under dir, relative path → bytes. */
async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    out[abs.slice(dir.length + 1)] = await readFile(abs);
  }
  return out;
}

function branchFiles(commit: string): string[] {
  return git(repo.origin, 'ls-tree', '-r', '-z', '--name-only', commit).split('\0').filter(Boolean).sort();
}

function gitIn(cwd: string, input: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, input, encoding: 'utf8' }).trim();
}

const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0a]);
const goalFiles = {
  'goal.json': '{"version":1}\n',
  'events.jsonl': '{"v":1,"type":"created"}\n',
  'artifacts/gates/abc-test.log': binary,
  'artifacts/reviews/s1.md': 'ünïcödé ✓\n',
  'artifacts/agent-runs/s1/odd "name"\nwith\ttab.md': 'odd\n',
};

describe('git state branch', () => {
  beforeEach(async () => {
    repo = await createTempRepo();
    base = await mkdtemp(join(tmpdir(), 'omk-state-test-'));
  });

  afterEach(async () => {
    await repo.cleanup();
    await rm(base, { recursive: true, force: true });
  });

  it('peeks at one file of a goal on the remote tip without touching local state', async () => {
    const a = await runner('a');
    const b = await runner('b');
    expect(await b.store.peek('g1', 'goal.json')).toBeNull(); // no branch yet
    await writeGoal(a.stateRoot, 'g1', goalFiles);
    await a.store.push('g1', 'first');
    expect(await b.store.peek('g1', 'goal.json')).toBe('{"version":1}\n');
    expect(await b.store.peek('g1', 'artifacts/reviews/s1.md')).toBe('ünïcödé ✓\n');
    expect(await b.store.peek('g1', 'failure.json')).toBeNull();
    expect(await b.store.peek('g2', 'goal.json')).toBeNull();
    await expect(readdir(b.stateRoot)).rejects.toThrow(); // nothing was written locally
    await expect(b.store.peek('g1', '../g2/goal.json')).rejects.toBeInstanceOf(GitError);
    await expect(b.store.peek('g1', '/etc/passwd')).rejects.toBeInstanceOf(GitError);
    await expect(b.store.peek('../g1', 'goal.json')).rejects.toThrow();
  });

  it('reads a whole goal from the remote tip byte for byte, again after it changed', async () => {
    const a = await runner('a');
    const b = await runner('b');
    expect(await b.store.read('g1')).toBeNull(); // no branch yet
    await writeGoal(a.stateRoot, 'g1', goalFiles);
    await a.store.push('g1', 'first');
    const first = await b.store.read('g1');
    expect(Buffer.from(first?.get('artifacts/gates/abc-test.log') ?? []).equals(binary)).toBe(true);
    expect(Buffer.from(first?.get('goal.json') ?? []).toString()).toBe('{"version":1}\n');
    expect(await b.store.read('g2')).toBeNull();
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': '{"version":1,"n":2}\n' });
    await a.store.push('g1', 'second');
    expect(Buffer.from((await b.store.read('g1'))?.get('goal.json') ?? []).toString()).toBe(
      '{"version":1,"n":2}\n',
    );
    await expect(readdir(b.stateRoot)).rejects.toThrow(); // nothing was written locally
  });

  it('hands the remote copy of the goal to its reconciler before an unscoped push, not a scoped one', async () => {
    const a = await runner('a');
    await writeGoal(a.stateRoot, 'g1', goalFiles);
    await a.store.push('g1', 'first');
    const seen: string[] = [];
    const b = await runner('b', {
      reconcile: async (goalId, theirs) => {
        seen.push(
          `${goalId}:${Buffer.from(theirs.get('events.jsonl') ?? [])
            .toString()
            .trim()}`,
        );
      },
    });
    await writeGoal(b.stateRoot, 'g1', { ...goalFiles, 'events.jsonl': '{"v":1,"type":"b"}\n' });
    await b.store.push('g1', 'b');
    await b.store.push('g1', 'b scoped', { only: ['events.jsonl'] });
    expect(seen).toEqual(['g1:{"v":1,"type":"created"}']);
  });

  it('pushes goals/<id>/ as an orphan commit without touching HEAD, index or working tree', async () => {
    const a = await runner('a');
    await writeGoal(a.stateRoot, 'g1', {
      ...goalFiles,
      '.lock': 'pid',
      'artifacts/.x.json.123.tmp': 'partial',
    });
    await writeFile(join(a.root, 'staged.txt'), 'staged\n');
    git(a.root, 'add', 'staged.txt');
    await writeFile(join(a.root, 'untracked.txt'), 'mine\n');
    const head = git(a.root, 'rev-parse', 'HEAD');
    const status = git(a.root, 'status', '--porcelain');

    const sha = await a.store.push('g1', 'omk: g1');

    expect(git(repo.origin, 'rev-parse', 'omk/state')).toBe(sha);
    expect(git(repo.origin, 'rev-list', '--parents', '-n1', sha)).toBe(sha);
    expect(git(repo.origin, 'log', '-1', '--format=%an <%ae>|%s', sha)).toBe('omk <omk@localhost>|omk: g1');
    expect(branchFiles(sha)).toEqual(
      Object.keys(goalFiles)
        .map((path) => `goals/g1/${path}`)
        .sort(),
    );
    expect(git(a.root, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(a.root, 'status', '--porcelain')).toBe(status);
    expect(git(a.root, 'branch', '--list', '--format=%(refname)')).toBe('refs/heads/main');
  });

  it('pulls byte for byte into a fresh root, replacing the local copy but keeping its lock', async () => {
    const a = await runner('a');
    const b = await runner('b');
    expect(await b.store.pull('g1')).toBeNull();
    await writeGoal(a.stateRoot, 'g1', goalFiles);
    await writeGoal(a.stateRoot, 'g1-b', { 'goal.json': '{}' });
    await a.store.push('g1', 'g1');
    const tip = await a.store.push('g1-b', 'g1-b');
    await writeGoal(b.stateRoot, 'g1', { '.lock': 'held', 'stale.md': 'old', 'goal.json': 'old' });

    expect(await b.store.pull('g1')).toEqual({ commit: tip, goals: ['g1'] });
    const pulled = await readTree(join(b.stateRoot, 'goals', 'g1'));
    expect(pulled).toEqual({
      ...Object.fromEntries(Object.entries(goalFiles).map(([k, v]) => [k, Buffer.from(v)])),
      '.lock': Buffer.from('held'),
    });
    expect(await readdir(join(b.stateRoot, 'goals'))).toEqual(['g1']);

    const c = await runner('c');
    expect([...((await c.store.pull(null))?.goals ?? [])].sort()).toEqual(['g1', 'g1-b']);
    expect((await readdir(join(c.stateRoot, 'goals'))).sort()).toEqual(['g1', 'g1-b']);
    expect(await readdir(join(c.stateRoot, 'goals', 'g1-b', 'artifacts'))).toEqual(
      expect.arrayContaining(['gates', 'agent-runs', 'reviews']),
    );
  });

  it('updates a goal on a second push, deleting removed files; an unchanged push makes no commit', async () => {
    const a = await runner('a');
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': 'v1', 'old.md': 'x', 'artifacts/gates/a.log': 'a' });
    const first = await a.store.push('g1', 'first');
    await rm(join(a.stateRoot, 'goals/g1/old.md'));
    await rm(join(a.stateRoot, 'goals/g1/artifacts/gates/a.log'));
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': 'v2' });

    const second = await a.store.push('g1', 'second');
    expect(git(repo.origin, 'rev-parse', `${second}^`)).toBe(first);
    expect(branchFiles(second)).toEqual(['goals/g1/goal.json']);
    expect(git(repo.origin, 'show', `${second}:goals/g1/goal.json`)).toBe('v2');
    expect(await a.store.push('g1', 'again')).toBe(second);
  });

  it('reapplies on a new tip when another writer pushed a different goal first', async () => {
    const a = await runner('a');
    let attempts = 0;
    let winner = '';
    const b = await runner('b', {
      beforePush: async ({ attempt }) => {
        attempts = attempt;
        if (attempt === 1) winner = await a.store.push('ga', 'ga');
      },
    });
    await writeGoal(a.stateRoot, 'ga', { 'goal.json': 'a' });
    await writeGoal(b.stateRoot, 'gb', { 'goal.json': 'b' });

    const sha = await b.store.push('gb', 'gb');
    expect(attempts).toBe(2);
    expect(git(repo.origin, 'rev-parse', `${sha}^`)).toBe(winner);
    expect(branchFiles(sha)).toEqual(['goals/ga/goal.json', 'goals/gb/goal.json']);
  });

  it('lets the last writer of the same goal win without losing other goals', async () => {
    const a = await runner('a');
    const b = await runner('b', {
      beforePush: async ({ attempt }) => {
        if (attempt !== 1) return;
        await a.store.push('shared', 'a shared');
        await a.store.push('other', 'a other');
      },
    });
    await writeGoal(a.stateRoot, 'shared', { 'goal.json': 'from a', 'a-only.md': 'a' });
    await writeGoal(a.stateRoot, 'other', { 'goal.json': 'other' });
    await writeGoal(b.stateRoot, 'shared', { 'goal.json': 'from b' });

    const sha = await b.store.push('shared', 'b shared');
    expect(branchFiles(sha)).toEqual(['goals/other/goal.json', 'goals/shared/goal.json']);
    expect(git(repo.origin, 'show', `${sha}:goals/shared/goal.json`)).toBe('from b');
  });

  it("with a scope, replaces only the scoped paths, so matrix runners sharing a goal keep each other's results", async () => {
    const a = await runner('a');
    const b = await runner('b', {
      // A pushes its slice result between B's fetch and B's push: B must reapply on top of it.
      beforePush: async ({ attempt }) => {
        if (attempt === 1) await a.store.push('g', 'a slice', { only: ['slices/s1.json'] });
      },
    });
    await writeGoal(a.stateRoot, 'g', { 'goal.json': 'planned', 'slices/s1.json': 's1 done' });
    await a.store.push('g', 'plan');
    await b.store.pull('g');
    await writeGoal(a.stateRoot, 'g', { 'goal.json': 'changed by a', 'slices/s1.json': 's1 done again' });
    await writeGoal(b.stateRoot, 'g', { 'goal.json': 'changed by b', 'slices/s2.json': 's2 done' });

    const sha = await b.store.push('g', 'b slice', { only: ['slices/s2.json'] });
    expect(branchFiles(sha)).toEqual([
      'goals/g/goal.json',
      'goals/g/slices/s1.json',
      'goals/g/slices/s2.json',
    ]);
    expect(git(repo.origin, 'show', `${sha}:goals/g/slices/s1.json`)).toBe('s1 done again');
    expect(git(repo.origin, 'show', `${sha}:goals/g/slices/s2.json`)).toBe('s2 done');
    // Out of scope: neither runner's local goal.json replaced the planned one.
    expect(git(repo.origin, 'show', `${sha}:goals/g/goal.json`)).toBe('planned');
  });

  it('refuses a creating push when another writer created the goal first, also in a race it lost', async () => {
    const a = await runner('a');
    let created = '';
    const b = await runner('b', {
      // A creates the same goal between B's fetch and B's push.
      beforePush: async ({ attempt }) => {
        if (attempt === 1) created = await a.store.push('g', 'a creates', { create: true });
      },
    });
    await writeGoal(a.stateRoot, 'g', { 'goal.json': 'from a' });
    await writeGoal(b.stateRoot, 'g', { 'goal.json': 'from b' });
    await expect(b.store.push('g', 'b creates', { create: true })).rejects.toThrow(GoalExistsError);
    expect(git(repo.origin, 'rev-parse', 'omk/state')).toBe(created);
    expect(git(repo.origin, 'show', 'omk/state:goals/g/goal.json')).toBe('from a');
    // Without a race too, and an ordinary push of the goal still goes through.
    const c = await runner('c');
    await writeGoal(c.stateRoot, 'g', { 'goal.json': 'from c' });
    await expect(c.store.push('g', 'c creates', { create: true })).rejects.toThrow(/created it first/);
    await writeGoal(c.stateRoot, 'h', { 'goal.json': 'new' });
    const sha = await c.store.push('h', 'c creates h', { create: true });
    expect(branchFiles(sha)).toEqual(['goals/g/goal.json', 'goals/h/goal.json']);
  });

  it('gives up with BusyError when another writer keeps winning', async () => {
    const other = await runner('other');
    await writeGoal(other.stateRoot, 'noise', { 'goal.json': '0' });
    await other.store.push('noise', 'noise');
    const a = await runner('a', {
      maxAttempts: 3,
      beforePush: async ({ attempt }) => {
        await writeGoal(other.stateRoot, 'noise', { 'goal.json': String(attempt) });
        await other.store.push('noise', `noise ${attempt}`);
      },
    });
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': 'a' });
    await expect(a.store.push('g1', 'g1')).rejects.toThrow(BusyError);
    expect(branchFiles('omk/state')).toEqual(['goals/noise/goal.json']);
  });

  it('reports a refusal by the remote as a GitError, not a race', async () => {
    const hook = join(repo.origin, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "no state here" >&2\nexit 1\n', { mode: 0o755 });
    const a = await runner('a');
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': 'a' });
    const error = await a.store.push('g1', 'g1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(error).not.toBeInstanceOf(BusyError);
  });

  it('stubs oversized artifacts but never state documents, and keeps a local full copy on pull', async () => {
    const a = await runner('a', { maxFileBytes: 1024 });
    const big = 'x'.repeat(5000);
    await writeGoal(a.stateRoot, 'g1', { 'events.jsonl': big, 'artifacts/gates/big.log': big });
    const sha = await a.store.push('g1', 'g1');
    const stub = git(repo.origin, 'show', `${sha}:goals/g1/artifacts/gates/big.log`);
    expect(stub.startsWith(STUB_MARKER)).toBe(true);
    expect(stub).toContain('5000 bytes');
    expect(git(repo.origin, 'show', `${sha}:goals/g1/events.jsonl`)).toBe(big);

    await a.store.pull('g1');
    expect(await readFile(join(a.stateRoot, 'goals/g1/artifacts/gates/big.log'), 'utf8')).toBe(big);
    const b = await runner('b');
    await b.store.pull('g1');
    expect(await readFile(join(b.stateRoot, 'goals/g1/artifacts/gates/big.log'), 'utf8')).toBe(`${stub}\n`);
  });

  it('refuses to push a goal no read would take back (over the file limit), pushing nothing', async () => {
    const a = await runner('a');
    const many = Object.fromEntries(
      Array.from({ length: STATE_LIMITS.goalFiles + 1 }, (_, i) => [`artifacts/gates/f${i}.log`, 'x']),
    );
    await writeGoal(a.stateRoot, 'g1', { 'goal.json': '{}', ...many });
    await expect(a.store.push('g1', 'omk: g1')).rejects.toThrow(
      `Goal g1 is too large for the state branch: ${STATE_LIMITS.goalFiles + 2} files, over the limit of ${STATE_LIMITS.goalFiles}.`,
    );
    expect(git(repo.origin, 'branch', '--list', 'omk/state')).toBe('');
  });

  const hostile: Array<[string, (root: string, blob: string) => string]> = [
    ['a ".." component', (root, blob) => entryIn(root, ['g1', '..'], `100644 blob ${blob}\tevil`)],
    ['a ".." goal id', (root, blob) => entryIn(root, ['..'], `100644 blob ${blob}\tevil`)],
    ['a backslash', (root, blob) => entryIn(root, ['g1'], `100644 blob ${blob}\t..\\evil`)],
    ['a symlink', (root, blob) => entryIn(root, ['g1'], `120000 blob ${blob}\tlink`)],
    ['a gitlink', (root) => entryIn(root, ['g1'], `160000 commit ${git(root, 'rev-parse', 'HEAD')}\tsub`)],
    ['a bad goal id', (root, blob) => entryIn(root, ['Not_An_Id'], `100644 blob ${blob}\tgoal.json`)],
    ['a name of 300 bytes', (root, blob) => entryIn(root, ['g1'], `100644 blob ${blob}\t${'n'.repeat(300)}`)],
    [
      'a path 40 names deep',
      (root, blob) =>
        entryIn(root, ['g1', ...Array.from({ length: 39 }, () => 'd')], `100644 blob ${blob}\tf`),
    ],
    [
      'a goal of 5,001 files',
      (root, blob) => {
        const many = Array.from({ length: 5_001 }, (_, i) => `100644 blob ${blob}\tf${i}`);
        return `040000 tree ${gitIn(root, `${many.join('\n')}\n`, 'mktree')}\tg1`;
      },
    ],
  ];

  it.each(hostile)('refuses to pull a state tree with %s, writing nothing', async (_what, craft) => {
    const a = await runner('a');
    const blob = gitIn(a.root, 'evil\n', 'hash-object', '-w', '--stdin');
    const good = entryIn(a.root, ['good'], `100644 blob ${blob}\tgoal.json`);
    const goals = gitIn(a.root, `${good}\n${craft(a.root, blob)}\n`, 'mktree');
    const tree = gitIn(a.root, `040000 tree ${goals}\tgoals\n`, 'mktree');
    const commit = git(a.root, 'commit-tree', tree, '-m', 'hostile');
    git(a.root, 'push', '--quiet', 'origin', `${commit}:refs/heads/omk/state`);

    const b = await runner('b');
    await expect(b.store.pull(null)).rejects.toThrow(StateError);
    await expect(readdir(b.stateRoot)).rejects.toThrow();
  });
});

/** Writes a state tree of goals `good` (a goal.json) and `g1` holding `blobs` (path → file) in `root`. */
function writeBigGoal(root: string, blobs: Record<string, string>): string {
  const good = gitIn(root, '{}\n', 'hash-object', '-w', '--stdin');
  const lines = Object.entries(blobs).map(([path, file]) => {
    return `100644 blob ${gitIn(root, '', 'hash-object', '-w', '--', file)}\t${path}`;
  });
  const g1 = gitIn(root, `${lines.join('\n')}\n`, 'mktree');
  const goodTree = gitIn(root, `100644 blob ${good}\tgoal.json\n`, 'mktree');
  const goals = gitIn(root, `040000 tree ${g1}\tg1\n040000 tree ${goodTree}\tgood\n`, 'mktree');
  const tree = gitIn(root, `040000 tree ${goals}\tgoals\n`, 'mktree');
  const commit = git(root, 'commit-tree', tree, '-m', 'big');
  git(root, 'update-ref', 'refs/heads/omk/state', commit);
  return commit;
}

describe('a state branch too large to read', () => {
  let repoBig: TempRepo;
  let dir: string;
  let commit = '';
  beforeAll(async () => {
    repoBig = await createTempRepo();
    dir = await mkdtemp(join(tmpdir(), 'omk-state-big-'));
    // Events just over the limit for one file (a 200 MiB one was read whole before, about 670 MB
    // taken in by one pull and the 200 MiB written to disk), and a proof of the limit exactly.
    await writeFile(join(dir, 'events'), Buffer.alloc(STATE_LIMITS.fileBytes + 1, '{"v":1}\n'));
    await writeFile(join(dir, 'proof'), Buffer.alloc(STATE_LIMITS.fileBytes, ' '));
    commit = writeBigGoal(repoBig.origin, {
      'events.jsonl': join(dir, 'events'),
      'proof.json': join(dir, 'proof'),
    });
    git(dir, 'clone', '--quiet', '--single-branch', repoBig.origin, join(dir, 'b'));
  }, 120_000);
  afterAll(async () => {
    await repoBig?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused by every read before a blob of it is read, naming the file and its size; nothing is written', async () => {
    const stateRoot = join(dir, 'b-state');
    const store = createGitStateBranch({ repoRoot: join(dir, 'b'), stateRoot });
    const said = `Refusing state commit ${commit}: "goals/g1/events.jsonl" is ${STATE_LIMITS.fileBytes + 1} bytes, over the ${STATE_LIMITS.fileBytes}-byte limit for one file.`;
    await expect(store.pull(null)).rejects.toThrow(said);
    await expect(store.pull('g1')).rejects.toThrow(said);
    await expect(store.read('g1')).rejects.toThrow(said);
    await expect(store.peek('g1', 'events.jsonl')).rejects.toThrow(said);
    await expect(readdir(stateRoot)).rejects.toThrow();
    // The other goal on the same branch is still read.
    expect(await store.peek('good', 'goal.json')).toBe('{}\n');
  }, 60_000);
});

/** A tree entry line holding `leaf` inside directories `dirs` (outermost first). */
function entryIn(root: string, dirs: string[], leaf: string): string {
  let line = leaf;
  for (const dir of [...dirs].reverse()) line = `040000 tree ${gitIn(root, `${line}\n`, 'mktree')}\t${dir}`;
  return line;
}

describe('state tree rules', () => {
  it('keeps locks and temp files local', () => {
    expect(isLocalOnly('.lock')).toBe(true);
    expect(isLocalOnly('creator.json')).toBe(true);
    expect(isLocalOnly('artifacts/.goal.json.1.ab.tmp')).toBe(true);
    expect(isLocalOnly('artifacts/.lock')).toBe(false);
    expect(isLocalOnly('goal.json')).toBe(false);
  });

  it('refuses a path that is both a file and a directory', () => {
    const entry = (path: string) => ({ mode: '100644', type: 'blob', oid: 'a'.repeat(40), path, size: 3 });
    expect(() => groupStateFiles([entry('goals/g/a'), entry('goals/g/a/b')], 'c')).toThrow(StateError);
    expect(groupStateFiles([entry('goals/g/a'), entry('goals/g/.lock')], 'c').get('g')).toEqual([
      { path: 'a', oid: 'a'.repeat(40), size: 3 },
    ]);
  });

  it('quotes paths the way git unquotes them', () => {
    expect(cQuote('a "b"\n\\c')).toBe('"a \\"b\\"\\n\\\\c"');
  });
});
