import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningWithArgv } from '../../../test/helpers/agents.js';
import { killedOnTheWayOut, threadOutlivesItsLeader } from '../../../test/helpers/ending-processes.js';
import { createTempRepo, git, type TempRepo } from '../../../test/helpers/git-repo.js';
import type { ProcessSpec } from '../../runtime/ports.js';
import { runProcess, runProcessWith } from '../process/run-process.js';
import { createBubblewrap } from './bubblewrap.js';
import { bubblewrapArgv } from './bubblewrap-argv.js';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

describe('bubblewrapArgv', () => {
  it('mounts parents first: the runner temp hidden, the goal directory seen again, the worktree writable', () => {
    const argv = bubblewrapArgv(
      '/usr/bin/bwrap',
      {
        cwd: '/rt/state/worktrees/w1',
        writable: ['/rt/state/worktrees/w1', '/tmp/omk-sandbox-1'],
        readable: ['/rt/state/goals/g1'],
        hiddenDirs: ['/home/u/.ssh', '/rt'],
        hiddenFiles: ['/home/u/.netrc'],
        network: 'open',
      },
      ['sh', '-c', 'true'],
    );
    const joined = argv.join(' ');
    expect(
      joined.startsWith('/usr/bin/bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all --share-net'),
    ).toBe(true);
    expect(joined).toContain('--die-with-parent --new-session');
    const at = (needle: string) => joined.indexOf(needle);
    expect(at('--tmpfs /rt ')).toBeGreaterThan(0);
    expect(at('--tmpfs /rt ')).toBeLessThan(at('--ro-bind /rt/state/goals/g1'));
    expect(at('--ro-bind /rt/state/goals/g1')).toBeLessThan(at('--bind /rt/state/worktrees/w1'));
    expect(joined).toContain('--ro-bind /dev/null /home/u/.netrc');
    expect(joined.endsWith('--chdir /rt/state/worktrees/w1 -- sh -c true')).toBe(true);
  });

  it('shares the network only when it is open', () => {
    const plan = { cwd: '/w', writable: ['/w'], readable: [], hiddenDirs: [], hiddenFiles: [] };
    const none = bubblewrapArgv('/usr/bin/bwrap', { ...plan, network: 'none' }, ['true']);
    expect(none).toContain('--unshare-all');
    expect(none).not.toContain('--share-net');
    expect(bubblewrapArgv('/usr/bin/bwrap', { ...plan, network: 'open' }, ['true'])).toContain('--share-net');
  });
});

describe('bubblewrap availability', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omk-bwrap-probe-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('says bwrap is not found when it is not on the PATH, with the package to install', async () => {
    const probed = await createBubblewrap({ env: { PATH: dir } }).probe();
    expect(probed).toEqual({
      available: false,
      reason: 'bwrap not found on the PATH',
      hint: expect.stringContaining('apt-get install bubblewrap'),
    });
  });

  it('says why when bwrap cannot create its namespaces, and never runs a confined command then', async () => {
    const fake = join(dir, 'bin');
    await mkdir(fake, { recursive: true });
    await writeFile(
      join(fake, 'bwrap'),
      '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
    );
    await chmod(join(fake, 'bwrap'), 0o755);
    const sandbox = createBubblewrap({ env: { PATH: `${fake}:${PATH}` } });
    expect(await sandbox.probe()).toMatchObject({
      available: false,
      reason: 'bwrap cannot create namespaces: bwrap: setting up uid map: Permission denied',
    });
    const marker = join(dir, 'ran');
    const result = await sandbox.runner(runProcess)({
      argv: ['sh', '-c', `touch ${marker}`],
      cwd: dir,
      env: { PATH },
      timeoutMs: 5_000,
      confine: { writable: [], readable: [] },
    });
    expect(result.spawnError).toContain('the sandbox is unavailable');
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });
});

/**
 * A hostile command confined as a slice agent would be: a real repository, a worktree of it, a
 * HOME with a planted key. Where this host cannot confine, the runner must refuse to start it.
 */
