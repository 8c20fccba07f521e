import { describe, expect, it } from 'vitest';
import { heuristicPlan } from '../../../test/helpers/heuristic-plan.js';
import { expectWritesExplained } from '../../../test/helpers/plan-notes.js';
import { decideOracle } from '../goal/intake.js';
import { isFailToPassCheck } from '../goal/intake-checks.js';
import { SLICE_ID_PATTERN, type TaskDraft, taskDraftSchema } from '../graph/schema.js';
import { splitClauses } from './clauses.js';
import { heuristicPlanner, sliceId } from './heuristic.js';
import type { PlanProposal } from './planner.js';

const SMALL_REPO = ['package.json', 'src/math.js', 'test/math.test.js'];
const PARSER_REPO = [
  'README.md',
  'package.json',
  'src/lexer.ts',
  'src/parser.ts',
  'test/lexer.test.ts',
  'test/parser.test.ts',
];

const plan = heuristicPlan;

// Independent of the planner's own helper on purpose: this is the rule the validator enforces.
function overlaps(a: string, b: string): boolean {
  return a === '.' || b === '.' || a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function ordered(tasks: readonly TaskDraft[], from: string, to: string): boolean {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const stack = [...(byId.get(from)?.dependsOn ?? [])];
  const seen = new Set<string>();
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (id === to) return true;
    if (!seen.has(id)) stack.push(...(byId.get(id)?.dependsOn ?? []));
    seen.add(id);
  }
  return false;
}

function expectNoConcurrentConflict(tasks: readonly TaskDraft[]): void {
  for (const a of tasks) {
    for (const b of tasks) {
      if (a.id === b.id || ordered(tasks, a.id, b.id) || ordered(tasks, b.id, a.id)) continue;
      for (const write of a.writes) {
        for (const other of [...b.writes, ...b.reads]) {
          expect(overlaps(write, other), `${a.id} writes ${write}, concurrent ${b.id} touches ${other}`).toBe(
            false,
          );
        }
      }
    }
  }
}

function byRole(proposal: PlanProposal, role: string): TaskDraft[] {
  return proposal.tasks.filter((task) => task.ownerRole === role);
}

const SCENARIOS: [string, readonly string[]][] = [
  ['fix the failing tests and add a regression test', SMALL_REPO],
  ['implement the frobnicator widget', SMALL_REPO],
  ['update the README and fix the parser in src/parser.ts', PARSER_REPO],
  ['fix the lexer, fix the parser, add docs for the lexer then add tests', PARSER_REPO],
  ['fix the crash in the lexer and add a regression test for the parser', PARSER_REPO],
  ['refactor src/parser.ts; refactor src/parser.ts again; then add tests for the parser', PARSER_REPO],
  ['harden the parser against hostile input and fix the lexer crash and add tests', PARSER_REPO],
  ['add tests for the parser and fix the lexer crash', PARSER_REPO],
];

