import { describe, expect, it } from 'vitest';
import { type StartOptionField, startOptionsOf } from '../runtime/app/index.js';
import { type BotCommand, parseCommandLine } from './command.js';
import { usageBlock } from './usage.js';

const SUFFIX = 'abcdef012345';

function command(line: string): BotCommand {
  const outcome = parseCommandLine(line, SUFFIX);
  if (!outcome.ok) throw new Error(outcome.problem);
  return outcome.command;
}

function problem(line: string): { problem: string; topic: string | null } {
  const outcome = parseCommandLine(line, SUFFIX);
  if (outcome.ok) throw new Error(`parsed: ${JSON.stringify(outcome.command)}`);
  return { problem: outcome.problem, topic: outcome.topic };
}

/** A value of each start option the bot offers (a switch: none), and what the request then holds. */
const GIVEN: Partial<Record<StartOptionField, [string | null, Record<string, unknown>]>> = {
  policy: ['auto-pr', { policy: 'auto-pr' }],
  mergePolicy: ['gated', { mergePolicy: 'gated' }],
  maxAgents: ['8', { maxAgents: 8 }],
  budgetTime: ['2h', { budget: { time: 7_200_000 } }],
  budgetTokens: ['200k', { budget: { tokens: 200_000 } }],
  budgetUsd: ['25', { budget: { usd: 25 } }],
  untilReady: [null, { untilReady: true }],
  llmPlanner: [null, { llmPlanner: false }],
  plannerTokenBudget: ['2000', { plannerTokenBudget: 2000 }],
  allowGateEdits: [null, { allowGateEdits: true }],
  allowWorkflowEdits: [null, { allowWorkflowEdits: true }],
};

describe('the start options of /omk goal run', () => {
  const plain = command('/omk goal run "fix the parser"');

  for (const option of startOptionsOf('bot')) {
    it(`takes --${option.flag}: shown in the usage, read into the request, named as given`, () => {
      const example = GIVEN[option.field];
      expect(example, `an example value of ${option.field} for this test`).toBeDefined();
      if (example === undefined || plain.kind !== 'run') return;
      const [value, holds] = example;
      const shown = option.shown === undefined ? `[--${option.flag}]` : `[--${option.flag} ${option.shown}]`;
      expect(usageBlock('run')).toContain(shown);
      const run = command(
        `/omk goal run "fix the parser" --${option.flag}${value === null ? '' : ` ${value}`}`,
      );
      if (run.kind !== 'run') throw new Error('not run');
      expect(run.request).toMatchObject(holds);
      expect(plain.request).not.toMatchObject(holds);
      expect(run.given).toEqual(value === null ? [] : [option.field]);
    });
  }

  it('refuses the start options the bot does not offer, as any unknown option', () => {
    expect(problem('/omk goal run "x" --slice-execution sparse').problem).toMatch(
      /^Unknown option --slice-execution\./,
    );
    expect(problem('/omk goal run "x" --agent codex').problem).toMatch(/^Unknown option --agent\./);
  });
});

