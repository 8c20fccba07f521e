import { existsSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killedOnTheWayOut } from '../../../test/helpers/ending-processes.js';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { runProcessWith } from '../process/run-process.js';
import { escapingLinks } from './links.js';
import { endStrays } from './processes.js';
import { watchIntegrity } from './snapshot.js';

let repo: TempRepo;
let home: string;
let worktree: string;

beforeEach(async () => {
  repo = await createTempRepo({ 'README.md': '# r\n', 'src/a.js': 'a\n' });
  home = await mkdtemp(join(tmpdir(), 'omk-home-'));
  worktree = join(home, 'wt');
  git(repo.root, 'worktree', 'add', '--quiet', '-b', 'omk/g/s1', worktree);
});
afterEach(async () => {
  await repo.cleanup();
  await rm(home, { recursive: true, force: true });
});

const scope = () => ({ repoRoot: repo.root, worktree, home, ownWorktreesUnder: null });

describe('the integrity watch', () => {
  it('reports nothing when nothing outside the worktree changed, whatever changed inside it', async () => {
    const watch = await watchIntegrity(scope());
    await writeFile(join(worktree, 'src', 'a.js'), 'changed\n');
    git(worktree, 'commit', '--quiet', '-am', 'inside');
    expect(await watch.check()).toEqual([]);
  });

  it('puts a changed hook back with its mode, removes a planted one and restores an edited info file', async () => {
    const hooks = join(repo.root, '.git', 'hooks');
    await writeFile(join(hooks, 'pre-push'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const watch = await watchIntegrity(scope());
    await writeFile(join(hooks, 'pre-push'), '#!/bin/sh\ncurl evil\n');
    await chmod(join(hooks, 'pre-push'), 0o700);
    await writeFile(join(hooks, 'post-checkout'), '#!/bin/sh\n');
    await writeFile(join(repo.root, '.git', 'info', 'attributes'), '* filter=evil\n');
    expect(await watch.check()).toEqual([
      { what: '.git/hooks/post-checkout', change: 'added', restored: true },
      { what: '.git/hooks/pre-push', change: 'changed', restored: true },
      { what: '.git/info/attributes', change: 'added', restored: true },
    ]);
    expect(await readFile(join(hooks, 'pre-push'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect((await stat(join(hooks, 'pre-push'))).mode & 0o777).toBe(0o755);
    expect(existsSync(join(hooks, 'post-checkout'))).toBe(false);
    expect(existsSync(join(repo.root, '.git', 'info', 'attributes'))).toBe(false);
  });

  it("puts back a shallow checkout's .git/shallow that was rewritten, and leaves one nobody touched", async () => {
    // A shallow checkout (an Action's) has the file before any run: only a change to it is named.
    const shallow = join(repo.root, '.git', 'shallow');
    const first = git(repo.root, 'rev-parse', 'HEAD');
    await writeFile(shallow, `${first}\n`);
    const untouched = await watchIntegrity(scope());
    expect(await untouched.check()).toEqual([]);
    const watch = await watchIntegrity(scope());
    git(worktree, 'commit', '--quiet', '--allow-empty', '-m', 'inside');
    await writeFile(shallow, `${first}\n${git(worktree, 'rev-parse', 'HEAD')}\n`);
    expect(await watch.check()).toEqual([{ what: '.git/shallow', change: 'changed', restored: true }]);
    expect(await readFile(shallow, 'utf8')).toBe(`${first}\n`);
  });

  it("names and undoes a worktree's config.worktree, its .git file and commondir; omk's own sparse lines are no change", async () => {
    const admin = join(repo.root, '.git', 'worktrees', 'wt');
    const gitFile = await readFile(join(worktree, '.git'), 'utf8');
    const watch = await watchIntegrity(scope());
    git(worktree, 'sparse-checkout', 'set', '--cone', 'src');
    expect(await watch.check()).toEqual([]);
    const sparse = await readFile(join(admin, 'config.worktree'), 'utf8');
    git(worktree, 'config', '--worktree', 'filter.evil.clean', 'touch /tmp/x; cat');
    await writeFile(join(worktree, '.git'), 'gitdir: /tmp/elsewhere\n');
    await writeFile(join(admin, 'commondir'), '/tmp/elsewhere\n');
    await writeFile(join(repo.root, '.git', 'config.worktree'), '[core]\n\tpager = evil\n');
    expect(await watch.check()).toEqual([
      { what: '.git/config.worktree', change: 'added', restored: true },
      { what: '.git/worktrees/wt/commondir', change: 'changed', restored: true },
      { what: '.git/worktrees/wt/config.worktree', change: 'added', restored: true },
      { what: 'the .git file of worktree wt', change: 'changed', restored: true },
    ]);
    expect(await readFile(join(admin, 'config.worktree'), 'utf8')).toBe(sparse);
    expect(await readFile(join(worktree, '.git'), 'utf8')).toBe(gitFile);
    expect(await readFile(join(admin, 'commondir'), 'utf8')).toBe('../..\n');
    expect(existsSync(join(repo.root, '.git', 'config.worktree'))).toBe(false);
  });

  it("ignores the per-worktree config line omk's own sparse checkouts add, and nothing else", async () => {
    const watch = await watchIntegrity(scope());
    git(repo.root, 'config', 'extensions.worktreeConfig', 'true');
    expect(await watch.check()).toEqual([]);
    git(repo.root, 'config', 'core.fsmonitor', 'evil');
    expect(await watch.check()).toEqual([{ what: '.git/config', change: 'changed', restored: true }]);
  });

  it("names and undoes a branch checkout's own config, config.worktree, hook, info file and replace ref", async () => {
    // omk's fallback workspace: a clone beside the worktrees, whose .git is its own directory.
    const clone = join(home, 'clone');
    git(home, 'clone', '--quiet', repo.root, clone);
    const cloneGit = join(clone, '.git');
    const config = await readFile(join(cloneGit, 'config'), 'utf8');
    const head = git(clone, 'rev-parse', 'HEAD');
    const watch = await watchIntegrity({ ...scope(), worktree: clone });
    await writeFile(join(clone, 'src', 'a.js'), 'changed\n');
    git(clone, 'commit', '--quiet', '-am', 'inside');
    expect(await watch.check()).toEqual([]);
    git(clone, 'config', 'extensions.worktreeConfig', 'true');
    git(clone, 'config', '--worktree', 'filter.evil.clean', 'touch /tmp/x; cat');
    await writeFile(join(cloneGit, 'hooks', 'post-commit'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(cloneGit, 'info', 'attributes'), '* filter=evil\n');
    git(clone, 'replace', head, git(clone, 'rev-parse', 'HEAD'));
    expect(await watch.check()).toEqual([
      { what: "the branch checkout's .git/config", change: 'changed', restored: true },
      { what: "the branch checkout's .git/config.worktree", change: 'added', restored: true },
      { what: "the branch checkout's .git/hooks/post-commit", change: 'added', restored: true },
      { what: "the branch checkout's .git/info/attributes", change: 'added', restored: true },
      {
        what: `the branch checkout's replace ref refs/replace/${head}`,
        change: 'added',
        restored: true,
      },
    ]);
    expect(await readFile(join(cloneGit, 'config'), 'utf8')).toBe(config);
    for (const planted of ['config.worktree', 'hooks/post-commit', 'info/attributes', `refs/replace/${head}`])
      expect(existsSync(join(cloneGit, planted)), planted).toBe(false);
    // The shared .git was not touched: nothing of it is named.
    expect(git(repo.root, 'config', '--list', '--local')).not.toContain('evil');
  });

  it("names a branch checkout's .git replaced by a link to a repository of the agent's, without putting it back nor writing through it", async () => {
    const clone = join(home, 'clone');
    git(home, 'clone', '--quiet', repo.root, clone);
    const watch = await watchIntegrity({ ...scope(), worktree: clone });
    const own = join(home, 'own.git');
    git(home, 'clone', '--quiet', '--bare', repo.root, own);
    await rm(join(clone, '.git'), { recursive: true });
    await symlink(own, join(clone, '.git'));
    const changes = await watch.check();
    expect(changes).toContainEqual({
      what: "the branch checkout's .git",
      change: 'changed',
      restored: false,
    });
    // Nothing written through the link: the repository it names keeps its own config.
    expect(changes.filter((change) => change.what.startsWith("the branch checkout's .git/"))).toEqual([]);
    expect(git(own, 'config', '--get', 'core.bare')).toBe('true');
  });

  it("runs no git through a branch checkout's .git replaced by a link (to a directory no git reads)", async () => {
    const clone = join(home, 'clone');
    git(home, 'clone', '--quiet', repo.root, clone);
    const watch = await watchIntegrity({ ...scope(), worktree: clone });
    const empty = join(home, 'not-a-repository');
    await mkdir(empty);
    await rm(join(clone, '.git'), { recursive: true });
    await symlink(empty, join(clone, '.git'));
    // Listing the clone's replace refs through it would fail: git finds no repository there.
    expect(await watch.check()).toEqual([
      { what: "the branch checkout's .git", change: 'changed', restored: false },
    ]);
  });

  it("names another worktree's moved HEAD, unless it is one of omk's own for the goal", async () => {
    const other = join(home, 'own', 's2');
    git(repo.root, 'worktree', 'add', '--quiet', '-b', 'omk/g/s2', other);
    const strict = await watchIntegrity(scope());
    const lenient = await watchIntegrity({ ...scope(), ownWorktreesUnder: join(home, 'own') });
    git(other, 'commit', '--quiet', '--allow-empty', '-m', 'moved');
    expect(await strict.check()).toEqual([
      { what: 'HEAD of worktree omk/g/s2', change: 'changed', restored: false },
    ]);
    expect(await lenient.check()).toEqual([]);
  });
});

describe('links out of the worktree', () => {
  it('finds absolute and relative links that leave the worktree, not those that stay inside', async () => {
    await mkdir(join(worktree, 'l'), { recursive: true });
    await symlink('/etc/passwd', join(worktree, 'l', 'abs'));
    await symlink('../../../outside', join(worktree, 'l', 'rel'));
    await symlink('../src/a.js', join(worktree, 'l', 'inside'));
    const found = await escapingLinks(worktree, ['l/abs', 'l/rel', 'l/inside', 'src/a.js', 'gone']);
    expect(found).toEqual([
      { path: 'l/abs', target: '/etc/passwd' },
      { path: 'l/rel', target: '../../../outside' },
    ]);
  });
});

describe('hard links', () => {
  it('finds a changed file with a name outside the change, not two changed names of one file', async () => {
    await mkdir(join(worktree, 'h'), { recursive: true });
    const outside = join(home, 'bashrc');
    await writeFile(outside, 'export KEY=1\n');
    await link(outside, join(worktree, 'h', 'profile'));
    await writeFile(join(worktree, 'h', 'one'), 'x\n');
    await link(join(worktree, 'h', 'one'), join(worktree, 'h', 'two'));
    expect(await escapingLinks(worktree, ['h/profile', 'h/one', 'h/two', 'src/a.js'])).toEqual([
      { path: 'h/profile', hardLinks: 2 },
    ]);
    // One of the two names left out of the change: its other name could be anywhere.
    expect(await escapingLinks(worktree, ['h/one'])).toEqual([{ path: 'h/one', hardLinks: 2 }]);
  });
});

describe('processes left in a worktree', () => {
  it('says it did not look where there is no /proc', async () => {
    expect(await endStrays(worktree, { proc: join(home, 'no-proc') })).toEqual({
      checked: false,
      reason: `this platform has no ${join(home, 'no-proc')} to find processes by working directory`,
    });
  });

  it('does not end as left one its run killed on the way out, still ending there (a large heap)', async () => {
    // Without the subreaper, as where prctl is refused: the scan alone looks, right after the run.
    const ready = join(home, 'ready');
    const run = await runProcessWith(
      {
        argv: ['sh', '-c', `${killedOnTheWayOut(ready, 600)}; exit 0`],
        cwd: worktree,
        env: {},
        timeoutMs: 30_000,
      },
      null,
    );
    expect(run.exitCode).toBe(0);
    expect(await endStrays(worktree)).toEqual({ checked: true, killed: [] });
  });
});
