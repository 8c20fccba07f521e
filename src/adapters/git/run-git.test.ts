import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { startTrap } from '../../../test/helpers/trap.js';
import { pushAuthEnv } from '../github/push.js';
import { runGit } from './run-git.js';

let repo: TempRepo;
let out: string;
const savedHome = process.env.HOME;
beforeEach(async () => {
  repo = await createTempRepo();
  out = await mkdtemp(join(tmpdir(), 'omk-planted-'));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(out, { recursive: true, force: true });
  delete process.env.GITHUB_TOKEN;
  process.env.HOME = savedHome;
});

/** An executable that leaves a marker when something runs it. */
async function tripwire(name: string): Promise<{ path: string; tripped: () => Promise<boolean> }> {
  const path = join(out, name);
  const marker = join(out, `${name}.ran`);
  await writeFile(path, `#!/bin/sh\ntouch '${marker}'\nexit 0\n`);
  await chmod(path, 0o755);
  return {
    path,
    tripped: () =>
      readFile(marker).then(
        () => true,
        () => false,
      ),
  };
}

describe('runGit', () => {
  it('keeps secret-named variables from git and what it runs, but passes the auth it is given', async () => {
    process.env.GITHUB_TOKEN = 'ghs_canaryRunGit0123456789abcdef';
    await runGit(['-c', `alias.dump=!env > '${join(out, 'env.txt')}'`, 'dump'], {
      cwd: repo.root,
      env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'omk.test', GIT_CONFIG_VALUE_0: 'given' },
    });
    const seen = await readFile(join(out, 'env.txt'), 'utf8');
    expect(seen).not.toContain('ghs_canaryRunGit');
    expect(seen).toContain('GIT_CONFIG_VALUE_0=given');
    expect(seen).toContain('GIT_TERMINAL_PROMPT=0');
  });
});

