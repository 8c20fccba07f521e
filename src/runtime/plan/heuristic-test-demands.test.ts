import { describe, expect, it } from 'vitest';
import { heuristicPlan } from '../../../test/helpers/heuristic-plan.js';
import { expectWritesExplained } from '../../../test/helpers/plan-notes.js';
import { decideOracle } from '../goal/intake.js';
import { testDemandOf } from '../goal/intake-checks.js';
import { classifyClause } from './clauses.js';
import type { PlanProposal } from './planner.js';
import { isTestFile, pathsOverlap } from './slice-paths.js';

// Every goal class that asks for new tests (fix, greenfield, hardening) asks them only of a slice
// that may write them: the test slice built on a change, else the change itself.

const REPO = [
  'README.md',
  'package.json',
  'src/cli.js',
  'src/config.js',
  'src/math.js',
  'src/parser.js',
  'test/math.test.js',
  'test/parser.test.js',
];

function plan(goalText: string): Promise<PlanProposal> {
  return heuristicPlan(goalText, REPO);
}

/** A slice asked for new tests writes a test file (or a directory holding one, or everything). */
function expectAskedOnlyWhatItWrites(proposal: PlanProposal): void {
  for (const task of proposal.tasks) {
    if (!task.acceptance.some((line) => testDemandOf(line) !== null)) continue;
    const writesTest = task.writes.some(
      (write) => isTestFile(write) || REPO.some((path) => isTestFile(path) && pathsOverlap(write, path)),
    );
    expect(writesTest, `${task.id} is asked for new tests but writes ${task.writes.join(', ')}`).toBe(true);
  }
}

describe('heuristic planner: each class asks new tests only of whom may write them', () => {
  it.each([
    ['add a slugify function in src/slug.js with tests', 'greenfield', ['src/slug.js', 'test']],
    ['add a slugify function in src/slug.js', 'greenfield', ['src/slug.js', 'test']],
    ['create a CLI flag --json in src/cli.js', 'greenfield', ['src/cli.js', 'test']],
    ['harden input validation in src/config.js', 'hardening', ['src/config.js', 'test']],
    ['add a multiply function to src/math.js', 'greenfield', ['src/math.js', 'test']],
    ['fix the bug in src/parser.js', 'fix', ['src/parser.js', 'test']],
  ])('%s: a lone %s change writes its own tests', async (goal, cls, writes) => {
    expect(decideOracle(goal).class).toBe(cls);
    const proposal = await plan(goal);
    expect(proposal.tasks.map((task) => [task.ownerRole, task.writes])).toEqual([['implementer', writes]]);
    expect(proposal.tasks[0]?.acceptance.some((line) => testDemandOf(line) !== null)).toBe(true);
    expect(proposal.notes.join('\n')).toMatch(/no test slice follows this (?:change|fix), so it/);
    expectAskedOnlyWhatItWrites(proposal);
    expectWritesExplained(proposal);
  });

  it.each([
    [
      'add a --json flag to src/cli.js and add tests for it',
      "The acceptance tests that fail or are absent on the goal's base commit and pass with this change are written by s2-add-tests-for-it, which is built on this slice: change only src/cli.js",
      "The new acceptance tests fail or are absent on the goal's base commit and pass on this slice's head, which holds the change of s1-add-a-json-flag-to-src-cli-js",
    ],
    [
      'sanitize the config path in src/config.js and add hostile-input tests',
      "The hostile-input tests that expose the weakness on the goal's base commit and are handled safely with this change are written by s2-add-hostile-input-tests, which is built on this slice: change only src/config.js",
      "They expose the weakness on the goal's base commit and are handled safely on this slice's head, which holds the change of s1-sanitize-the-config-path-in-src",
    ],
  ])('%s: the pair shows the new tests, the change is told who writes them', async (goal, told, asked) => {
    const proposal = await plan(goal);
    const [change, tests] = proposal.tasks;
    expect(change?.writes).toEqual([goal.includes('cli') ? 'src/cli.js' : 'src/config.js']);
    expect(change?.acceptance.filter((line) => testDemandOf(line) !== null)).toEqual([]);
    expect(change?.acceptance).toContain(told);
    expect(tests?.acceptance).toContain(asked);
    expectAskedOnlyWhatItWrites(proposal);
  });

  it('classes that ask for no new tests leave the write set alone', async () => {
    for (const goal of [
      'refactor src/parser.js without changing behaviour',
      'speed up parse in src/parser.js to under 10ms',
    ]) {
      const proposal = await plan(goal);
      expect(proposal.tasks.map((task) => task.writes)).toEqual([['src/parser.js']]);
    }
  });

  it('"… with tests" ending a change is the change, not a test clause', () => {
    expect(classifyClause('add a slugify function in src/slug.js with tests')).toBe('code');
    expect(classifyClause('implement the --json flag with unit tests')).toBe('code');
    expect(classifyClause('cover the parser with tests')).toBe('test');
    expect(classifyClause('add tests for the parser')).toBe('test');
  });
});
