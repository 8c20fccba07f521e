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
  /**
   * Only on the base (not counting a package a failing head's recursive run never reached, nor a
   * test the head names as skipped: turned off, which the tests-weakened review reports).
   */
  removed: string[];
  /**
   * On the head, in a workspace package the base's recursive run never reached (pnpm stopped at
   * an earlier failing package): neither new nor regressions, as nothing says how they did there.
   */
  notRunOnBase: string[];
}

export function compareTests(base: TestResults, head: TestResults): TestComparison {
  const baseFailed = new Set(base.failed);
  const baseAll = new Set([...base.passed, ...base.failed]);
  const reached = base.packages === undefined ? null : new Set(base.packages);
  const ranOnBase = (name: string) => reached === null || reached.has(name.slice(0, name.indexOf(' > ')));
  const headAll = new Set([...head.passed, ...head.failed, ...(head.skippedNames ?? [])]);
  // A failing head's recursive run stopped at its first failing package (pnpm's bail): the packages
  // after it never ran there, so their tests are not gone. A passing head ran every package it has.
  const headReached = head.packages === undefined || head.failed.length === 0 ? null : new Set(head.packages);
  const ranOnHead = (name: string) =>
    headReached === null || headReached.has(name.slice(0, name.indexOf(' > ')));
  return {
    failToPass: head.passed.filter((name) => baseFailed.has(name)),
    regressions: head.failed.filter((name) => !baseFailed.has(name) && ranOnBase(name)),
    stillFailing: head.failed.filter((name) => baseFailed.has(name)),
    added: [...head.passed, ...head.failed].filter((name) => !baseAll.has(name) && ranOnBase(name)).sort(),
    removed: [...baseAll].filter((name) => !headAll.has(name) && ranOnHead(name)).sort(),
    notRunOnBase: [...head.passed, ...head.failed].filter((name) => !ranOnBase(name)).sort(),
  };
}
