import { describe, expect, it } from 'vitest';
import { decideOracle, normalizeGoalText } from '../goal/intake.js';
import type { GoalRecord } from '../goal/schema.js';
import type { Task, TaskGraph } from '../graph/schema.js';
import { renderPrd, renderTechnicalPlan, renderTestSpec, waves } from './documents.js';

function goalRecord(raw: string, overrides: Partial<GoalRecord> = {}): GoalRecord {
  const normalized = normalizeGoalText(raw);
  return {
    version: 1,
    id: 'g-20250101-fix-abc123',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    revision: 0,
    goal: { text: raw, normalized },
    oracle: decideOracle(normalized),
    status: 'planned',
    resumeTo: null,
    repo: { root: '/repo', baseRef: 'main', baseSha: 'a'.repeat(40) },
    options: {
      policy: 'local',
      mergePolicy: 'disabled',
      sliceExecution: 'worktree',
      untilReady: false,
      maxAgents: 2,
      agent: null,
      planner: { llm: true, tokenBudget: 8000 },
      allowGateEdits: false,
      allowWorkflowEdits: false,
    },
    budget: { timeMs: 3_600_000, tokens: null, usd: 2 },
    controller: null,
    ...overrides,
  };
}

function task(id: string, fields: Partial<Task> = {}): Task {
  return {
    id,
    title: `Title of ${id}`,
    description: '',
    ownerRole: 'implementer',
    dependsOn: [],
    reads: [],
    writes: ['.'],
    risk: 'medium',
    acceptance: [`Done when: ${id} is done`],
    budget: { timeMs: 1_800_000, tokens: null, usd: null },
    maxRetries: 2,
    status: 'pending',
    attempts: 0,
    ...fields,
  };
}

const GOAL = goalRecord('fix the failing tests and add a regression test');
const GRAPH: TaskGraph = {
  version: 1,
  goalId: GOAL.id,
  planner: { name: 'heuristic', version: '1' },
  tasks: [
    task('s1-fix-the-failing-tests', { title: 'Fix the failing tests', risk: 'high', maxRetries: 1 }),
    task('s2-add-a-regression-test', {
      title: 'Add a regression test',
      ownerRole: 'test-author',
      dependsOn: ['s1-fix-the-failing-tests'],
      writes: ['test'],
      reads: ['src/math.js'],
      budget: { timeMs: 90_000, tokens: 5000, usd: 0.25 },
      acceptance: ['Tests under test cover: add a regression test'],
    }),
    task('s3-update-docs', { writes: ['README.md'] }),
  ],
  rejected: [
    { taskId: 's4-bad', code: 'unsafe_path', reason: 'write path "../etc" | leaves the repository' },
  ],
};

