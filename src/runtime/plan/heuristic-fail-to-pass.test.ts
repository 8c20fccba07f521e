import { describe, expect, it } from 'vitest';
import { heuristicPlan } from '../../../test/helpers/heuristic-plan.js';
import { expectWritesExplained } from '../../../test/helpers/plan-notes.js';
import { decideOracle } from '../goal/intake.js';
import { isFailToPassCheck } from '../goal/intake-checks.js';
import type { TaskDraft } from '../graph/schema.js';
import type { PlanProposal } from './planner.js';
import { pathsOverlap } from './slice-paths.js';

// A slice is never asked to prove what only another slice may write: a fix goal's failing-then-
// passing test is asked of the fix slice only when the fix slice may write that test.

const JS_REPO = ['README.md', 'package.json', 'src/lexer.js', 'src/parser.js', 'test/parser.test.js'];

function plan(goalText: string, repoFiles: readonly string[]): Promise<PlanProposal> {
  return heuristicPlan(goalText, repoFiles);
}

const asksFailToPass = (task: TaskDraft | undefined) => (task?.acceptance ?? []).some(isFailToPassCheck);

/** Every slice asked for a failing-then-passing test may write a test file of what it fixes. */
function expectProvableAlone(proposal: PlanProposal, repoFiles: readonly string[]): void {
  for (const task of proposal.tasks.filter(asksFailToPass)) {
    const tests = repoFiles.filter((path) => /(?:^|\/)tests?\//.test(path) || /_test\.go$/.test(path));
    const mayWriteTest =
      task.writes.some((write) => tests.some((test) => pathsOverlap(write, test))) ||
      task.writes.some((write) =>
        /(?:\.test\.[jt]s|_test\.go|^tests?\/test_.*\.py|\.rs|^tests?)$/.test(write),
      );
    expect(mayWriteTest, `${task.id} is asked for a failing test but writes ${task.writes.join(', ')}`).toBe(
      true,
    );
  }
}

describe('heuristic planner: fail-to-pass is asked of whom may write the test', () => {
  it('a fix followed by its regression test slice: the pair shows fail-to-pass, not the fix alone', async () => {
    const proposal = await plan('fix the parser in src/parser.js and add a regression test', JS_REPO);
    const [fix, test] = proposal.tasks;
    expect(proposal.tasks.map((task) => [task.id, task.writes, task.dependsOn])).toEqual([
      ['s1-fix-the-parser-in-src-parser-js', ['src/parser.js'], []],
      ['s2-add-a-regression-test', ['test'], ['s1-fix-the-parser-in-src-parser-js']],
    ]);
    expect(asksFailToPass(fix)).toBe(false);
    expect(fix?.acceptance).toContain(
      "The test that fails on the goal's base commit and passes with this fix is written by s2-add-a-regression-test, which is built on this slice: change only src/parser.js",
    );
    expect(test?.acceptance).toContain(
      "The regression test fails on the goal's base commit and passes on this slice's head, which holds the fix of s1-fix-the-parser-in-src-parser-js",
    );
    // The rest of the goal's checks still bind the fix.
    for (const check of decideOracle('fix the parser in src/parser.js').checks.filter(
      (c) => !isFailToPassCheck(c),
    )) {
      expect(fix?.acceptance).toContain(check);
    }
  });

  it('a fix with no test slice after it may write the tests of the file it fixes, and add one', async () => {
    const proposal = await plan('fix the bug in src/parser.js', JS_REPO);
    expect(proposal.tasks.map((task) => task.writes)).toEqual([['src/parser.js', 'test']]);
    expect(asksFailToPass(proposal.tasks[0])).toBe(true);
    expect(proposal.notes.join('\n')).toContain(
      's1-fix-the-bug-in-src-parser-js writes test: no test slice follows this fix, so it shows its own failing-then-passing test there',
    );
    expectWritesExplained(proposal);
  });

  it.each([
    ['Python', ['pyproject.toml', 'src/pkg/parser.py', 'tests/test_cli.py'], 'src/pkg/parser.py', 'tests'],
    ['Go', ['go.mod', 'pkg/parse/parser.go'], 'pkg/parse/parser.go', 'pkg/parse/parser_test.go'],
    ['Node, no test yet', ['package.json', 'src/math.js'], 'src/math.js', 'src/math.test.js'],
    ['Node, a test directory', ['package.json', 'src/math.js', 'test/other.test.js'], 'src/math.js', 'test'],
    ['Rust (inline tests)', ['Cargo.toml', 'src/lib.rs'], 'src/lib.rs', 'src/lib.rs'],
  ])('%s: a lone fix may write a new test file of the file it fixes', async (_, files, source, testFile) => {
    const proposal = await plan(`fix the bug in ${source}`, files);
    expect(proposal.tasks[0]?.writes).toContain(source);
    expect(proposal.tasks[0]?.writes).toContain(testFile);
    expectProvableAlone(proposal, files);
  });

  it('a test slice about something else leaves the fix to show fail-to-pass itself', async () => {
    const files = [...JS_REPO, 'test/lexer.test.js'];
    const proposal = await plan(
      'fix the crash in src/lexer.js and add a regression test for the parser',
      files,
    );
    const [fix] = proposal.tasks;
    // The test slice writes test/ too: the fix keeps to its file, so the two still run in parallel.
    expect(fix?.writes).toEqual(['src/lexer.js', 'test/lexer.test.js']);
    expect(asksFailToPass(fix)).toBe(true);
    expectProvableAlone(proposal, files);
  });
});
