import type { GoalClass, GoalRecord, Oracle } from '../goal/schema.js';
import type { Task, TaskGraph } from '../graph/schema.js';
import { code, text } from '../markdown/untrusted.js';
import { formatDuration } from '../text/duration.js';
import { codeList, document, table } from './markdown.js';

// prd.md, technical-plan.md and test-spec.md: pure functions of the goal and its graph, so a
// dry run prints exactly what a real run writes.

type Shape = NonNullable<Oracle['shape']>;

const SHAPE_MEANING: Record<Shape, string> = {
  fail_to_pass: 'a test that fails on the base commit passes on the head commit, and no passing test breaks',
  spec_acceptance:
    'new acceptance tests for each stated behaviour fail or are absent on the base commit and pass on the head commit',
  pass_to_pass:
    'the existing suite passes before and after, unchanged; behaviour and public interface are preserved',
  adversarial: 'hostile-input tests pass on the head commit and a security review has no blocking findings',
  benchmark:
    'a benchmark run on the base and head commits shows the stated target is met; tests stay pass-to-pass',
};

const GATE_MEANING: Record<string, string> = {
  test: 'The test suite passes on the head commit',
  lint: 'The linter reports no errors',
  typecheck: 'The type checker reports no errors',
  format: 'The formatter reports no changes',
  'security-review':
    'A review of the diff (secrets, workflow edits, new dependencies, binaries) has no blocking finding',
  benchmark: 'The benchmark, measured on base and head, meets the stated target',
};

const NON_GOALS: Record<GoalClass, readonly string[]> = {
  fix: ['New features or refactors beyond what the fix needs', 'Changing behaviour the goal does not name'],
  greenfield: ['Changing existing behaviour beyond what the new feature needs', 'Rewriting unrelated code'],
  rewrite: [
    'New behaviour: outputs and the public interface stay the same',
    'Weakening or deleting tests to make the rewrite pass',
  ],
  hardening: [
    'Feature work outside the attack surface the goal names',
    'Rejecting input that is legitimate today',
  ],
  performance: [
    'Changing outputs or behaviour to gain speed',
    'Claiming the target from an estimate instead of a measurement',
  ],
};

function title(goal: GoalRecord): string {
  const normalized = goal.goal.normalized;
  return text(normalized.length > 80 ? `${normalized.slice(0, 79)}…` : normalized);
}

function numbered(items: readonly string[]): string[] {
  return items.map((item, i) => `${i + 1}. ${text(item)}`);
}

function budgetCell(budget: Task['budget']): string {
  const parts = [formatDuration(budget.timeMs)];
  if (budget.tokens !== null) parts.push(`${budget.tokens} tokens`);
  if (budget.usd !== null) parts.push(`$${budget.usd}`);
  return parts.join(' · ');
}

function goalBudget(goal: GoalRecord): string {
  const { timeMs, tokens, usd } = goal.budget;
  const parts = [
    timeMs === null ? 'no time limit' : formatDuration(timeMs),
    tokens === null ? 'no token limit' : `${tokens} tokens`,
    usd === null ? 'no cost limit' : `$${usd}`,
  ];
  return parts.join(' · ');
}

export function renderPrd(goal: GoalRecord): string {
  const { oracle } = goal;
  const lines = [
    `# PRD: ${title(goal)}`,
    '',
    ...table(
      ['Field', 'Value'],
      [
        ['Goal', code(goal.id, true)],
        ['Status', text(goal.status)],
        ['Testable', oracle.testable ? 'yes' : 'no (blocked on human decisions)'],
        ['Class', oracle.class ?? '—'],
        ['Oracle shape', oracle.shape === null ? '—' : code(oracle.shape, true)],
        [
          'Base',
          goal.repo.baseSha === null
            ? '—'
            : code(`${goal.repo.baseRef ?? 'HEAD'} @ ${goal.repo.baseSha}`, true),
        ],
        ['Budget', goalBudget(goal)],
      ],
    ),
    '',
    '## Goal',
    '',
    `> ${text(goal.goal.normalized)}`,
    '',
    '## Success criteria',
    '',
    ...(oracle.checks.length > 0
      ? numbered(oracle.checks)
      : ['None yet: the goal is not testable until the human decisions below are made.']),
    '',
    '## Required gates',
    '',
    ...(oracle.requiredGates.length > 0
      ? oracle.requiredGates.map((gate) => `- ${code(gate)}`)
      : ['None yet.']),
    ...absentLines(oracle),
    '',
    '## Non-goals and assumptions',
    '',
    ...(oracle.class === null ? [] : NON_GOALS[oracle.class].map((line) => `- Not a goal: ${line}`)),
    '- Protected paths (workflows, secrets, code owners) are not changed unless the plan names them',
    `- The work fits the goal budget: ${goalBudget(goal)}`,
    '- The base commit is the reference for every before/after comparison',
  ];
  if (!oracle.testable) {
    lines.push('', '## Human decisions needed', '', ...numbered(oracle.humanDecisions));
  }
  lines.push(
    '',
    '## Why the oracle decided this',
    '',
    ...oracle.reasons.map((reason) => `- ${text(reason)}`),
  );
  return document(lines);
}

