import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePrivateTemp, sweepStale } from './private-temp.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function parentWith(temps: Record<string, string | null>): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'omk-private-temp-'));
  dirs.push(parent);
  for (const [name, marker] of Object.entries(temps)) {
    await mkdir(join(parent, name));
    if (marker !== null) await writeFile(join(parent, `${name}.owner`), marker);
  }
  return parent;
}

/** A pid no process has: far above any pid_max. */
const GONE = '99999999\n';

describe('sweepStale', () => {
  it("removes a temp whose owner is gone and keeps a live owner's and one without a marker", async () => {
    const parent = await parentWith({ 'run-gone': GONE, 'run-live': `${process.pid}\n`, 'run-bare': null });
    expect(await sweepStale(parent)).toEqual([join(parent, 'run-gone')]);
    expect((await readdir(parent)).sort()).toEqual(['run-bare', 'run-live', 'run-live.owner']);
  });

  it('keeps a temp whose marker names no pid yet (being written), and sweeps it once the marker is old', async () => {
    const parent = await parentWith({ 'run-writing': '' });
    expect(await sweepStale(parent)).toEqual([]);
    expect(await readdir(parent)).toContain('run-writing');
    const old = new Date(Date.now() - 60 * 60_000);
    await utimes(join(parent, 'run-writing.owner'), old, old);
    expect(await sweepStale(parent)).toEqual([join(parent, 'run-writing')]);
  });
});

describe('makePrivateTemp', () => {
  it('marks its temp with this process as owner, so a concurrent sweep keeps it, and removes both', async () => {
    const root = await mkdtemp(join(tmpdir(), 'omk-private-root-'));
    dirs.push(root);
    const made = await Promise.all(Array.from({ length: 8 }, () => makePrivateTemp({ TMPDIR: root })));
    const parent = join(root, `omk-sandboxes-${process.getuid?.() ?? 'user'}`);
    expect(await sweepStale(parent)).toEqual([]);
    const names = await readdir(parent);
    for (const temp of made) expect(names).toContain(`${temp.path.split('/').at(-1)}.owner`);
    expect(names.some((name) => name.endsWith('.writing'))).toBe(false);
    await Promise.all(made.map((temp) => temp.remove()));
    expect(await readdir(parent)).toEqual([]);
  });
});
