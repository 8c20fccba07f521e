import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localStateFiles as files } from './local-files.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-local-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the local file store', () => {
  it('answers null for a missing file or directory, not an error', async () => {
    const missing = join(dir, 'missing');
    expect(await files.readText(missing)).toBeNull();
    expect(await files.readRange(missing, 0, 10)).toBeNull();
    expect(await files.list(missing)).toBeNull();
    expect(await files.identity(missing)).toBeNull();
    expect(await files.exists(missing)).toBe(false);
    await files.remove(missing);
  });

  it('reads a range from an offset, from the end, and nothing past the end, with the size', async () => {
    const path = join(dir, 'log');
    await writeFile(path, 'abcdefghij');
    const text = async (start: number, max: number) => {
      const range = await files.readRange(path, start, max);
      return range === null ? null : { text: range.bytes.toString('utf8'), size: range.size };
    };
    expect(await text(2, 3)).toEqual({ text: 'cde', size: 10 });
    expect(await text(8, 100)).toEqual({ text: 'ij', size: 10 });
    expect(await text(-4, 100)).toEqual({ text: 'ghij', size: 10 });
    expect(await text(-40, 3)).toEqual({ text: 'abc', size: 10 });
    expect(await text(10, 5)).toEqual({ text: '', size: 10 });
    expect(await text(25, 5)).toEqual({ text: '', size: 10 });
  });

  it('creates a directory once, and a rewrite gives the file a new identity', async () => {
    const goal = join(dir, 'goals', 'g1');
    await files.makeDirs(join(dir, 'goals'));
    expect(await files.createDir(goal)).toBe(true);
    expect(await files.createDir(goal)).toBe(false);
    const path = join(goal, 'goal.json');
    await files.writeAtomic(path, '{"revision":1}\n');
    const first = await files.identity(path);
    await files.writeAtomic(path, '{"revision":2}\n');
    expect(await files.identity(path)).not.toBe(first);
    expect(await files.readText(path)).toBe('{"revision":2}\n');
    expect(await files.list(goal)).toEqual(['goal.json']);
  });

  it('replaces a file only while it has the identity asked for, and leaves no temp file when it does not', async () => {
    const path = join(dir, 'execution.json');
    const replace = files.replaceIfIdentity;
    if (replace === undefined) throw new Error('the local store replaces by identity');
    expect(await replace(path, '{"n":1}\n', null)).toBe(true);
    const seen = await files.identity(path);
    // Someone else's edit in place after that look: the identity differs, nothing is written.
    await writeFile(path, '{"n":"theirs"}\n');
    expect(await replace(path, '{"n":2}\n', seen)).toBe(false);
    expect(await files.readText(path)).toBe('{"n":"theirs"}\n');
    expect(await replace(path, '{"n":2}\n', await files.identity(path))).toBe(true);
    expect(await files.readText(path)).toBe('{"n":2}\n');
    expect(await replace(path, '{"n":3}\n', null)).toBe(false);
    expect(await readdir(dir)).toEqual(['execution.json']);
  });
});
