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