/** Waves of the graph: a task runs in the wave after its latest dependency. */
export function waves(tasks: readonly Task[]): string[][] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (task: Task): number => {
    const known = level.get(task.id);
    if (known !== undefined) return known;
    // A validated graph has no cycles; the guard keeps a hand-made one from recursing forever.
    if (visiting.has(task.id)) return 0;
    visiting.add(task.id);
    const deps = task.dependsOn.flatMap((id) => {
      const dep = byId.get(id);
      return dep === undefined ? [] : [levelOf(dep) + 1];
    });
    const value = Math.max(0, ...deps);
    level.set(task.id, value);
    return value;
  };
  const out: string[][] = [];
  for (const task of tasks) {
    const index = levelOf(task);
    while (out.length <= index) out.push([]);
    out[index]?.push(task.id);
  }
  return out;
}

export function renderTechnicalPlan(goal: GoalRecord, graph: TaskGraph, notes: readonly string[]): string {
  const lines = [
    `# Technical plan: ${title(goal)}`,
    '',
    `Planner: ${code(`${graph.planner.name} v${graph.planner.version}`)} · Goal: ${code(goal.id)} · ` +
      `${graph.tasks.length} slice(s) accepted, ${graph.rejected.length} rejected`,
    '',
    '## Slices',
    '',
  ];
  if (graph.tasks.length === 0) {
    lines.push(
      goal.oracle.testable
        ? 'No slices were accepted.'
        : 'No slices: the goal is blocked on human decisions (see prd.md).',
    );
  } else {
    lines.push(
      ...table(
        ['Slice', 'Title', 'Depends on', 'Writes', 'Reads', 'Risk', 'Retries', 'Budget'],
        graph.tasks.map((task) => [
          code(task.id, true),
          text(task.title),
          codeList(task.dependsOn, true),
          codeList(task.writes, true),
          codeList(task.reads, true),
          task.risk,
          String(task.maxRetries),
          budgetCell(task.budget),
        ]),
      ),
      '',
      '## Waves',
      '',
      ...waves(graph.tasks).map((wave, i) => `${i + 1}. ${codeList(wave)}`),
    );
  }
  lines.push('', '## Rejected tasks', '');
  if (graph.rejected.length === 0) lines.push('None.');
  else {
    lines.push(
      ...table(
        ['Task', 'Code', 'Reason'],
        graph.rejected.map((rejection) => [
          code(rejection.taskId, true),
          code(rejection.code, true),
          text(rejection.reason),
        ]),
      ),
    );
  }
  lines.push(
    '',
    '## Planner notes',
    '',
    ...(notes.length === 0 ? ['None.'] : notes.map((note) => `- ${text(note)}`)),
  );
  return document(lines);
}

/** The kinds the goal's class asks for that the project has no gate of, said once under its gates. */
function absentLines(oracle: GoalRecord['oracle']): string[] {
  const absent = oracle.absentGates ?? [];
  if (absent.length === 0) return [];
  return [
    '',
    `Absent, so not required: ${absent.map((kind) => code(kind)).join(', ')} (this project has no such gate; configure one in .omk/config.yml to check it).`,
  ];
}

export function renderTestSpec(goal: GoalRecord, graph: TaskGraph): string {
  const { oracle } = goal;
  const lines = [`# Test spec: ${title(goal)}`, '', '## Oracle', ''];
  if (oracle.shape === null) {
    lines.push('Not testable yet: the goal is blocked on human decisions (see prd.md).');
  } else {
    lines.push(
      `Class ${code(oracle.class ?? 'none')}, shape ${code(oracle.shape)}: ${SHAPE_MEANING[oracle.shape]}.`,
    );
  }
  lines.push('', '## Required gates', '');
  if (oracle.requiredGates.length === 0) lines.push('None yet.');
  else {
    lines.push(
      ...table(
        ['Gate', 'What it proves'],
        oracle.requiredGates.map((gate) => [
          code(gate, true),
          text(GATE_MEANING[gate] ?? 'A configured gate passes'),
        ]),
      ),
    );
  }
  lines.push(...absentLines(oracle));
  lines.push(
    '',
    '## Success checks',
    '',
    ...(oracle.checks.length === 0 ? ['None yet.'] : numbered(oracle.checks)),
  );
  lines.push('', '## Acceptance per slice');
  if (graph.tasks.length === 0) lines.push('', 'No slices.');
  for (const task of graph.tasks) {
    lines.push(
      '',
      `### ${code(task.id)}: ${text(task.title)}`,
      '',
      `Owner: ${text(task.ownerRole)} · Risk: ${task.risk} · Writes: ${codeList(task.writes)}`,
      '',
      ...(task.acceptance.length === 0
        ? ['- No acceptance criteria given.']
        : task.acceptance.map((line) => `- ${text(line)}`)),
    );
  }
  return document(lines);
}
