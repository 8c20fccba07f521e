import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { LongestFirstSequencer, SLOWEST_IN_CI } from './longest-first-sequencer.js';

const ROOT = '/repo';

interface FakeFile {
  project: 'e2e' | 'unit';
  path: string;
  size: number;
  /** The duration an earlier run cached, if any. */
  ms?: number;
}

/** The sequencer over a vitest whose cache knows exactly these files' sizes and durations. */
function sequencer(files: readonly FakeFile[]): {
  sort(): Promise<string[]>;
} {
  const byKey = new Map(files.map((file) => [`${file.project}:${file.path}`, file]));
  const ctx = {
    config: { root: ROOT },
    cache: {
      getFileTestResults: (key: string) => {
        const ms = byKey.get(key)?.ms;
        return ms === undefined ? undefined : { duration: ms, failed: false };
      },
      getFileStats: (key: string) => {
        const size = byKey.get(key)?.size;
        return size === undefined ? undefined : { size };
      },
    },
  } as unknown as Vitest;
  const specs = files.map(
    (file) =>
      ({
        moduleId: join(ROOT, file.path),
        project: {
          name: file.project,
          config: { isolate: file.project === 'e2e', sequence: { groupOrder: 0 } },
        },
      }) as unknown as TestSpecification,
  );
  return {
    async sort() {
      const sorted = await new LongestFirstSequencer(ctx).sort(specs);
      return sorted.map((spec) => spec.moduleId.slice(ROOT.length + 1));
    },
  };
}

const [slowest, second] = SLOWEST_IN_CI.map(([file]) => file);
const LARGE = 'test/execution/a-large-quick-file.test.ts';
const SMALL = 'test/execution/a-small-quick-file.test.ts';
const UNIT = 'src/runtime/a-unit.test.ts';

describe('LongestFirstSequencer', () => {
  it('with no cached durations: the slowest files of the last CI run first, in its order, then by size; unit files last', async () => {
    const order = await sequencer([
      { project: 'unit', path: UNIT, size: 90_000 },
      { project: 'e2e', path: SMALL, size: 1_000 },
      { project: 'e2e', path: second ?? '', size: 2_000 },
      { project: 'e2e', path: LARGE, size: 50_000 },
      { project: 'e2e', path: slowest ?? '', size: 3_000 },
    ]).sort();
    expect(order).toEqual([slowest, second, LARGE, SMALL, UNIT]);
  });

  it("with cached durations: vitest's own order, longest first", async () => {
    const order = await sequencer([
      { project: 'e2e', path: slowest ?? '', size: 3_000, ms: 1_000 },
      { project: 'e2e', path: SMALL, size: 1_000, ms: 9_000 },
      { project: 'e2e', path: LARGE, size: 50_000, ms: 5_000 },
    ]).sort();
    expect(order).toEqual([SMALL, LARGE, slowest]);
  });
});