describe('parseCommandLine', () => {
  it('parses run into the shared create request, with the bot defaults', () => {
    const run = command('/omk goal run "fix the failing test" --merge-policy gated --max-agents 2');
    expect(run.kind).toBe('run');
    if (run.kind !== 'run') return;
    expect(run.request).toMatchObject({
      goal: 'fix the failing test',
      rawGoal: 'fix the failing test',
      policy: 'draft-pr',
      mergePolicy: 'gated',
      maxAgents: 2,
      untilReady: false,
      idSuffix: SUFFIX,
      budget: {},
    });
  });

  it('joins unquoted goal words and reads --flag=value, budgets and switches', () => {
    const run = command('/omk goal run fix the parser --policy=auto-pr --budget-time 1h30m --until-ready');
    if (run.kind !== 'run') throw new Error('not run');
    expect(run.request).toMatchObject({
      goal: 'fix the parser',
      policy: 'auto-pr',
      untilReady: true,
      budget: { time: 5_400_000 },
    });
  });

  it('reads the planner switches as the CLI does: the agent planner on, 8000 tokens, unless told', () => {
    const plain = command('/omk goal run "fix the parser"');
    if (plain.kind !== 'run') throw new Error('not run');
    expect(plain.request).toMatchObject({ llmPlanner: true, plannerTokenBudget: 8000 });
    const run = command('/omk goal run "fix the parser" --no-llm-planner --planner-token-budget 2000');
    if (run.kind !== 'run') throw new Error('not run');
    expect(run.request).toMatchObject({ llmPlanner: false, plannerTokenBudget: 2000 });
    expect(problem('/omk goal run "x" --planner-token-budget 0').problem).toContain('--planner-token-budget');
    expect(problem('/omk goal run "x" --no-llm-planner=yes').problem).toBe(
      '--no-llm-planner takes no value.',
    );
  });

  it('reads --allow-gate-edits as the switch that records the intent on the goal, off unless given', () => {
    const plain = command('/omk goal run "fix the parser"');
    if (plain.kind !== 'run') throw new Error('not run');
    expect(plain.request.allowGateEdits).toBe(false);
    const run = command('/omk goal run "move the tests to vitest" --allow-gate-edits');
    if (run.kind !== 'run') throw new Error('not run');
    expect(run.request).toMatchObject({ goal: 'move the tests to vitest', allowGateEdits: true });
  });

  it('reads --allow-workflow-edits as the switch that records the intent on the goal, off unless given', () => {
    const plain = command('/omk goal run "fix the parser"');
    if (plain.kind !== 'run') throw new Error('not run');
    expect(plain.request.allowWorkflowEdits).toBe(false);
    const run = command('/omk goal run "use Node 22 in CI" --allow-workflow-edits');
    if (run.kind !== 'run') throw new Error('not run');
    expect(run.request).toMatchObject({ goal: 'use Node 22 in CI', allowWorkflowEdits: true });
  });

  it('normalizes the goal text like every front door', () => {
    const run = command('/omk goal run "fix\u200b the   parser\u0007"');
    if (run.kind !== 'run') throw new Error('not run');
    expect(run.request.goal).toBe('fix the parser');
  });

  it('answers help for /omk, /omk help and /omk goal', () => {
    for (const line of ['/omk', '/omk help', '/omk goal', '/omk goal help']) {
      expect(command(line)).toEqual({ kind: 'help' });
    }
  });

  it('parses goal commands with an optional GOAL_ID', () => {
    expect(command('/omk goal status')).toEqual({ kind: 'status', goalRef: null });
    expect(command('/omk goal merge fix-it-abc123')).toEqual({ kind: 'merge', goalRef: 'fix-it-abc123' });
    expect(command('/omk goal proof latest')).toEqual({ kind: 'proof', goalRef: null });
    expect(command('/omk goal cancel --reason "not needed"')).toEqual({
      kind: 'cancel',
      goalRef: null,
      reason: 'not needed',
    });
    expect(command('/omk goal accept g-1 --summary "looks right"')).toEqual({
      kind: 'accept',
      goalRef: 'g-1',
      summary: 'looks right',
    });
    expect(command('/omk goal budget')).toEqual({ kind: 'budget', goalRef: null, add: null });
    expect(command('/omk goal budget --time 2h')).toMatchObject({ add: { time: 7_200_000 } });
  });

  it('refuses what the schemas refuse, naming the subcommand for usage', () => {
    expect(problem('/omk goal run "x" --policy yolo')).toMatchObject({ topic: 'run' });
    expect(problem('/omk goal run "x" --policy yolo').problem).toContain("'yolo' is not one of");
    expect(problem('/omk goal run "x" --max-agents 0').problem).toContain('--max-agents');
    expect(problem('/omk goal run "x" --budget-time soon').problem).toContain('--budget-time');
    expect(problem('/omk goal accept').problem).toContain('--summary is required');
    expect(problem('/omk goal reject --reason ""').problem).toContain('--reason is required');
    expect(problem('/omk goal run').problem).toContain('goal is missing');
    expect(problem(`/omk goal run "${'a'.repeat(9000)}"`).problem).toContain('the limit is 8000');
    expect(problem('/omk goal run "   "').problem).toBe(
      'The goal is empty. Example: /omk goal run "fix the failing tests"',
    );
    expect(problem('/omk goal accept').problem).toContain('Example: /omk goal accept --summary');
  });

  it('refuses --policy local, unknown options and extra words', () => {
    expect(problem('/omk goal run "x" --policy local').problem).toContain('keeps no machine');
    expect(problem('/omk goal run "x" --agent claude').problem).toContain('Unknown option --agent');
    expect(problem('/omk goal status a b').problem).toContain('at most one GOAL_ID');
    expect(problem('/omk goal status ../etc').problem).toContain('is not a goal id');
    expect(problem('/omk goal run "x" --policy').problem).toContain('needs a value');
    expect(problem('/omk goal run "x" --until-ready=yes').problem).toContain('takes no value');
    expect(problem('/omk goal run "x" --policy a --policy b').problem).toContain('twice');
  });

  it('refuses unknown commands and broken quoting without throwing', () => {
    expect(problem('/omk deploy')).toEqual({ problem: "Unknown command 'deploy'.", topic: null });
    expect(problem('/omk goal explode')).toMatchObject({ topic: null });
    expect(problem('/omk goal run "unclosed').problem).toContain('never closed');
  });

  it('refuses workflow commands in goals', () => {
    expect(problem('/omk goal run "::set-output name=x::y"').problem).toContain('::set-output');
  });
});
