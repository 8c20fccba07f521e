import type { TestResults } from './types.js';

/** Per test, the head against the base. Every list is sorted. */
export interface TestComparison {
  /** Failed on the base, pass on the head. */
  failToPass: string[];
  /** Fail on the head and did not fail on the base: passed there, or did not exist there. */
  regressions: string[];
  /** Fail on both. */
  stillFailing: string[];
  /** Only on the head (whatever their outcome). */
  added: string[];
  /** Only on the base. */
  removed: string[];
}

export function compareTests(base: TestResults, head: TestResults): TestComparison {
  const baseFailed = new Set(base.failed);
  const baseAll = new Set([...base.passed, ...base.failed]);
  const headAll = new Set([...head.passed, ...head.failed]);
  return {
    failToPass: head.passed.filter((name) => baseFailed.has(name)),
    regressions: head.failed.filter((name) => !baseFailed.has(name)),
    stillFailing: head.failed.filter((name) => baseFailed.has(name)),
    added: [...headAll].filter((name) => !baseAll.has(name)).sort(),
    removed: [...baseAll].filter((name) => !headAll.has(name)).sort(),
  };
}
