import { describe, expect, it } from 'vitest';
import { heuristicPlan } from '../../../test/helpers/heuristic-plan.js';
import { expectWritesExplained } from '../../../test/helpers/plan-notes.js';
import type { PlanProposal } from './planner.js';
import { declarationsFor } from './slice-paths.js';

// A JavaScript package ships its TypeScript declarations by hand (types/index.d.ts for index.js):
// a fix that changes what index.js exports changes them too, so the fix slice may write them.
// Seen on @fastify/error 4.1.0 -> 4.2.0: the real fix was rejected for touching types/index.d.ts.

const FASTIFY_ERROR = [
  'eslint.config.js',
  'index.js',
  'package.json',
  'test/index.test.js',
  'types/index.d.ts',
  'types/index.test-d.ts',
];

function plan(goalText: string, repoFiles: readonly string[]): Promise<PlanProposal> {
  return heuristicPlan(goalText, repoFiles);
}

describe('heuristic planner: a JavaScript source comes with its hand-written declarations', () => {
  it('a fix of index.js may write types/index.d.ts', async () => {
    const proposal = await plan(
      'fix instanceof checks for errors created by another copy of this module in index.js',
      FASTIFY_ERROR,
    );
    expect(proposal.tasks.map((task) => task.writes)).toEqual([
      ['index.js', 'types/index.d.ts', 'test', 'types/index.test-d.ts'],
    ]);
    expect(proposal.notes.join('\n')).toContain('types/index.d.ts (the TypeScript declarations of index.js)');
    expectWritesExplained(proposal);
  });

  it('a fix no test slice follows may add its regression test as a new file beside its tests', async () => {
    // Upstream's fix added test/instanceof.test.js next to test/index.test.js.
    const proposal = await plan('fix instanceof checks in index.js', FASTIFY_ERROR);
    expect(proposal.tasks[0]?.writes).toContain('test');
    expect(proposal.notes.join('\n')).toContain(
      's1-fix-instanceof-checks-in-index-js writes test, types/index.test-d.ts: no test slice follows this fix, so it shows its own failing-then-passing test there',
    );
    expectWritesExplained(proposal);
  });

  it.each([
    ['lib/parse.js', ['lib/parse.d.ts'], ['lib/parse.d.ts']],
    [
      'lib/parse.mjs',
      ['lib/parse.d.mts', 'lib/types/parse.d.ts'],
      ['lib/parse.d.mts', 'lib/types/parse.d.ts'],
    ],
    ['index.cjs', ['typings/index.d.cts'], ['typings/index.d.cts']],
    // Not another package's declarations of the same name, nor a TypeScript source's own output.
    ['packages/a/index.js', ['packages/b/index.d.ts', 'index.d.ts'], []],
    ['src/parse.ts', ['src/parse.d.ts'], []],
  ])('%s: %j -> %j', (source, declarations, expected) => {
    expect(declarationsFor([source], [source, ...declarations])).toEqual(expected);
  });
});