describe('heuristicPlanner', () => {
  it('is named heuristic v1', async () => {
    expect(heuristicPlanner.name).toBe('heuristic');
    expect((await plan('fix the parser crash', PARSER_REPO)).planner).toEqual({
      name: 'heuristic',
      version: '1',
    });
  });

  it('never picks a CI workflow by a shared word: "test" is no reason to write .github/workflows/tests.yaml', async () => {
    // tomli's layout: a goal about a failing test made the workflow a write, and the slice was
    // rejected as protected, leaving a plan of no slice at all.
    const tomli = [
      '.github/workflows/tests.yaml',
      'pyproject.toml',
      'src/tomli/_parser.py',
      'tests/test_error.py',
    ];
    const proposal = await plan('fix the failing test tests.test_error.TestError.test_invalid_date', tomli);
    expect(proposal.tasks.length).toBeGreaterThan(0);
    expect(proposal.tasks.flatMap((task) => task.writes)).not.toContain('.github/workflows/tests.yaml');
    // A goal created to change its workflows may still write it.
    const ci = await plan('fix the failing test tests.test_error.TestError.test_invalid_date', tomli, {
      allowedProtectedPaths: ['.github/workflows/tests.yaml'],
    });
    expect(ci.tasks.flatMap((task) => task.writes)).toContain('.github/workflows/tests.yaml');
  });

  it("lets a Rust crate's regression test go inline, in the module it tests, as well as under tests/", async () => {
    const crate = ['Cargo.toml', 'src/lib.rs', 'tests/lib.rs'];
    const proposal = await plan('fix the bug in src/lib.rs and add a regression test', crate);
    const [fix] = byRole(proposal, 'implementer');
    const [test] = byRole(proposal, 'test-author');
    expect(test?.dependsOn).toContain(fix?.id);
    expect(test?.writes).toEqual(['tests', 'src/lib.rs']);
    expectNoConcurrentConflict(proposal.tasks);
  });

  it("lets a workspace member's fix write its regression test under that member's tests/ (The Rust Book's add workspace)", async () => {
    const files = [
      'Cargo.toml',
      'add_one/Cargo.toml',
      'add_one/src/lib.rs',
      'add_two/Cargo.toml',
      'add_two/src/lib.rs',
      'adder/Cargo.toml',
      'adder/src/main.rs',
    ];
    const definitions = [{ name: 'add_one', kind: 'function' as const, path: 'add_one/src/lib.rs', line: 1 }];
    const proposal = await plan('fix add_one in the add_one crate: add_one(2) must be 3', files, {
      definitions,
    });
    expect(proposal.tasks.map((task) => task.writes)).toEqual([['add_one/src/lib.rs', 'add_one/tests']]);
    expectWritesExplained(proposal);
    // A crate at the root: its tests/ is the repository's.
    const single = await plan('fix the bug in src/lib.rs', ['Cargo.toml', 'src/lib.rs']);
    expect(single.tasks.map((task) => task.writes)).toEqual([['src/lib.rs', 'tests']]);
  });

  it('plans a fix and a regression test that depends on it', async () => {
    const proposal = await plan('fix the failing tests and add a regression test', SMALL_REPO);
    expect(proposal.tasks.length).toBeGreaterThanOrEqual(2);
    const [fix] = byRole(proposal, 'implementer');
    const [test] = byRole(proposal, 'test-author');
    expect(fix?.id).toBe('s1-fix-the-failing-tests');
    expect(test?.id).toBe('s2-add-a-regression-test');
    expect(test?.dependsOn).toContain(fix?.id);
    expect(test?.writes).toEqual(['test']);
    expect(test?.acceptance.join('\n')).toMatch(
      /fails on the goal's base commit and passes on this slice's head, which holds the fix of s1-fix-the-failing-tests/,
    );
    expect(fix?.acceptance).toContain('Done when: fix the failing tests');
    // The failing-then-passing test is the test slice's to write: the fix is told so, not asked for it.
    for (const check of decideOracle('fix the failing tests and add a regression test').checks) {
      if (isFailToPassCheck(check)) expect(fix?.acceptance).not.toContain(check);
      else expect(fix?.acceptance).toContain(check);
    }
    expect(fix?.acceptance.join('\n')).toMatch(/is written by s2-add-a-regression-test/);
  });

  it('gives an unrelated goal one whole-repository slice with high risk', async () => {
    const proposal = await plan('implement the frobnicator widget', SMALL_REPO);
    expect(proposal.tasks).toHaveLength(1);
    const [task] = proposal.tasks;
    expect(task).toMatchObject({ writes: ['.'], risk: 'high', maxRetries: 1, ownerRole: 'implementer' });
    expect(proposal.notes.join('\n')).toMatch(/no source file matched .*owns the whole repository/);
  });

  it('keeps disjoint clauses parallel with disjoint writes', async () => {
    const proposal = await plan('update the README and fix the parser in src/parser.ts', PARSER_REPO);
    expect(proposal.tasks.map((task) => [task.id, task.ownerRole, task.writes, task.dependsOn])).toEqual([
      ['s1-update-the-readme', 'docs-writer', ['README.md'], []],
      // No test slice follows the fix: it may write its parser's tests (and add one), to show its
      // own fail-to-pass.
      ['s2-fix-the-parser-in-src-parser-ts', 'implementer', ['src/parser.ts', 'test'], []],
    ]);
    expect(proposal.tasks[1]?.reads).toEqual(['src/parser.ts', 'test/parser.test.ts']);
  });

  it('chains clauses whose write sets overlap', async () => {
    const proposal = await plan(
      'refactor src/parser.ts; refactor src/parser.ts again; then add tests for the parser',
      PARSER_REPO,
    );
    const [first, second, third] = proposal.tasks;
    expect(second?.dependsOn).toEqual([first?.id]);
    expect(third?.dependsOn).toContain(second?.id);
    expect(proposal.notes.join('\n')).toMatch(
      /s2-refactor-src-parser-ts-again depends on s1-refactor-src-parser-ts/,
    );
  });

  it.each(SCENARIOS)('says why each file is in a write set: %j', async (goal, files) => {
    expectWritesExplained(await plan(goal, files));
  });

  it.each(SCENARIOS)('never lets concurrent slices overlap: %j', async (goal, files) => {
    const proposal = await plan(goal, files);
    expect(proposal.tasks.length).toBeGreaterThan(0);
    expectNoConcurrentConflict(proposal.tasks);
    for (const task of proposal.tasks) {
      expect(() => taskDraftSchema.parse(task)).not.toThrow();
      expect(task.id).toMatch(SLICE_ID_PATTERN);
      expect(task.id.length).toBeLessThanOrEqual(40);
      expect(task.acceptance.length).toBeGreaterThan(0);
      expect(task.writes.length).toBeGreaterThan(0);
      const earlier = proposal.tasks.slice(0, proposal.tasks.indexOf(task)).map((t) => t.id);
      for (const dep of task.dependsOn) expect(earlier).toContain(dep);
    }
  });

  it('is deterministic', async () => {
    for (const [goal, files] of SCENARIOS) {
      expect(await plan(goal, files)).toEqual(await plan(goal, files));
    }
  });

  it('does not plan a goal that is not testable', async () => {
    const proposal = await plan('make it better', SMALL_REPO);
    expect(proposal.tasks).toEqual([]);
    expect(proposal.notes.join(' ')).toMatch(/not planned: the goal is not testable \(only vague words/);
  });

  it('caps slices at max-agents × 2 (and 8) without dropping clauses', async () => {
    const goal = 'fix the lexer; fix the parser; update the README';
    const capped = await plan(goal, PARSER_REPO, { maxAgents: 1 });
    expect(capped.tasks).toHaveLength(2);
    expect(capped.tasks[1]?.title).toBe('Fix the parser; update the README');
    expect(capped.notes.join('\n')).toMatch(/at most 2 slices/);
    const many = Array.from({ length: 12 }, (_, i) => `fix the crash in module${i}.ts`).join('; ');
    expect((await plan(many, PARSER_REPO, { maxAgents: 10 })).tasks).toHaveLength(8);
  });

  it('splits the goal budget across slices', async () => {
    const goal = 'update the README and fix the parser in src/parser.ts';
    const split = await plan(goal, PARSER_REPO, { budget: { timeMs: 600_000, tokens: 1001, usd: 1 } });
    expect(split.tasks.map((task) => task.budget)).toEqual([
      { timeMs: 300_000, tokens: 500, usd: 0.5 },
      { timeMs: 300_000, tokens: 500, usd: 0.5 },
    ]);
    const unlimited = await plan(goal, PARSER_REPO);
    expect(unlimited.tasks[0]?.budget).toEqual({ timeMs: 1_800_000, tokens: null, usd: null });
    const tight = await plan(goal, PARSER_REPO, { budget: { timeMs: 90_000, tokens: null, usd: null } });
    expect(tight.tasks[0]?.budget.timeMs).toBe(60_000);
    const tiny = await plan(goal, PARSER_REPO, { budget: { timeMs: 30_000, tokens: null, usd: null } });
    expect(tiny.tasks[0]?.budget.timeMs).toBe(30_000);
    expect(tiny.notes.join('\n')).toMatch(/under 1 min/);
  });

  it('writes tests where the repository keeps them', async () => {
    const colocated = ['package.json', 'src/widget.ts', 'src/other.test.ts'];
    const proposal = await plan('add tests for the widget', colocated);
    expect(proposal.tasks[0]).toMatchObject({ ownerRole: 'test-author', writes: ['src/widget.test.ts'] });
    const nested = ['lib/a.py', 'lib/b.py', 'tests/unit/test_a.py', 'tests/unit/test_b.py', 'spec/c.rb'];
    expect((await plan('add tests for the cache layer', nested)).tasks[0]?.writes).toEqual(['tests']);
    expect((await plan('add tests for the cache layer', ['main.go'])).tasks[0]?.writes).toEqual(['test']);
  });

  it("a package's single test file (ava's test.js) is where its fix and its regression test go", async () => {
    // sindresorhus-style: index.js, its types index.d.ts, tsd's index.test-d.ts, ava's test.js.
    const files = ['index.d.ts', 'index.js', 'index.test-d.ts', 'package.json', 'readme.md', 'test.js'];
    const definitions = [
      { name: 'stripAnsi', kind: 'function' as const, path: 'index.js', line: 5 },
      { name: 'stripAnsi', kind: 'function' as const, path: 'index.d.ts', line: 15 },
    ];
    const proposal = await plan(
      'fix stripAnsi ignoring 8-bit CSI sequences and add a regression test',
      files,
      {
        definitions,
      },
    );
    expect(proposal.tasks[0]?.writes).toContain('test.js');
    expect(proposal.tasks[1]).toMatchObject({ ownerRole: 'test-author' });
    expect(proposal.tasks[1]?.writes).toContain('test.js');
    expect(proposal.tasks.flatMap((task) => task.writes)).not.toContain('index.d.test.ts');
  });

  it('writes the common directory when many files match', async () => {
    const files = [
      'src/auth/login.ts',
      'src/auth/logout.ts',
      'src/auth/session.ts',
      'src/auth/token.ts',
      'src/db.ts',
    ];
    const proposal = await plan('refactor the auth module', files);
    expect(proposal.tasks[0]?.writes).toEqual(['src/auth']);
    expect(proposal.tasks[0]?.risk).toBe('medium');
  });
});

describe('sliceId', () => {
  it.each([
    [1, 'fix the failing tests', 's1-fix-the-failing-tests'],
    [2, 'Add a --json flag to `list`!', 's2-add-a-json-flag-to-list'],
    [3, 'Résumé parsing für Ümlaute', 's3-resume-parsing-fur-umlaute'],
    [4, '修复', 's4'],
    [
      12,
      'refactor the extraordinarily long module name parser and friends',
      's12-refactor-the-extraordinarily-long',
    ],
  ])('%d %j → %s', (index, text, expected) => {
    const id = sliceId(index, text);
    expect(id).toBe(expected);
    expect(id).toMatch(SLICE_ID_PATTERN);
    expect(id.length).toBeLessThanOrEqual(40);
  });
});

describe('splitClauses', () => {
  it.each([
    ['fix the failing tests and add a regression test', ['fix the failing tests', 'add a regression test']],
    ['implement search and replace in the editor', ['implement search and replace in the editor']],
    ['read and write files in the cache', ['read and write files in the cache']],
    ['fix the lexer, the parser and the printer', ['fix the lexer, the parser and the printer']],
    [
      'fix the lexer, add a cache to the parser, and update the docs',
      ['fix the lexer', 'add a cache to the parser', 'update the docs'],
    ],
    ['fix the parser; then add tests for it', ['fix the parser', 'add tests for it']],
    ['migrate to vitest, then fix the broken tests', ['migrate to vitest', 'fix the broken tests']],
    ['if the cache is empty then load from disk', ['if the cache is empty then load from disk']],
    [
      'Fix the crash in src/a.ts. It happens on empty input. Add a regression test.',
      ['Fix the crash in src/a.ts. It happens on empty input', 'Add a regression test'],
    ],
    ['add a --json flag, e.g. for scripts', ['add a --json flag, e.g. for scripts']],
  ])('%j', (goal, expected) => {
    expect(splitClauses(goal).map((clause) => clause.text)).toEqual(expected);
  });

  it('classifies clauses', () => {
    expect(
      splitClauses('fix the failing tests; add a regression test; update the README').map((c) => c.kind),
    ).toEqual(['code', 'test', 'docs']);
  });

  it.each([
    ['fix the parser and add no new dependencies', ['fix the parser'], ['add no new dependencies']],
    [
      'refactor src/db.js, keep the public API and do not touch the migrations',
      ['refactor src/db.js'],
      ['keep the public API', 'do not touch the migrations'],
    ],
    ['do not change the public API; fix parseConfig', ['fix parseConfig'], ['do not change the public API']],
    ['add a --json flag without new dependencies', ['add a --json flag without new dependencies'], []],
  ])('keeps constraints apart from work: %j', (goal, work, constraints) => {
    const clauses = splitClauses(goal);
    expect(clauses.filter((c) => c.kind !== 'constraint').map((c) => c.text)).toEqual(work);
    expect(clauses.filter((c) => c.kind === 'constraint').map((c) => c.text)).toEqual(constraints);
  });

  it('treats a goal made only of constraints as work', () => {
    expect(splitClauses('do not change the public API').map((c) => c.kind)).toEqual(['code']);
  });
});
