import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgentHome } from './agent-home.js';

let root: string;
let user: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-agent-home-'));
  user = join(root, 'user');
  await mkdir(join(user, '.ssh'), { recursive: true });
  await writeFile(join(user, '.ssh', 'id_rsa'), 'PRIVATE KEY\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("an agent's own HOME", () => {
  it('left by an omk that was killed is removed by the next run; one whose omk still runs is kept', async () => {
    // Two HOMEs with a copied login, as two runs left them; their owners are then a process that
    // has ended (omk killed mid-run) and one that still runs (another omk).
    await mkdir(join(user, '.tool'), { recursive: true });
    await writeFile(join(user, '.tool', 'auth.json'), '{"token":"mine"}');
    const crashed = await makeAgentHome({ HOME: user, TMPDIR: root }, [{ path: '.tool' }]);
    const running = await makeAgentHome({ HOME: user, TMPDIR: root }, [{ path: '.tool' }]);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      expect(await readFile(`${crashed.path}.owner`, 'utf8')).toBe(`${process.pid}\n`);
      await writeFile(`${crashed.path}.owner`, `${dead}\n`);
      await writeFile(`${running.path}.owner`, `${other.pid}\n`);
      const next = await makeAgentHome({ HOME: user, TMPDIR: root }, []);
      expect(existsSync(crashed.path)).toBe(false);
      expect(existsSync(`${crashed.path}.owner`)).toBe(false);
      expect(await readFile(join(running.path, '.tool', 'auth.json'), 'utf8')).toBe('{"token":"mine"}');
      await next.remove();
      expect(existsSync(`${next.path}.owner`)).toBe(false);
    } finally {
      other.kill('SIGKILL');
      await running.remove();
    }
  });

  it('is a fresh private directory outside the user HOME, with XDG directories inside it', async () => {
    const home = await makeAgentHome({ HOME: user, TMPDIR: root }, []);
    expect(home.path.startsWith(user)).toBe(false);
    expect((await lstat(home.path)).mode & 0o777).toBe(0o700);
    expect(home.env).toEqual({
      HOME: home.path,
      XDG_CONFIG_HOME: join(home.path, '.config'),
      XDG_CACHE_HOME: join(home.path, '.cache'),
      XDG_DATA_HOME: join(home.path, '.local', 'share'),
      XDG_STATE_HOME: join(home.path, '.local', 'state'),
    });
    await home.remove();
    expect(existsSync(home.path)).toBe(false);
  });

  it("still finds rustup's toolchains under the user HOME (by default, or where RUSTUP_HOME says)", async () => {
    await mkdir(join(user, '.rustup'));
    const home = await makeAgentHome({ HOME: user, TMPDIR: root }, []);
    expect(home.env.RUSTUP_HOME).toBe(join(user, '.rustup'));
    expect(home.env.CARGO_HOME).toBeUndefined();
    await home.remove();
    const moved = await makeAgentHome({ HOME: user, TMPDIR: root, RUSTUP_HOME: '/opt/rustup' }, []);
    expect(moved.env.RUSTUP_HOME).toBe('/opt/rustup');
    await moved.remove();
  });

  it('holds copies of the login entries, never links inside them, and not what is missing', async () => {
    await mkdir(join(user, '.tool'), { recursive: true });
    await writeFile(join(user, '.tool', 'auth.json'), '{"token":"mine"}');
    await symlink(join(user, '.ssh', 'id_rsa'), join(user, '.tool', 'key'));
    const home = await makeAgentHome({ HOME: user, TMPDIR: root }, [{ path: '.tool' }, { path: '.absent' }]);
    expect(await readFile(join(home.path, '.tool', 'auth.json'), 'utf8')).toBe('{"token":"mine"}');
    expect(existsSync(join(home.path, '.tool', 'key'))).toBe(false);
    expect(existsSync(join(home.path, '.absent'))).toBe(false);
    // A copy: what the agent writes there never reaches the user's file.
    await writeFile(join(home.path, '.tool', 'auth.json'), 'changed');
    expect(await readFile(join(user, '.tool', 'auth.json'), 'utf8')).toBe('{"token":"mine"}');
    await home.remove();
  });

  it('reads an entry from a moved XDG directory, and lands it where the agent XDG points', async () => {
    const data = join(root, 'data');
    await mkdir(join(data, 'opencode'), { recursive: true });
    await writeFile(join(data, 'opencode', 'auth.json'), '{}');
    const entry = {
      path: '.local/share/opencode/auth.json',
      xdg: 'XDG_DATA_HOME',
      underXdg: 'opencode/auth.json',
    } as const;
    const home = await makeAgentHome({ HOME: user, TMPDIR: root, XDG_DATA_HOME: data }, [entry]);
    expect(await readFile(join(home.env.XDG_DATA_HOME ?? '', 'opencode', 'auth.json'), 'utf8')).toBe('{}');
    await home.remove();
  });
});
