import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError, StateError } from '../../runtime/errors.js';
import { type HostInfo, systemClock } from '../../runtime/ports.js';
import { type LockInfo, type LockOptions, withLock } from './lock.js';

const DEAD_PID = 2 ** 22 + 1;

const realHost: HostInfo = {
  pid: process.pid,
  hostname: hostname(),
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  killGroup: () => false,
};

/** This host, where DEAD_PID is the only dead process. */
const fakeHost: HostInfo = {
  pid: process.pid,
  hostname: 'box-1',
  isAlive: (pid) => pid !== DEAD_PID,
  killGroup: () => false,
};

let dir: string;
let lockPath: string;
let children: ChildProcess[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-'));
  lockPath = join(dir, '.lock');
  children = [];
});

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

function options(extra: Partial<LockOptions> = {}): LockOptions {
  return { host: fakeHost, clock: systemClock, waitMs: 20_000, ...extra };
}

function holder(info: Partial<LockInfo>): string {
  return JSON.stringify({
    pid: 4242,
    host: 'box-1',
    acquiredAt: new Date().toISOString(),
    token: 'theirs',
    ...info,
  });
}

function recorder() {
  const calls: { previous: LockInfo | null; why: string }[] = [];
  return { calls, onRecovered: (previous: LockInfo | null, why: string) => calls.push({ previous, why }) };
}

async function increment(counter: string): Promise<void> {
  const n = Number(await readFile(counter, 'utf8').catch(() => '0'));
  await sleep(2);
  await writeFile(counter, String(n + 1));
}

describe('withLock', () => {
  it('serializes concurrent callers: no lost read-modify-write', async () => {
    const counter = join(dir, 'count');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withLock(lockPath, options(), () => increment(counter).then(() => i)),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await readFile(counter, 'utf8')).toBe('20');
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('releases the lock when fn throws, and rethrows its error', async () => {
    await expect(withLock(lockPath, options(), () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes who holds it while fn runs', async () => {
    const info = await withLock(lockPath, options(), async () =>
      JSON.parse(await readFile(lockPath, 'utf8')),
    );
    expect(info).toMatchObject({ pid: process.pid, host: 'box-1' });
    expect(info.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('times out on a lock held by a live process with a BusyError naming it', async () => {
    const since = '2024-05-01T10:00:00.000Z';
    await writeFile(lockPath, holder({ pid: 4242, acquiredAt: since }));
    const error = await withLock(
      lockPath,
      options({ waitMs: 150, staleMs: 10 * 365 * 86_400_000 }),
      async () => {
        throw new Error('must not run');
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusyError);
    expect((error as BusyError).message).toContain(`pid 4242 on box-1 since ${since}`);
    expect((error as BusyError).hint).toMatch(/recovers the stale lock automatically/);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).token).toBe('theirs');
  });

  it('does not judge a pid on another host by this host’s processes', async () => {
    await writeFile(lockPath, holder({ pid: DEAD_PID, host: 'box-2' }));
    await expect(withLock(lockPath, options({ waitMs: 100 }), async () => 1)).rejects.toBeInstanceOf(
      BusyError,
    );
  });

  it('recovers a lock whose pid is dead on this host', async () => {
    await writeFile(lockPath, holder({ pid: DEAD_PID }));
    const { calls, onRecovered } = recorder();
    expect(await withLock(lockPath, options({ onRecovered }), async () => 'ran')).toBe('ran');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.previous).toMatchObject({ pid: DEAD_PID, token: 'theirs' });
    expect(calls[0]?.why).toBe(`pid ${DEAD_PID} on box-1 is no longer running`);
  });

  it('recovers a lock older than staleMs even if its pid looks alive', async () => {
    await writeFile(
      lockPath,
      holder({ host: 'box-2', acquiredAt: new Date(Date.now() - 60_000).toISOString() }),
    );
    const { calls, onRecovered } = recorder();
    await withLock(lockPath, options({ staleMs: 30_000, onRecovered }), async () => {});
    expect(calls[0]?.why).toMatch(/is older than 30 s$/);
  });

  it('waits for fresh garbage but recovers old garbage', async () => {
    await writeFile(lockPath, '{"pid": 12');
    await expect(withLock(lockPath, options({ waitMs: 100 }), async () => 1)).rejects.toThrow(/unreadable/);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    const { calls, onRecovered } = recorder();
    expect(await withLock(lockPath, options({ onRecovered }), async () => 2)).toBe(2);
    expect(calls).toEqual([{ previous: null, why: expect.stringMatching(/unreadable/) }]);
  });

  it('lets exactly one of many waiters break a stale lock', async () => {
    await writeFile(lockPath, holder({ pid: DEAD_PID }));
    const counter = join(dir, 'count');
    const { calls, onRecovered } = recorder();
    await Promise.all(
      Array.from({ length: 12 }, () =>
        withLock(lockPath, options({ onRecovered }), () => increment(counter)),
      ),
    );
    expect(await readFile(counter, 'utf8')).toBe('12');
    expect(calls).toHaveLength(1);
  });

  it('does not release a lock that someone else re-acquired', async () => {
    const theirs = holder({ pid: 777, token: 'new-owner' });
    await withLock(lockPath, options(), async () => {
      // As if this holder had been judged stale, broken, and the goal locked again by another run.
      await writeFile(lockPath, theirs);
    });
    expect(await readFile(lockPath, 'utf8')).toBe(theirs);
  });

  it('reports a missing goal directory as a StateError', async () => {
    const missing = join(dir, 'nope', '.lock');
    await expect(withLock(missing, options(), async () => 1)).rejects.toBeInstanceOf(StateError);
  });

  it('waits for a lock held by another process, and recovers it once that process dies', async () => {
    const script = [
      "import { writeFileSync } from 'node:fs';",
      "import { hostname } from 'node:os';",
      'const [path] = process.argv.slice(1);',
      'const info = { pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString(), token: "child" };',
      "writeFileSync(path, JSON.stringify(info), { flag: 'wx' });",
      "process.stdout.write('ready\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, lockPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    if (child.stdout === null) throw new Error('child stdout is not piped');
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('ready\n');
    const childPid = child.pid ?? 0;

    const live = { host: realHost, clock: systemClock };
    const busy = await withLock(lockPath, { ...live, waitMs: 200 }, async () => 0).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(BusyError);
    expect((busy as BusyError).message).toContain(`pid ${childPid} on ${hostname()}`);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const { calls, onRecovered } = recorder();
    expect(await withLock(lockPath, { ...live, onRecovered }, async () => 'mine')).toBe('mine');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.previous).toMatchObject({ pid: childPid, token: 'child' });
  });
});