describe('renderPrd', () => {
  it('states the goal, class, success criteria and non-goals', () => {
    const prd = renderPrd(GOAL);
    expect(prd.startsWith('# PRD: fix the failing tests and add a regression test\n')).toBe(true);
    expect(prd).toContain('| Class | fix |');
    expect(prd).toContain('| Oracle shape | `fail_to_pass` |');
    expect(prd).toContain('| Budget | 1h · no token limit · $2 |');
    expect(prd).toContain('> fix the failing tests and add a regression test');
    expect(prd).toContain('## Success criteria\n\n1. The failing behaviour (failing tests) is reproduced');
    expect(prd).toContain('## Required gates\n\n- `test`\n- `lint`\n- `typecheck`');
    expect(prd).toContain('- Not a goal: New features or refactors beyond what the fix needs');
    expect(prd).not.toContain('## Human decisions needed');
    expect(prd.endsWith('\n')).toBe(true);
    expect(prd).not.toMatch(/\n{3}/);
  });

  it('lists the human decisions when the goal is blocked', () => {
    const blocked = goalRecord('make it better', { status: 'blocked_on_human' });
    const prd = renderPrd(blocked);
    expect(prd).toContain('| Testable | no (blocked on human decisions) |');
    expect(prd).toContain('None yet: the goal is not testable until the human decisions below are made.');
    expect(prd).toMatch(/## Human decisions needed\n\n1\. What observable behaviour should change\?/);
    expect(prd).toContain("- only vague words ('make', 'better') and no concrete target");
  });

  it('escapes hostile goal text', () => {
    const prd = renderPrd(goalRecord('fix the parser | crash <!-- in src/parser.ts\nnow'));
    expect(prd).toContain('# PRD: fix the parser \\| crash &lt;!-- in src/parser.ts now');
    expect(prd).not.toContain('<!--');
  });
});

describe('renderTechnicalPlan', () => {
  const plan = renderTechnicalPlan(GOAL, GRAPH, ['s2 depends on s1: its tests | verify that change']);

  it('renders the slices table', () => {
    expect(plan).toContain(
      'Planner: `heuristic v1` · Goal: `g-20250101-fix-abc123` · 3 slice(s) accepted, 1 rejected',
    );
    expect(plan).toContain('| Slice | Title | Depends on | Writes | Reads | Risk | Retries | Budget |');
    expect(plan).toContain(
      '| `s1-fix-the-failing-tests` | Fix the failing tests | — | `.` | — | high | 1 | 30m |',
    );
    expect(plan).toContain(
      '| `s2-add-a-regression-test` | Add a regression test | `s1-fix-the-failing-tests` | `test` | `src/math.js` | medium | 2 | 1m30s · 5000 tokens · $0.25 |',
    );
  });

  it('renders waves, rejections and notes with escaped pipes', () => {
    expect(plan).toContain(
      '## Waves\n\n1. `s1-fix-the-failing-tests`, `s3-update-docs`\n2. `s2-add-a-regression-test`',
    );
    expect(plan).toContain('| `s4-bad` | `unsafe_path` | write path "../etc" \\| leaves the repository |');
    expect(plan).toContain('- s2 depends on s1: its tests \\| verify that change');
  });

  it('keeps every table row the same width', () => {
    const rows = plan.split('\n').filter((line) => line.startsWith('| `s'));
    for (const row of rows) {
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      expect([3, 8]).toContain(cells);
    }
  });

  it('says why there are no slices', () => {
    const blocked = goalRecord('make it better');
    const empty: TaskGraph = { ...GRAPH, tasks: [], rejected: [], planner: { name: 'none', version: '0' } };
    const rendered = renderTechnicalPlan(blocked, empty, []);
    expect(rendered).toContain('No slices: the goal is blocked on human decisions (see prd.md).');
    expect(rendered).toContain('## Rejected tasks\n\nNone.');
    expect(rendered).toContain('## Planner notes\n\nNone.');
  });

  it('escapes user text in titles', () => {
    const hostile: TaskGraph = {
      ...GRAPH,
      tasks: [task('s1-x', { title: 'a | b\nc', writes: ['src/a|b.ts'] })],
    };
    expect(renderTechnicalPlan(GOAL, hostile, [])).toContain('| `s1-x` | a \\| b c | — | `src/a\\|b.ts` |');
  });

  it('is deterministic', () => {
    expect(renderTechnicalPlan(GOAL, GRAPH, ['n'])).toBe(renderTechnicalPlan(GOAL, GRAPH, ['n']));
  });
});

describe('renderTestSpec', () => {
  it('describes the oracle, the gates and acceptance per slice', () => {
    const spec = renderTestSpec(GOAL, GRAPH);
    expect(spec).toContain('# Test spec: fix the failing tests and add a regression test');
    expect(spec).toContain('Class `fix`, shape `fail_to_pass`: a test that fails on the base commit passes');
    expect(spec).toContain('| `test` | The test suite passes on the head commit |');
    expect(spec).toContain('| `typecheck` | The type checker reports no errors |');
    expect(spec).toContain('### `s2-add-a-regression-test`: Add a regression test');
    expect(spec).toContain('Owner: test-author · Risk: medium · Writes: `test`');
    expect(spec).toContain('- Tests under test cover: add a regression test');
  });

  it('differs by class', () => {
    const perf = goalRecord('reduce p95 latency of /api/search to under 200ms');
    const spec = renderTestSpec(perf, { ...GRAPH, tasks: [] });
    expect(spec).toContain('shape `benchmark`');
    expect(spec).toContain(
      '| `benchmark` | The benchmark, measured on base and head, meets the stated target |',
    );
    expect(spec).toContain('The head commit meets the stated target: under 200ms');
    expect(spec).toContain('No slices.');
  });

  it('says when the goal is not testable', () => {
    expect(renderTestSpec(goalRecord('fix it'), { ...GRAPH, tasks: [] })).toContain('Not testable yet');
  });
});

describe('waves', () => {
  it('puts each task one wave after its latest dependency', () => {
    const tasks = [
      task('a'),
      task('b', { dependsOn: ['a'] }),
      task('c'),
      task('d', { dependsOn: ['b', 'c'] }),
      task('e', { dependsOn: ['missing'] }),
    ];
    expect(waves(tasks)).toEqual([['a', 'c', 'e'], ['b'], ['d']]);
  });
});