describe('runGit ignores what an agent could plant', () => {
  it('runs no hook from .git/hooks, nor from a core.hooksPath set in the repository', async () => {
    const inHooks = await tripwire('post-commit');
    await mkdir(join(repo.root, '.git', 'hooks'), { recursive: true });
    await writeFile(join(repo.root, '.git', 'hooks', 'post-commit'), await readFile(inHooks.path));
    await chmod(join(repo.root, '.git', 'hooks', 'post-commit'), 0o755);
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'one'], { cwd: repo.root });
    expect(await inHooks.tripped()).toBe(false);

    const elsewhere = await tripwire('pre-commit');
    git(repo.root, 'config', 'core.hooksPath', out);
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'two'], { cwd: repo.root });
    expect(await elsewhere.tripped()).toBe(false);
    // The same hook does run for the user's own git: the tripwire works.
    git(repo.root, 'commit', '--allow-empty', '--quiet', '-m', 'three');
    expect(await elsewhere.tripped()).toBe(true);
  });

  it('runs none of the hooks omk commits, checks out, merges or moves refs past', async () => {
    const hooks = join(repo.root, '.git', 'hooks');
    await mkdir(hooks, { recursive: true });
    const kinds = [
      'prepare-commit-msg',
      'commit-msg',
      'post-commit',
      'post-checkout',
      'post-merge',
      'reference-transaction',
    ];
    const wires = await Promise.all(kinds.map((kind) => tripwire(kind)));
    for (const [i, kind] of kinds.entries()) {
      await writeFile(join(hooks, kind), await readFile(wires[i]?.path ?? ''));
      await chmod(join(hooks, kind), 0o755);
    }
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'one'], { cwd: repo.root });
    await runGit(['checkout', '--quiet', '-b', 'side'], { cwd: repo.root });
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'two'], { cwd: repo.root });
    await runGit(['checkout', '--quiet', '-'], { cwd: repo.root });
    await runGit(['merge', '--quiet', '--no-ff', '--no-edit', 'side'], { cwd: repo.root });
    await runGit(['update-ref', 'refs/heads/other', 'HEAD'], { cwd: repo.root });
    for (const [i, kind] of kinds.entries()) expect(await wires[i]?.tripped(), kind).toBe(false);
    // The user's own git runs them: the hooks were live.
    git(repo.root, 'commit', '--allow-empty', '--quiet', '-m', 'three');
    expect(await wires[2]?.tripped()).toBe(true);
  });

  it('runs no fsmonitor command set in the repository', async () => {
    const monitor = await tripwire('fsmonitor');
    git(repo.root, 'config', 'core.fsmonitor', monitor.path);
    await writeFile(join(repo.root, 'new.txt'), 'x\n');
    await runGit(['status', '--porcelain'], { cwd: repo.root });
    expect(await monitor.tripped()).toBe(false);
  });

  it("reads no global config: a planted ~/.gitconfig changes nothing omk's git does", async () => {
    const home = join(out, 'home');
    await mkdir(home);
    await writeFile(join(home, '.gitconfig'), '[omk]\n\tplanted = yes\n');
    process.env.HOME = home;
    expect(git(repo.root, 'config', 'omk.planted')).toBe('yes');
    const seen = await runGit(['config', 'omk.planted'], { cwd: repo.root, okExitCodes: [1] });
    expect(seen).toMatchObject({ exitCode: 1, stdout: '' });
  });

  it('refuses to send a token through a planted pushInsteadOf or a proxy; without a token nothing is checked', async () => {
    const target = 'https://github.example/acme/widgets.git';
    const auth = pushAuthEnv(target, 'ghs_token0123456789');
    const listRemote = (env?: Record<string, string>) =>
      runGit(['config', '--get-regexp', '^omk'], {
        cwd: repo.root,
        okExitCodes: [1],
        ...(env ? { env } : {}),
      });
    await expect(listRemote(auth)).resolves.toMatchObject({ exitCode: 1 });

    git(repo.root, 'config', 'url.https://evil.example/.pushInsteadOf', 'https://github.example/');
    await expect(listRemote(auth)).rejects.toThrow(/url\.https:\/\/evil\.example\/\.pushinsteadof/);
    await expect(listRemote()).resolves.toMatchObject({ exitCode: 1 });

    git(repo.root, 'config', '--unset', 'url.https://evil.example/.pushInsteadOf');
    git(repo.root, 'config', 'http.https://github.example/.proxy', 'http://127.0.0.1:9');
    await expect(listRemote(auth)).rejects.toThrow(/does not send its token through a redirect or a proxy/);
  });

  it("sends no token through a remote's own proxy (it beats the http.proxy omk overrides), nor a curloptResolve", async () => {
    const trap = await startTrap();
    try {
      // The state branch fetches and pushes by the remote's name, as here.
      const url = 'http://github.example/acme/widgets.git';
      git(repo.root, 'remote', 'set-url', 'origin', url);
      const auth = pushAuthEnv(url, 'ghs_token0123456789');
      git(repo.root, 'config', 'remote.origin.proxy', trap.url);
      await expect(runGit(['ls-remote', 'origin'], { cwd: repo.root, env: auth })).rejects.toThrow(
        /sends requests elsewhere \(remote\.origin\.proxy\); omk does not send its token through a redirect or a proxy/,
      );
      expect(trap.received()).toBe('');
      git(repo.root, 'config', '--unset', 'remote.origin.proxy');
      for (const key of ['http.curloptResolve', 'http.http://github.example/.curloptResolve']) {
        git(repo.root, 'config', key, `github.example:80:127.0.0.1`);
        await expect(runGit(['ls-remote', 'origin'], { cwd: repo.root, env: auth }), key).rejects.toThrow(
          /does not send its token through a redirect or a proxy/,
        );
        git(repo.root, 'config', '--unset', key);
      }
      expect(trap.received()).toBe('');
    } finally {
      await trap.close();
    }
  });
});