describe('bubblewrap confinement', () => {
  let repo: TempRepo;
  let base: string;
  let worktree: string;
  let home: string;
  let outside: string;
  let stash: string;
  const token = `${process.pid}${Date.now() % 100_000}`;
  const sleepFor = `300.${token}`;

  beforeAll(async () => {
    repo = await createTempRepo();
    base = await mkdtemp(join(tmpdir(), 'omk-bwrap-'));
    worktree = join(base, 'state', 'worktrees', 'slice-1');
    git(repo.root, 'worktree', 'add', '--quiet', '-b', 'omk/g/slice-1', worktree);
    home = join(base, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY 1234\n');
    await writeFile(join(home, '.gitconfig'), '[user]\n\tname = me\n');
    outside = join(tmpdir(), `omk-outside-marker-${token}`);
    // A credential omk took out of .git/config while the agent runs (the state root's private/).
    stash = join(base, 'state', 'private');
    await mkdir(join(stash, 'credentials'), { recursive: true });
    await writeFile(join(stash, 'credentials', 'repo.json'), '{"value":"STASHED-SECRET"}\n');
  });
  afterAll(async () => {
    await repo.cleanup();
    await rm(base, { recursive: true, force: true });
    await rm(outside, { force: true });
  });

  const hostile = (): ProcessSpec => ({
    argv: [
      'sh',
      '-c',
      [
        'echo "[core]\n\thooksPath = /tmp/evil" >> "$REPO/.git/config" && echo wrote-git-config',
        'echo "[credential]\n\thelper = evil" >> "$HOME/.gitconfig" && echo wrote-gitconfig',
        'cat "$HOME/.ssh/id_rsa" && echo read-key',
        'cat "$STASH/credentials/repo.json" && echo read-stash',
        `touch "${outside}" && echo wrote-outside`,
        // Given time to leave the process group, as a real escapee would.
        `setsid sleep ${sleepFor} > /dev/null 2>&1 < /dev/null &`,
        'sleep 0.3',
        'echo edited > src.txt && echo wrote-worktree',
        'echo t > "$TMPDIR/scratch" && echo wrote-tmp && echo "tmp=$TMPDIR"',
        'exit 0',
      ].join('\n'),
    ],
    cwd: worktree,
    env: { PATH, HOME: home, REPO: repo.root, STASH: stash },
    timeoutMs: 20_000,
    tailChars: 20_000,
  });

  it('confines when available (else refuses): no write outside the worktree, no key read, no process left', async () => {
    const sandbox = createBubblewrap({ env: { PATH, HOME: home } });
    const probed = await sandbox.probe();
    const gitConfig = await readFile(join(repo.root, '.git', 'config'), 'utf8');
    const result = await sandbox.runner(runProcess)({
      ...hostile(),
      confine: { writable: [], readable: [], hidden: [stash] },
    });
    if (!probed.available) {
      expect(probed.reason).not.toBe('');
      expect(result.spawnError).toContain('the sandbox is unavailable');
      return;
    }
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('wrote-worktree');
    expect(result.stdout).toContain('wrote-tmp');
    for (const escaped of [
      'wrote-git-config',
      'wrote-gitconfig',
      'read-key',
      'PRIVATE KEY',
      'read-stash',
      'STASHED-SECRET',
      'wrote-outside',
    ]) {
      expect(result.stdout).not.toContain(escaped);
    }
    expect(await readFile(join(repo.root, '.git', 'config'), 'utf8')).toBe(gitConfig);
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toBe('[user]\n\tname = me\n');
    await expect(readFile(outside)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(worktree, 'src.txt'), 'utf8')).toBe('edited\n');
    // The kernel ends the rest of the pid namespace when its first process exits; a process it
    // has sent SIGKILL runs no more code but stays listed until it is gone, a moment later.
    expect(await processesGone(sleepFor)).toEqual([]);
    // What the namespace ended is said, and only that: not the sandbox's init itself.
    expect(result.ended).toEqual([
      {
        pid: expect.any(Number),
        command: `sleep ${sleepFor}`,
        cwd: await realpath(worktree),
        endedBy: 'sandbox',
      },
    ]);
    // The private temp was writable, and is gone with the run.
    const privateTmp = /^tmp=(.+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(privateTmp).toContain('omk-sandboxes-');
    await expect(readdir(privateTmp)).rejects.toThrow(/ENOENT/);
  });

  it('says nothing ended when nothing was left, and a missing command as spawn says it', async () => {
    const sandbox = createBubblewrap({ env: { PATH, HOME: home } });
    if (!(await sandbox.probe()).available) {
      console.log('bubblewrap cannot run here: the sandbox init was not exercised');
      expect((await sandbox.probe()).available).toBe(false);
      return;
    }
    const run = sandbox.runner(runProcess);
    const spec = { cwd: worktree, env: { PATH }, timeoutMs: 20_000, confine: { writable: [], readable: [] } };
    // A child that ended before the command did is not left: it is no stray.
    const clean = await run({ ...spec, argv: ['sh', '-c', '(sleep 0.1 &); wait; sleep 0.2; exit 5'] });
    expect(clean).toMatchObject({ exitCode: 5, ended: [] });
    const missing = await run({ ...spec, argv: ['omk-no-such-command'] });
    expect(missing).toMatchObject({ exitCode: null, spawnError: 'spawn omk-no-such-command ENOENT' });
    const signalled = await run({ ...spec, argv: ['sh', '-c', 'kill -TERM $$'] });
    // A command a signal ended reads as it does unconfined (bwrap and the init exit 128 + it).
    expect(signalled).toMatchObject({ exitCode: null, signal: 'SIGTERM', ended: [] });
    // A command that exits with such a code itself still reads as that code.
    const coded = await run({ ...spec, argv: ['sh', '-c', 'exit 143'] });
    expect(coded).toMatchObject({ exitCode: 143, signal: null, ended: [] });
    // A child the command killed on its way out, still being torn down: ending, not left.
    const killed = await run({
      ...spec,
      argv: ['sh', '-c', `${killedOnTheWayOut('ready.omk-test')}; exit 0`],
    });
    expect(killed).toMatchObject({ exitCode: 0, ended: [] });
    // A child whose first thread ended (a zombie, as /proc shows it) while another runs on: left.
    const threaded = await run({
      ...spec,
      argv: ['sh', '-c', `${threadOutlivesItsLeader('pid.omk-test')}\nexit 0`],
    });
    expect(threaded.exitCode).toBe(0);
    expect(threaded.ended).toEqual([expect.objectContaining({ endedBy: 'sandbox' })]);
    for (const file of ['ready.omk-test', 'pid.omk-test']) await rm(join(worktree, file));
  });

  it('a hard link from a file it can read outside the worktree fails (EXDEV); unconfined it is made', async () => {
    // A file of the state root the sandbox shows read-only (the goal's record beside the worktree).
    const record = join(base, 'state', 'goal.json');
    await writeFile(record, '{"status":"running"}\n');
    const spec = {
      argv: [
        'sh',
        '-c',
        `cat "${record}" && echo read-record; ln "${record}" linked.json 2>&1 && echo linked`,
      ],
      cwd: worktree,
      env: { PATH, HOME: home },
      timeoutMs: 20_000,
    };
    const sandbox = createBubblewrap({ env: { PATH, HOME: home } });
    if (!(await sandbox.probe()).available) {
      console.log('bubblewrap cannot run here: the hard link across its mounts was not tried');
      expect((await sandbox.probe()).available).toBe(false);
      return;
    }
    try {
      const confined = await sandbox.runner(runProcess)({ ...spec, confine: { writable: [], readable: [] } });
      // Readable, so only the mount boundary stops the link: the worktree is a mount of its own.
      expect(confined.stdout).toContain('read-record');
      expect(confined.stdout).toMatch(/Invalid cross-device link/);
      expect(confined.stdout).not.toMatch(/^linked$/m);
      expect(existsSync(join(worktree, 'linked.json'))).toBe(false);
      const unconfined = await runProcess(spec);
      expect(unconfined.stdout).toMatch(/^linked$/m);
      expect((await stat(join(worktree, 'linked.json'))).nlink).toBe(2);
    } finally {
      await rm(join(worktree, 'linked.json'), { force: true });
    }
  });

  it('a read-only directory inside a writable one is made first and stays read-only', async () => {
    const sandbox = createBubblewrap({ env: { PATH, HOME: home } });
    if (!(await sandbox.probe()).available) {
      console.log('bubblewrap cannot run here: a read-only directory inside a writable one was not tried');
      expect((await sandbox.probe()).available).toBe(false);
      return;
    }
    // A goal's build cache as a gate gets it: writable, its download caches (not made yet) not.
    const cache = join(base, 'state', 'cache', 'g-read-only');
    const downloads = join(cache, 'downloads');
    const write = (dir: string) =>
      `mkdir -p "${dir}/pip" && echo x > "${dir}/pip/w.whl" && echo wrote ${dir}`;
    const confined = await sandbox.runner(runProcess)({
      argv: ['sh', '-c', `${write(cache)}; { ${write(downloads)}; } 2>&1; true`],
      cwd: worktree,
      env: { PATH, HOME: home },
      timeoutMs: 20_000,
      confine: { writable: [cache], readable: [], readOnly: [downloads] },
    });
    expect(confined.stdout).toContain(`wrote ${cache}`);
    expect(confined.stdout).toMatch(/Read-only file system/);
    expect(confined.stdout).not.toContain(`wrote ${downloads}`);
    expect(existsSync(join(cache, 'pip', 'w.whl'))).toBe(true);
    expect(await readdir(downloads)).toEqual([]);
  });

  it('the same command unconfined does reach out (the checks above can fail)', async () => {
    const gitConfig = await readFile(join(repo.root, '.git', 'config'), 'utf8');
    // Without the subreaper too, so its process is left as it would be where none runs.
    const result = await runProcessWith(hostile(), null);
    try {
      expect(result.stdout).toContain('wrote-git-config');
      expect(result.stdout).toContain('PRIVATE KEY 1234');
      expect(result.stdout).toContain('STASHED-SECRET');
      expect(await runningWithArgv(sleepFor)).not.toEqual([]);
    } finally {
      for (const pid of await runningWithArgv(sleepFor)) process.kill(pid, 'SIGKILL');
      await writeFile(join(repo.root, '.git', 'config'), gitConfig);
    }
  });

  it('unconfined under the subreaper, it still reaches out, but leaves no process running', async () => {
    const gitConfig = await readFile(join(repo.root, '.git', 'config'), 'utf8');
    const result = await runProcess(hostile());
    try {
      expect(result.stdout).toContain('wrote-git-config');
      expect(await runningWithArgv(sleepFor)).toEqual([]);
      expect(result.ended?.length).toBeGreaterThan(0);
    } finally {
      for (const pid of await runningWithArgv(sleepFor)) process.kill(pid, 'SIGKILL');
      await writeFile(join(repo.root, '.git', 'config'), gitConfig);
    }
  });
});

/**
 * A TCP server on the host's loopback, outside any sandbox: a confined command reaches it with
 * `network: open` and cannot with `none` (its own loopback has nothing listening).
 */
describe('bubblewrap confinement in a branch checkout (a clone, whose .git is inside it)', () => {
  let repo: TempRepo;
  let base: string;
  let clone: string;

  beforeAll(async () => {
    repo = await createTempRepo({ 'README.md': '# fixture\n', 'a.txt': 'a\n' });
    base = await mkdtemp(join(tmpdir(), 'omk-bwrap-clone-'));
    clone = join(base, 'worktrees', 'slice-1');
    git(base, 'clone', '--quiet', '--', repo.root, clone);
    git(clone, 'checkout', '--quiet', '-b', 'omk/g/slice-1');
  });
  afterAll(async () => {
    await repo.cleanup();
    await rm(base, { recursive: true, force: true });
  });

  it("the clone's .git is read-only inside (no config, hook or info planted, not moved), readable by git", async () => {
    const sandbox = createBubblewrap({ env: { PATH, HOME: base } });
    if (!(await sandbox.probe()).available) {
      console.log('bubblewrap cannot run here: the clone confinement was not exercised');
      expect((await sandbox.probe()).available).toBe(false);
      return;
    }
    const config = await readFile(join(clone, '.git', 'config'), 'utf8');
    const result = await sandbox.runner(runProcess)({
      argv: [
        'sh',
        '-c',
        [
          'echo edited > a.txt && echo wrote-checkout',
          'git status --porcelain && echo status-read',
          'git diff --stat && echo diff-read',
          'git log --oneline -1 >/dev/null && echo log-read',
          'git config filter.evil.clean /tmp/evil 2>/dev/null && echo wrote-config',
          'echo "#!/bin/sh" > .git/hooks/pre-commit 2>/dev/null && echo wrote-hook',
          "echo '* filter=evil' > .git/info/attributes 2>/dev/null && echo wrote-info",
          'mv .git .git-moved 2>/dev/null && echo moved-git',
          'rm -rf .git 2>/dev/null; [ -f .git/HEAD ] || echo removed-git',
          'git add a.txt 2>/dev/null && echo staged',
          'exit 0',
        ].join('\n'),
      ],
      cwd: clone,
      env: { PATH, HOME: base },
      timeoutMs: 20_000,
      tailChars: 20_000,
      confine: { writable: [], readable: [] },
    });
    expect(result.exitCode, result.tail).toBe(0);
    for (const worked of ['wrote-checkout', 'status-read', ' M a.txt', 'diff-read', 'a.txt | 2', 'log-read'])
      expect(result.stdout).toContain(worked);
    for (const refused of ['wrote-config', 'wrote-hook', 'wrote-info', 'moved-git', 'removed-git', 'staged'])
      expect(result.stdout).not.toContain(refused);
    expect(await readFile(join(clone, '.git', 'config'), 'utf8')).toBe(config);
    expect(await readdir(join(clone, '.git', 'hooks'))).not.toContain('pre-commit');
    // omk's own git, outside the sandbox, still commits there.
    git(clone, 'add', 'a.txt');
    git(
      clone,
      '-c',
      'user.name=omk',
      '-c',
      'user.email=omk@localhost',
      'commit',
      '--quiet',
      '-m',
      'captured',
    );
    expect(git(clone, 'show', 'HEAD:a.txt')).toBe('edited');
  });
});

describe('bubblewrap network', () => {
  let server: Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      accepted += 1;
      socket.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const reach = (network: 'open' | 'none'): ProcessSpec => ({
    argv: [
      process.execPath,
      '-e',
      `require('net').connect(${port}, '127.0.0.1').on('data', (d) => { console.log('reached: ' + d); process.exit(0); }).on('error', (e) => { console.log('unreachable: ' + e.code); process.exit(3); });`,
    ],
    cwd: tmpdir(),
    env: { PATH },
    timeoutMs: 15_000,
    tailChars: 2_000,
    confine: { writable: [], readable: [], network },
  });

  it('open reaches a server on the host; none cannot, and says why rather than skipping', async () => {
    const sandbox = createBubblewrap({ env: { PATH } });
    const probed = await sandbox.probe();
    const run = sandbox.runner(runProcess);
    if (!probed.available) {
      // Reported, not skipped: nothing confined runs on this host.
      expect((await run(reach('none'))).spawnError).toContain('the sandbox is unavailable');
      return;
    }
    const before = accepted;
    const open = await run(reach('open'));
    expect(open.stdout).toContain('reached: hello from the host');
    expect(accepted).toBe(before + 1);
    const none = await run(reach('none'));
    if (!probed.network.isolated) {
      // This host runs bwrap but cannot give a command a network of its own: bwrap fails, closed.
      expect(none.exitCode).not.toBe(0);
      expect(probed.network.reason).toContain('network namespace');
      return;
    }
    expect(none.exitCode).toBe(3);
    expect(none.stdout).toContain('unreachable: ECONNREFUSED');
    expect(accepted).toBe(before + 1);
  });
});

/** The processes still running after waiting up to 5 s for none to be (a zombie is not running). */
async function processesGone(needle: string): Promise<number[]> {
  for (let tries = 0; ; tries += 1) {
    const found = await runningWithArgv(needle);
    if (found.length === 0 || tries >= 50) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
