import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCargoTest } from './cargo-test.js';
import { compareTests } from './compare.js';
import type { TestResults } from './types.js';

const results = (passed: string[], failed: string[]): TestResults => ({
  source: 'pytest',
  passed,
  failed,
  skipped: 0,
});

describe('compareTests', () => {
  it('names fail→pass, regressions, still failing, added and removed tests', () => {
    const base = results(['t::kept', 't::breaks', 't::gone'], ['t::target', 't::old_debt']);
    const head = results(['t::kept', 't::target', 't::new_ok'], ['t::breaks', 't::old_debt', 't::new_bad']);
    expect(compareTests(base, head)).toEqual({
      failToPass: ['t::target'],
      regressions: ['t::breaks', 't::new_bad'],
      stillFailing: ['t::old_debt'],
      added: ['t::new_bad', 't::new_ok'],
      removed: ['t::gone'],
      notRunOnBase: [],
    });
  });

  it('never counts a failing test that vanished as fixed', () => {
    const comparison = compareTests(results(['t::a'], ['t::target']), results(['t::a'], []));
    expect(comparison.failToPass).toEqual([]);
    expect(comparison.removed).toEqual(['t::target']);
  });
});

describe("compareTests: cargo 1.95 doc tests (dtolnay/indoc's unindent crate, tabs not counted as indentation)", () => {
  const cargo = (name: string) =>
    parseCargoTest(
      readFileSync(join(import.meta.dirname, 'fixtures', `cargo-1.95-doctest-${name}.txt`), 'utf8'),
    );
  const doc = 'src/unindent.rs - unindent::unindent (example 1)';

  it('matches the failing doc test at line 5 with the passing one a fix moved to line 6: fixed, not removed', () => {
    const base = cargo('base');
    const head = cargo('head-moved');
    if (base === null || head === null) throw new Error('cargo output not read');
    expect(base.failed).toContain(doc);
    expect(compareTests(base, head)).toMatchObject({
      failToPass: ['fn_unindent_bytes', 'fn_unindent_str', doc, 'trait_unindent_bytes', 'trait_unindent_str'],
      regressions: [],
      added: [],
      removed: [],
    });
  });

  it('a doc test the head fences ```ignore is not among its passing tests: the fix shows by the others only', () => {
    const base = cargo('base');
    const head = cargo('head-ignored');
    if (base === null || head === null) throw new Error('cargo output not read');
    expect(head.skipped).toBe(1);
    expect(compareTests(base, head).failToPass).not.toContain(doc);
  });

  it('a doc test the head fences ```ignore reads as skipped there, not removed: cargo names it `... ignored`', () => {
    const base = cargo('base');
    const head = cargo('head-ignored');
    if (base === null || head === null) throw new Error('cargo output not read');
    expect(head.skippedNames).toEqual([doc]);
    expect(compareTests(base, head)).toMatchObject({ removed: [], added: [], regressions: [] });
  });
});

describe('compareTests: skipped tests', () => {
  it('a test the base ran and the head names skipped is not removed; one the head does not name is', () => {
    const base = results(['t::a', 't::b', 't::c'], []);
    const head: TestResults = { ...results(['t::a'], []), skipped: 1, skippedNames: ['t::b'] };
    expect(compareTests(base, head)).toMatchObject({ removed: ['t::c'], added: [] });
    // Skipped on the base, run on the head: a test the head adds to what runs.
    expect(compareTests(head, base).added).toEqual(['t::b', 't::c']);
  });
});
