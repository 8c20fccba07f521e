import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeFailureOnBoth } from '../test-verdict.js';
import { compareTests } from './compare.js';
import { parseTestResults } from './parse.js';

// `pnpm -r test -- --reporter=verbose` in lefun-fun/dudo (pnpm 9.15.9, vitest 1.6.1): game's
// wild-conversion bug fails one test and pnpm stops there (bail); fixed, game and ui both run.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const WILD = 'game > src/index.test.ts > isNewBetValid [ 5, 3 ] => [ 2, 1 ], expected=false';
const UI = 'ui > src/selectors.test.ts > selectors follow the game';

describe('pnpm -r test', () => {
  it("reads each package's vitest lines behind pnpm's prefix, named by the package's directory", () => {
    const base = parseTestResults(fixture('pnpm-recursive-vitest-bail.txt'));
    expect(base).toMatchObject({ source: 'vitest', failed: [WILD], packages: ['game'] });
    expect(base?.passed).toHaveLength(22);
    expect(base?.passed).toContain('game > src/index.test.ts > someone wins');
    const head = parseTestResults(fixture('pnpm-recursive-vitest.txt'));
    expect(head).toMatchObject({ source: 'vitest', failed: [], packages: ['game', 'ui'] });
    expect(head?.passed).toHaveLength(24);
    expect(head?.passed).toContain(UI);
  });

  it('counts a package the base never reached (pnpm bailed) as not run there, not as new tests', () => {
    const base = parseTestResults(fixture('pnpm-recursive-vitest-bail.txt'));
    const head = parseTestResults(fixture('pnpm-recursive-vitest.txt'));
    if (base === null || head === null) throw new Error('no results read');
    expect(compareTests(base, head)).toMatchObject({
      failToPass: [WILD],
      regressions: [],
      added: [],
      notRunOnBase: [UI],
    });
  });

  it("does not call a failing test of a package the base never reached the change's regression", () => {
    const base = parseTestResults(fixture('pnpm-recursive-vitest-bail.txt'));
    const head = parseTestResults(fixture('pnpm-recursive-vitest-later-package-fails.txt'));
    expect(head).toMatchObject({ failed: [UI], packages: ['game', 'ui'] });
    const verdict = judgeFailureOnBoth(head, base, 'ae6d48cfb9b3');
    expect(verdict.outcome).toBe('pre_existing');
    expect(verdict.note).toContain('never ran ui, whose tests fail here');
    expect(verdict.note).toContain("'pnpm -r --no-bail test'");
  });

  it('leaves to the exit code a run whose vitest default reporter names only the failing tests', () => {
    // ` ✓ src/index.test.ts  (22 tests)`: read, the fixed head would name none of its passing tests.
    expect(parseTestResults(fixture('pnpm-recursive-vitest-default.txt'))).toBeNull();
  });

  it("reads pnpm 9.15.9's run of each package's vitest 2.1.9 as omk asks it (`pnpm run test -- --reporter=verbose`)", () => {
    // Captured here: a workspace of packages/game, packages/ui and packages/tools, each `vitest run`;
    // pnpm runs game and tools at once, their lines interleaved. The base fails game's bid test.
    const base = parseTestResults(fixture('pnpm-9.15.9-recursive-vitest-2-verbose-fails.txt'));
    const head = parseTestResults(fixture('pnpm-9.15.9-recursive-vitest-2-verbose.txt'));
    const bid = 'packages/game > src/bid.test.js > raises bid';
    expect(base).toMatchObject({ failed: [bid], packages: ['packages/game', 'packages/tools'] });
    expect(head?.passed).toEqual([
      bid,
      'packages/game > src/dice.test.js > dice > counts',
      'packages/game > src/dice.test.js > dice > rolls',
      'packages/tools > test/a.test.js > tool works',
      'packages/ui > src/view.test.js > renders',
    ]);
    if (base === null || head === null) throw new Error('no results read');
    expect(compareTests(base, head)).toMatchObject({
      failToPass: [bid],
      removed: [],
      notRunOnBase: ['packages/ui > src/view.test.js > renders'],
    });
  });

  it("does not call a package the head's run never reached (pnpm bailed there) tests the change removed", () => {
    // The same capture the other way round: the change breaks game's bid test, so ui never runs on the head.
    const base = parseTestResults(fixture('pnpm-9.15.9-recursive-vitest-2-verbose.txt'));
    const head = parseTestResults(fixture('pnpm-9.15.9-recursive-vitest-2-verbose-fails.txt'));
    if (base === null || head === null) throw new Error('no results read');
    expect(compareTests(base, head)).toMatchObject({
      regressions: ['packages/game > src/bid.test.js > raises bid'],
      removed: [],
    });
    // A passing head ran every package it has: one gone from it (dropped from the workspace) is removed.
    const withoutUi = fixture('pnpm-9.15.9-recursive-vitest-2-verbose.txt')
      .split('\n')
      .filter((line) => !line.startsWith('packages/ui '))
      .join('\n');
    const passing = parseTestResults(withoutUi);
    if (passing === null) throw new Error('no results read');
    expect(compareTests(base, passing).removed).toEqual(['packages/ui > src/view.test.js > renders']);
  });
});
