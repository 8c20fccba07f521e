import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import { pushAuthEnv } from '../github/push.js';
import { forgetConfigKeys } from './config-keys-cache.js';
import { runGit } from './run-git.js';

// runGit reads the repository's config before a call that carries a token (to refuse a planted
// redirect) and before one that can run a driver (to switch each off): one read serves both. The
// git runGit starts is a wrapper on PATH that logs each argv, then runs the real git.

let repo: TempRepo;
let out: string;
let log: string;
const savedPath = process.env.PATH;
const auth = pushAuthEnv('https://github.example/acme/widgets.git', 'ghs_token0123456789');

beforeEach(async () => {
  forgetConfigKeys();
  repo = await createTempRepo();
  out = await mkdtemp(join(tmpdir(), 'omk-config-read-'));
  log = join(out, 'git.log');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const wrapper = join(out, 'git');
  // One line per run: its arguments, each followed by a unit separator (values may hold spaces).
  await writeFile(
    wrapper,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\037' "$a"; done >> '${log}'\necho >> '${log}'\nexec '${realGit}' "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  process.env.PATH = `${out}${delimiter}${savedPath ?? ''}`;
});

afterEach(async () => {
  process.env.PATH = savedPath;
  await repo.cleanup();
  await rm(out, { recursive: true, force: true });
});

/** The git commands runGit ran since the last call, past its `-c name=value` settings. */
async function commandsRun(): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  await writeFile(log, '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const args = line.split('\x1f');
      let i = 0;
      while (args[i] === '-c') i += 2;
      return args.slice(i, i + 2).join(' ');
    });
}

/** An executable that leaves a marker when run, and passes its input through as a filter does. */
async function tripwire(name: string): Promise<{ path: string; tripped: () => Promise<boolean> }> {
  const path = join(out, name);
  const marker = join(out, `${name}.ran`);
  await writeFile(path, `#!/bin/sh\ntouch '${marker}'\ncat\n`);
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

describe('runGit reads the config once, for the token check and the driver overrides', () => {
  it('a pull that carries a token: one config read, no smudge filter run; a planted proxy refused before the pull', async () => {
    await repo.commit({ '.gitattributes': '*.txt filter=evil\n', 'notes.txt': 'kept as written\n' });
    git(repo.root, 'push', '--quiet', 'origin', 'main');
    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    const filter = await tripwire('smudge');
    git(repo.root, 'config', 'filter.evil.smudge', filter.path);
    git(repo.root, 'config', 'filter.evil.required', 'true');
    await commandsRun();

    await runGit(['pull', '--quiet', '--ff-only', 'origin', 'main'], { cwd: repo.root, env: auth });
    expect(await commandsRun()).toEqual(['config -z', 'pull --quiet']);
    expect(await filter.tripped()).toBe(false);
    expect(await readFile(join(repo.root, 'notes.txt'), 'utf8')).toBe('kept as written\n');

    git(repo.root, 'reset', '--quiet', '--hard', 'HEAD~1');
    git(repo.root, 'config', 'remote.origin.proxy', 'http://127.0.0.1:9');
    await commandsRun();
    await expect(
      runGit(['pull', '--quiet', '--ff-only', 'origin', 'main'], { cwd: repo.root, env: auth }),
    ).rejects.toThrow(/\(remote\.origin\.proxy\); omk does not send its token/);
    expect(await commandsRun()).toEqual(['config -z']);
  });

  it('keys written in any case are matched as git spells them: a Filter "EvIl" Clean is switched off, a Remote Proxy refused', async () => {
    const filter = await tripwire('clean');
    const config = join(repo.root, '.git', 'config');
    await writeFile(config, `${await readFile(config, 'utf8')}[Filter "EvIl"]\n\tClean = ${filter.path}\n`);
    await writeFile(join(repo.root, '.gitattributes'), '* filter=EvIl\n');
    await writeFile(join(repo.root, 'notes.txt'), 'kept as written\n');
    await runGit(['add', '--all'], { cwd: repo.root });
    expect(await filter.tripped()).toBe(false);
    expect(git(repo.root, 'cat-file', 'blob', ':notes.txt')).toBe('kept as written');

    await writeFile(
      config,
      `${await readFile(config, 'utf8')}[Remote "origin"]\n\tProxy = http://127.0.0.1:9\n`,
    );
    await expect(runGit(['ls-remote', 'origin'], { cwd: repo.root, env: auth })).rejects.toThrow(
      /remote\.origin\.proxy/,
    );
  });

  it('a call with neither a token nor a driver to fear reads no config; one that can run a driver reads it once', async () => {
    await commandsRun();
    await runGit(['rev-parse', 'HEAD'], { cwd: repo.root });
    expect(await commandsRun()).toEqual(['rev-parse HEAD']);
    await runGit(['status', '--porcelain'], { cwd: repo.root });
    expect(await commandsRun()).toEqual(['config -z', 'status --porcelain']);
    // Had the config settled, that read would be kept (next test): here each call reads afresh.
    forgetConfigKeys();
    await runGit(['ls-remote', 'origin'], { cwd: repo.root, env: auth });
    expect(await commandsRun()).toEqual(['config -z', 'ls-remote origin']);
  });

  it('a settled config is read once for calls in a row, and afresh once anything rewrites it, even to the same size with its old times put back', async () => {
    const filter = await tripwire('clean');
    const pad = 'x'.repeat(200);
    git(repo.root, 'config', 'omk.pad', pad);
    await repo.commit({ '.gitattributes': '*.txt filter=evil\n', 'notes.txt': 'kept as written\n' });
    // A change less than a second old is never kept: a coarse clock could give the next one its time.
    await new Promise((done) => setTimeout(done, 1100));
    await commandsRun();
    await runGit(['status', '--porcelain'], { cwd: repo.root });
    await runGit(['status', '--porcelain'], { cwd: repo.root });
    expect(await commandsRun()).toEqual(['config -z', 'status --porcelain', 'status --porcelain']);

    // An agent swaps the padding for a clean filter, same size, and puts the file's times back.
    const config = join(repo.root, '.git', 'config');
    const was = await stat(config, { bigint: true });
    // `cp -p` and `touch -r` carry times to the nanosecond (a Date would round them to the ms).
    execFileSync('cp', ['-p', config, join(out, 'config.times')]);
    const padding = `[omk]\n\tpad = ${pad}\n`;
    const planted = `[filter "evil"]\n\tclean = ${filter.path}\n`;
    const text = await readFile(config, 'utf8');
    expect(text).toContain(padding);
    await writeFile(
      config,
      text.replace(padding, `${planted}#${'x'.repeat(padding.length - planted.length - 2)}\n`),
    );
    execFileSync('touch', ['-r', join(out, 'config.times'), config]);
    const now = await stat(config, { bigint: true });
    expect([now.size, now.mtimeNs]).toEqual([was.size, was.mtimeNs]);
    await writeFile(join(repo.root, 'notes.txt'), 'changed\n');
    await runGit(['add', '--all'], { cwd: repo.root });
    expect(await commandsRun()).toEqual(['config -z', 'add --all']);
    expect(await filter.tripped()).toBe(false);
  });
});
