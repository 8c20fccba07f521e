import { describe, expect, it } from 'vitest';
import { checksFor } from '../../runtime/goal/intake-checks.js';
import { parsePlanReply } from '../../runtime/plan/agent-reply.js';
import { askAgentSlicesOnlyWritable } from '../../runtime/plan/slice-tests.js';
import { demoPlan } from './demo-plan.js';

// The demo agent's planning rules, on prompts shaped like the agent planner's (the lines it reads).

function prompt(goal: string, files: string[], goalClass = 'fix'): string {
  return [
    'You are the planner of omk, a delivery runtime.',
    `Goal: ${goal}`,
    `Goal class: ${goalClass} (fail_to_pass). Proof required: a failing test passes | lint passes`,
    '',
    'Repository map:',
    `Tracked files: ${files.length}`,
    'Files (path, size, language — exported symbols):',
    ...files.map((file) => `${file} 120B JavaScript`),
    '(2 more files not shown: the budget is full)',
    'not/a-file.js 1B JavaScript',
  ].join('\n');
}

const FILES = ['README.md', 'src/math.js', 'src/text.js', 'test/math.test.js', 'test/text.test.js'];

describe('demo agent plans', () => {
  it('a fix slice for the file the goal names and a test slice after it, as a valid reply', () => {
    const plan = demoPlan(prompt('fix the failing test in src/math.js and add a regression test', FILES));
    if (!plan.ok) throw new Error(plan.why);
    // The demo answers like an agent: with the class's checks as given. omk's plan check
    // (runtime/plan/slice-tests.ts) then tells the fix that the test slice writes its test.
    const fixCheck = checksFor('fix', { subject: '`src/math.js`', target: null })[0] ?? '';
    const withCheck = demoPlan(
      prompt('fix the failing test in src/math.js and add a regression test', FILES).replace(
        'a failing test passes',
        fixCheck,
      ),
    );
    if (!withCheck.ok) throw new Error(withCheck.why);
    expect(withCheck.reply.slices[0]?.acceptance).toEqual([
      'Done when: fix the failing test in src/math.js',
      fixCheck,
      'lint passes',
    ]);
    const tasks = withCheck.reply.slices.map((slice) => ({
      id: slice.id,
      title: slice.title,
      description: slice.title,
      ownerRole: slice.role,
      dependsOn: slice.dependsOn,
      reads: slice.reads,
      writes: slice.writes,
      risk: slice.risk,
      acceptance: slice.acceptance,
      budget: { timeMs: 60_000, tokens: null, usd: null },
      maxRetries: 2,
    }));
    expect(askAgentSlicesOnlyWritable(tasks, new Map(), FILES)).toEqual([]);
    expect(tasks[0]?.acceptance).toEqual([
      'Done when: fix the failing test in src/math.js',
      "The test that fails on the goal's base commit and passes with this fix is written by s2-add-a-regression-test, which is built on this slice: change only src/math.js",
      'lint passes',
    ]);
    expect(parsePlanReply(JSON.stringify(plan.reply))).toEqual({ ok: true, reply: plan.reply });
    expect(plan.reply.classification.class).toBe('fix');
    expect(plan.reply.slices).toEqual([
      expect.objectContaining({
        id: 's1-fix-the-failing-test-in-src-math-js',
        role: 'implementer',
        writes: ['src/math.js'],
        reads: ['src/math.js', 'test/math.test.js'],
        tests: ['test/math.test.js'],
        dependsOn: [],
        acceptance: [
          'Done when: fix the failing test in src/math.js',
          'a failing test passes',
          'lint passes',
        ],
      }),
      expect.objectContaining({
        id: 's2-add-a-regression-test',
        role: 'test-author',
        writes: ['test/math.test.js'],
        dependsOn: ['s1-fix-the-failing-test-in-src-math-js'],
        why: 'test/math.test.js holds the tests of src/math.js',
      }),
    ]);
  });

  it('independent clauses naming different files are parallel slices', () => {
    const plan = demoPlan(prompt('fix src/math.js and fix src/text.js', FILES));
    if (!plan.ok) throw new Error(plan.why);
    expect(plan.reply.slices.map((slice) => [slice.id, slice.writes, slice.dependsOn])).toEqual([
      ['s1-fix-src-math-js', ['src/math.js'], []],
      ['s2-fix-src-text-js', ['src/text.js'], []],
    ]);
  });

  it('refuses a goal that names no file, and one omk could not classify, saying why', () => {
    expect(demoPlan(prompt('make everything faster', FILES))).toEqual({
      ok: false,
      why: 'the demo agent cannot plan "make everything faster": it names no file of the repository',
    });
    // A file after the "(N more files not shown …)" line is not part of the map.
    expect(demoPlan(prompt('fix not/a-file.js', FILES)).ok).toBe(false);
    expect(demoPlan(prompt('fix src/math.js', FILES, 'unknown'))).toEqual({
      ok: false,
      why: 'the demo agent plans only goals omk could classify; it does not judge goals',
    });
    expect(demoPlan('no goal here').ok).toBe(false);
  });
});
