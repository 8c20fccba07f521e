import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { localStateFiles } from '../../adapters/state/local-files.js';
import { UnsupportedVersionError } from '../errors.js';
import { appendJsonl, appendSequenced, readJsonl, readLastJsonl } from './jsonl.js';

const recordSchema = z.object({
  v: z.number().int().positive(),
  seq: z.number().int().positive(),
  note: z.string(),
});
type Rec = z.infer<typeof recordSchema>;
const parse = (value: unknown): Rec => recordSchema.parse(value);
const rec = (seq: number, note = `n${seq}`): Rec => ({ v: 1, seq, note });

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omk-'));
  file = join(dir, 'log.jsonl');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readJsonl / appendJsonl', () => {
  it('reads a missing file as empty', async () => {
    expect(await readJsonl(localStateFiles, file, parse, 1)).toEqual({ records: [], skipped: [] });
    expect(await readLastJsonl(localStateFiles, file, parse)).toBeNull();
  });

  it('round-trips records as one line each', async () => {
    await appendJsonl(localStateFiles, file, [rec(1), rec(2)]);
    await appendJsonl(localStateFiles, file, [rec(3, 'line\nbreak "quoted" ü')]);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(4);
    const { records, skipped } = await readJsonl(localStateFiles, file, parse, 1);
    expect(records).toEqual([rec(1), rec(2), rec(3, 'line\nbreak "quoted" ü')]);
    expect(skipped).toEqual([]);
  });

  it('reports a torn last line, and a later append keeps new records intact', async () => {
    await appendJsonl(localStateFiles, file, [rec(1), rec(2)]);
    await appendFile(file, '{"v":1,"seq":3,"no');
    const torn = await readJsonl(localStateFiles, file, parse, 1);
    expect(torn.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(torn.skipped).toEqual([{ line: 3, reason: 'not valid JSON', torn: true }]);
    expect(await readLastJsonl(localStateFiles, file, parse)).toEqual(rec(2));

    const written = await appendSequenced(localStateFiles, file, parse, [
      (seq) => rec(seq),
      (seq) => rec(seq),
    ]);
    expect(written).toEqual([rec(3), rec(4)]);
    const after = await readJsonl(localStateFiles, file, parse, 1);
    expect(after.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(after.skipped).toEqual([{ line: 3, reason: 'not valid JSON', torn: false }]);
  });

  it('skips a garbage or schema-invalid middle line with its line number', async () => {
    await writeFile(
      file,
      `${JSON.stringify(rec(1))}\nnot json at all\n\n${JSON.stringify({ v: 1, seq: 'x' })}\n${JSON.stringify(rec(2))}\n`,
    );
    const { records, skipped } = await readJsonl(localStateFiles, file, parse, 1);
    expect(records).toEqual([rec(1), rec(2)]);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toEqual({ line: 2, reason: 'not valid JSON', torn: false });
    expect(skipped[1]?.line).toBe(4);
    expect(skipped[1]?.reason).toMatch(/^does not match the schema \(seq: .*note: /);
    expect(skipped[1]?.torn).toBe(false);
  });

  it('refuses a record from a newer omk, naming file and line', async () => {
    await appendJsonl(localStateFiles, file, [rec(1), { v: 2, seq: 2, note: 'future', extra: true }]);
    const error = await readJsonl(localStateFiles, file, parse, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect((error as Error).message).toContain(`${file}: line 2 is record version 2`);
    expect((error as UnsupportedVersionError).hint).toMatch(/Upgrade omk/);
  });

  it('keeps concurrent appends as whole lines', async () => {
    const big = 'x'.repeat(3000);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendJsonl(localStateFiles, file, [rec(i + 1, `${i}:${big}`), rec(i + 1, `${i}:b`)]),
      ),
    );
    const { records, skipped } = await readJsonl(localStateFiles, file, parse, 1);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(100);
    // Each call's two records are adjacent: one write per call.
    for (let i = 0; i < records.length; i += 2) {
      const [a, b] = [records[i], records[i + 1]];
      expect(a?.note.split(':')[0]).toBe(b?.note.split(':')[0]);
    }
  });
});

describe('readLastJsonl', () => {
  it('returns the previous valid record when the tail is torn or invalid', async () => {
    await appendJsonl(localStateFiles, file, [rec(1), rec(2), { v: 1, seq: 'bad' }]);
    await appendFile(file, '{"v":1,"se');
    expect(await readLastJsonl(localStateFiles, file, parse)).toEqual(rec(2));
  });

  it('finds a last line longer than the 64 KiB tail window', async () => {
    const long = 'y'.repeat(200 * 1024);
    await appendJsonl(localStateFiles, file, [rec(1), rec(2, long)]);
    expect(await readLastJsonl(localStateFiles, file, parse)).toEqual(rec(2, long));
  });

  it('walks back past a long invalid tail to an earlier record', async () => {
    await appendJsonl(localStateFiles, file, [rec(1, 'é'.repeat(1000)), rec(2, '€'.repeat(40_000))]);
    await appendFile(file, `${'z'.repeat(150 * 1024)}\n${'w'.repeat(70 * 1024)}`);
    expect(await readLastJsonl(localStateFiles, file, parse)).toEqual(rec(2, '€'.repeat(40_000)));
  });

  it('returns null when no line is valid', async () => {
    await writeFile(file, 'garbage\nmore garbage');
    expect(await readLastJsonl(localStateFiles, file, parse)).toBeNull();
  });
});

describe('appendSequenced', () => {
  it('numbers from 1 and continues after the last seq', async () => {
    expect(await appendSequenced(localStateFiles, file, parse, [(seq) => rec(seq)])).toEqual([rec(1)]);
    expect(
      await appendSequenced(localStateFiles, file, parse, [(seq) => rec(seq), (seq) => rec(seq)]),
    ).toEqual([rec(2), rec(3)]);
    expect(await appendSequenced(localStateFiles, file, parse, [])).toEqual([]);
    expect((await readJsonl(localStateFiles, file, parse, 1)).records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('writes nothing when a made record is invalid', async () => {
    await appendJsonl(localStateFiles, file, [rec(1)]);
    const bad = (seq: number) => ({ v: 1, seq, note: 42 }) as unknown as Rec;
    await expect(appendSequenced(localStateFiles, file, parse, [(seq) => rec(seq), bad])).rejects.toThrow();
    expect((await readJsonl(localStateFiles, file, parse, 1)).records).toEqual([rec(1)]);
  });
});