describe('runGit runs no driver the config or a committed .gitattributes names', () => {
  /** A tripwire that also passes its input (or the file it is given) through, as a filter does. */
  async function passThrough(name: string): Promise<{ path: string; tripped: () => Promise<boolean> }> {
    const wire = await tripwire(name);
    await writeFile(
      wire.path,
      `${(await readFile(wire.path, 'utf8')).replace('exit 0\n', '')}if [ -f "$1" ]; then cat "$1"; else cat; fi\n`,
    );
    return wire;
  }

  it('add, status, commit, checkout and diff with a clean and smudge filter: none runs, the file is stored as it is', async () => {
    const filter = await passThrough('filter');
    git(repo.root, 'config', 'filter.evil.clean', filter.path);
    git(repo.root, 'config', 'filter.evil.smudge', filter.path);
    git(repo.root, 'config', 'filter.evil.required', 'true');
    await writeFile(join(repo.root, '.gitattributes'), '* filter=evil\n');
    await writeFile(join(repo.root, 'notes.txt'), 'kept as written\n');
    await runGit(['add', '--all'], { cwd: repo.root });
    await runGit(['status', '--porcelain'], { cwd: repo.root });
    await runGit(['commit', '--quiet', '-m', 'filtered'], { cwd: repo.root });
    await rm(join(repo.root, 'notes.txt'));
    await runGit(['checkout', '--', 'notes.txt'], { cwd: repo.root });
    await runGit(['diff', 'HEAD~1', 'HEAD'], { cwd: repo.root });
    expect(await filter.tripped()).toBe(false);
    expect(git(repo.root, 'show', 'HEAD:notes.txt')).toBe('kept as written');
  });

  it('a filter from a worktree config.worktree or an included file: none runs', async () => {
    const filter = await passThrough('worktree-filter');
    await writeFile(join(out, 'included'), `[filter "inc"]\n\tclean = ${filter.path}\n`);
    git(repo.root, 'config', 'include.path', join(out, 'included'));
    git(repo.root, 'config', 'extensions.worktreeConfig', 'true');
    git(repo.root, 'config', '--worktree', 'filter.wt.process', filter.path);
    await writeFile(join(repo.root, '.gitattributes'), '*.md filter=wt\n*.txt filter=inc\n');
    await writeFile(join(repo.root, 'a.md'), 'a\n');
    await writeFile(join(repo.root, 'b.txt'), 'b\n');
    await runGit(['add', '--all'], { cwd: repo.root });
    expect(await filter.tripped()).toBe(false);
  });

  it("a merge driver and a textconv: the merge is git's own text merge, the diff git's own", async () => {
    const driver = await passThrough('driver');
    git(repo.root, 'config', 'merge.evil.driver', `${driver.path} %A`);
    git(repo.root, 'config', 'diff.evil.textconv', driver.path);
    await writeFile(join(repo.root, '.gitattributes'), '*.txt merge=evil diff=evil\n');
    await writeFile(join(repo.root, 'list.txt'), 'one\ntwo\nthree\n');
    git(repo.root, 'add', '--all');
    git(repo.root, 'commit', '--quiet', '-m', 'list');
    git(repo.root, 'checkout', '--quiet', '-b', 'side');
    await writeFile(join(repo.root, 'list.txt'), 'one\ntwo\nthree\nfour\n');
    git(repo.root, 'commit', '--quiet', '-am', 'four');
    git(repo.root, 'checkout', '--quiet', '-');
    await writeFile(join(repo.root, 'list.txt'), 'zero\none\ntwo\nthree\n');
    git(repo.root, 'commit', '--quiet', '-am', 'zero');
    await runGit(['merge', '--quiet', '--no-edit', 'side'], { cwd: repo.root });
    await runGit(['log', '-p', '-1'], { cwd: repo.root });
    await runGit(['show', 'HEAD~1'], { cwd: repo.root });
    expect(await driver.tripped()).toBe(false);
    expect(await readFile(join(repo.root, 'list.txt'), 'utf8')).toBe('zero\none\ntwo\nthree\nfour\n');
  });

  it('a pager, an editor, a signing program and a git:// proxy command: none runs', async () => {
    const wire = await passThrough('programs');
    for (const key of ['core.pager', 'core.editor', 'sequence.editor', 'gpg.program', 'core.gitProxy'])
      git(repo.root, 'config', key, wire.path);
    git(repo.root, 'config', 'commit.gpgSign', 'true');
    git(repo.root, 'config', 'tag.gpgSign', 'true');
    await runGit(['commit', '--allow-empty', '--quiet', '-m', 'signed?'], { cwd: repo.root });
    await runGit(['tag', '-a', '-m', 'tagged', 'v1'], { cwd: repo.root });
    await runGit(['log', '-1'], { cwd: repo.root });
    await runGit(['ls-remote', 'git://127.0.0.1:9/x'], { cwd: repo.root, okExitCodes: [128] });
    expect(await wire.tripped()).toBe(false);
  });
});
