import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../runtime/app/index.js';
import { REQUEST_FIELDS } from '../runtime/request-issues.js';
import { inputDefaults } from './action-yml.js';
import { type ActionInputs, actionInputsSchema, type InputName, readInputs } from './inputs.js';
import { expression, FIELDS_WITHOUT_INPUT, inputOf } from './wording.js';

const TOKEN = 'ghs_unit';

/** getInput as the runner serves it: '' for an input that is not set. */
function read(inputs: Partial<Record<InputName, string>>): ActionInputs {
  const all: Partial<Record<InputName, string>> = { 'github-token': TOKEN, ...inputs };
  return readInputs((name) => all[name] ?? '');
}

function errorOf(inputs: Partial<Record<InputName, string>>): string {
  try {
    read(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('expected the inputs to be refused');
}

describe('readInputs', () => {
  it('applies the defaults of action.yml to inputs left empty', () => {
    const inputs = read({ goal: '  fix the failing tests  ' });
    expect(inputs).toMatchObject({
      command: 'run',
      goal: { text: 'fix the failing tests', raw: '  fix the failing tests  ' },
      goalId: undefined,
      policy: 'draft-pr',
      mergePolicy: 'disabled',
      mergeMethod: 'merge',
      maxAgents: 4,
      untilReady: true,
      allowGateEdits: false,
      allowWorkflowEdits: false,
      llmPlanner: true,
      plannerTokenBudget: 8000,
      budgetTime: undefined,
      budgetTokens: undefined,
      budgetUsd: undefined,
      stateBranch: 'omk/state',
      dryRun: false,
      failOnNotReady: true,
      workingDirectory: '.',
      githubToken: TOKEN,
      allowForkExecution: false,
      agentArgs: [],
      proofCheckAppId: 15368,
    });
  });

  it('reads proof-check-app-id as a GitHub App id, and refuses what is not one', () => {
    expect(read({ goal: 'x', 'proof-check-app-id': ' 123456 ' }).proofCheckAppId).toBe(123456);
    for (const bad of ['abc', '0', '-5', '1.5']) {
      expect(errorOf({ goal: 'x', 'proof-check-app-id': bad })).toContain(
        `proof-check-app-id: '${bad}' is not a GitHub App id (the number on the app's settings page). Example: proof-check-app-id: 15368`,
      );
    }
  });

  it('parses every value through the shared request parsers', () => {
    const inputs = read({
      command: 'plan',
      goal: 'fix it',
      policy: 'auto-pr',
      'merge-policy': 'gated',
      'merge-method': 'squash',
      'max-agents': '8',
      'llm-planner': 'false',
      'planner-token-budget': '2000',
      'budget-time': '1h30m',
      'budget-tokens': '200k',
      'budget-usd': '$7.50',
      'dry-run': 'True',
      'fail-on-not-ready': 'FALSE',
      'agent-args': '--model sonnet  --verbose',
    });
    expect(inputs).toMatchObject({
      command: 'plan',
      policy: 'auto-pr',
      mergePolicy: 'gated',
      mergeMethod: 'squash',
      maxAgents: 8,
      llmPlanner: false,
      plannerTokenBudget: 2000,
      budgetTime: 5_400_000,
      budgetTokens: 200_000,
      budgetUsd: 7.5,
      dryRun: true,
      failOnNotReady: false,
      agentArgs: ['--model', 'sonnet', '--verbose'],
    });
  });

  it('reads allow-workflow-edits as a boolean, false by default', () => {
    expect(read({ goal: 'x' }).allowWorkflowEdits).toBe(false);
    expect(read({ goal: 'x', 'allow-workflow-edits': 'true' }).allowWorkflowEdits).toBe(true);
  });

  it('reads allow-gate-edits as a boolean, false by default', () => {
    expect(read({ goal: 'x' }).allowGateEdits).toBe(false);
    expect(read({ goal: 'x', 'allow-gate-edits': 'true' }).allowGateEdits).toBe(true);
  });

  it('reads until-ready as a boolean: true by default and given spaces alone, false for a single pass', () => {
    expect(read({ goal: 'x' }).untilReady).toBe(true);
    expect(read({ goal: 'x', 'until-ready': '   ' }).untilReady).toBe(true);
    expect(read({ goal: 'x', 'until-ready': 'false' }).untilReady).toBe(false);
    expect(read({ command: 'plan', goal: 'x', 'until-ready': ' FALSE ' }).untilReady).toBe(false);
    expect(read({ goal: 'x', 'until-ready': 'True' }).untilReady).toBe(true);
    for (const bad of ['maybe', '1', 'no']) {
      expect(errorOf({ goal: 'x', 'until-ready': bad })).toContain(
        `until-ready: '${bad}' is not a boolean: use true or false. Example: until-ready: false`,
      );
    }
    expect(errorOf({ goal: 'x', 'until-ready': '\t\n' })).toContain("until-ready: '\\t\\n' is not a boolean");
  });

  it("reads sandbox-network as open, none or allow, empty as the config's, and refuses anything else by name", () => {
    expect(read({ goal: 'x', 'sandbox-network': ' none ' }).sandboxNetwork).toBe('none');
    expect(read({ goal: 'x', 'sandbox-network': 'open' }).sandboxNetwork).toBe('open');
    expect(read({ goal: 'x' }).sandboxNetwork).toBeUndefined();
    expect(errorOf({ goal: 'x', 'sandbox-network': 'closed' })).toContain(
      "sandbox-network: 'closed' is not one of open, none, allow. Example: sandbox-network: none",
    );
  });

  it("reads workspace-setup as one command per line, blank lines ignored, empty as the config's", () => {
    const setup = 'npm ci\n\n  ["node", "scripts/make fixtures.js"]  \r\nnpm run build\n';
    expect(read({ goal: 'x', 'workspace-setup': setup }).workspaceSetup).toEqual([
      ['npm', 'ci'],
      ['node', 'scripts/make fixtures.js'],
      ['npm', 'run', 'build'],
    ]);
    expect(read({ goal: 'x' }).workspaceSetup).toBeUndefined();
    expect(read({ goal: 'x', 'workspace-setup': ' \n\n ' }).workspaceSetup).toBeUndefined();
  });

  it('refuses a workspace-setup the config key would refuse, naming the input and the line', () => {
    const quoted = errorOf({ goal: 'x', 'workspace-setup': 'npm ci\nnode -e "1"' });
    expect(quoted).toContain('workspace-setup: line 2 \'node -e "1"\' has quotes or backslashes');
    expect(quoted).toContain('Example: workspace-setup: |');
    expect(errorOf({ goal: 'x', 'workspace-setup': '["npm", ""]' })).toContain(
      'workspace-setup: line 1, argument 2: an argument may not be empty.',
    );
    expect(errorOf({ goal: 'x', 'workspace-setup': '[]' })).toContain(
      'workspace-setup: line 1: must name a command, e.g. ["npm", "test"].',
    );
    expect(errorOf({ goal: 'x', 'workspace-setup': '["npm", 1]' })).toContain(
      'workspace-setup: line 1 \'["npm", 1]\' must be a JSON array of strings.',
    );
    const many = Array.from({ length: 17 }, (_, i) => `echo ${i}`).join('\n');
    expect(errorOf({ goal: 'x', 'workspace-setup': many })).toMatch(/workspace-setup: .*16/);
  });

  it('reads agent-args as a JSON array when an argument holds spaces', () => {
    expect(read({ goal: 'x', 'agent-args': '["--prompt", "be brief"]' }).agentArgs).toEqual([
      '--prompt',
      'be brief',
    ]);
  });

  it.each([
    [{ command: 'deploy', goal: 'x' }, "command: 'deploy' is not one of run, plan", 'Example: command: run'],
    [
      { goal: 'x', 'max-agents': '0' },
      "max-agents: '0' must be a whole number from 1 to 64",
      'Example: max-agents: 4',
    ],
    [
      { goal: 'x', 'planner-token-budget': '0' },
      "planner-token-budget: '0' must be a whole number from 1 to 1000000",
      'Example: planner-token-budget: 8000',
    ],
    [{ goal: 'x', 'max-agents': '65' }, "max-agents: '65' must be a whole number", 'Example: max-agents: 4'],
    [{ goal: 'x', 'budget-time': '5x' }, "budget-time: '5x' is not a duration", 'budget-time: 30m'],
    [
      { goal: 'x', 'budget-tokens': 'lots' },
      "budget-tokens: 'lots' is not a token count",
      'budget-tokens: 200k',
    ],
    [{ goal: 'x', 'budget-usd': '-1' }, "budget-usd: '-1' is not a positive amount", 'budget-usd: 25'],
    [
      { goal: 'x', policy: 'yolo' },
      "policy: 'yolo' is not one of local, draft-pr, auto-pr",
      'Example: policy: draft-pr',
    ],
    [
      { goal: 'x', 'merge-policy': 'always' },
      "merge-policy: 'always' is not one of",
      'Example: merge-policy: gated',
    ],
    [
      { goal: 'x', 'merge-method': 'ff' },
      "merge-method: 'ff' is not one of merge, squash, rebase",
      'Example: merge-method: squash',
    ],
    [{ command: 'run' }, 'goal: required when command is run', 'Example: goal: fix the failing test'],
    [{ command: 'plan', goal: '   ' }, 'goal: required when command is plan', 'Example: goal: '],
    [{ goal: '\u200b' }, 'goal: The goal is empty.', 'Example: goal: fix the failing tests'],
    [{ goal: 'x'.repeat(8_001) }, 'goal: The goal is 8001 characters; the limit is 8000.', 'goal: '],
    [{ command: 'status' }, 'goal-id: required when command is status', 'Example: goal-id: ${{'],
    [
      { command: 'status', 'goal-id': 'Not An Id' },
      "goal-id: 'Not An Id' is not a goal id",
      'Example: goal-id:',
    ],
    [{ goal: 'x', 'goal-id': 'g-123456' }, 'goal-id: run creates a new goal', 'Example: command: execute'],
    [
      { command: 'status', 'goal-id': 'g-123456', slice: 'S_1' },
      "slice: 'S_1' is not a slice id",
      'Example: slice:',
    ],
    [
      { command: 'merge', 'goal-id': 'g-123456', slice: 's1' },
      'slice: only execute, verify',
      'Example: command: execute',
    ],
    [
      { command: 'merge', 'goal-id': 'g-123456', 'dry-run': 'true' },
      'dry-run: merge has no dry run',
      'Example: dry-run: false',
    ],
    [{ goal: 'x', 'dry-run': 'yes' }, "dry-run: 'yes' is not a boolean", 'Example: dry-run: true'],
    [
      { goal: 'x', 'fail-on-not-ready': '1' },
      "fail-on-not-ready: '1' is not a boolean",
      'Example: fail-on-not-ready: true',
    ],
    [
      { goal: 'x', 'state-branch': '-x' },
      "state-branch: '-x' is not a branch name",
      'Example: state-branch: omk/state',
    ],
    [
      { goal: 'x', 'base-branch': 'a..b' },
      "base-branch: 'a..b' is not a branch name",
      'Example: base-branch: main',
    ],
    [
      { goal: 'x', 'agent-args': '--say "two words"' },
      `agent-args: '--say "two words"' has quotes or backslashes, which are not interpreted`,
      'Example: agent-args:',
    ],
    [
      { goal: 'x', 'agent-args': '[1, 2]' },
      "agent-args: '[1, 2]' must be a JSON array of strings",
      'Example: agent-args:',
    ],
    [
      { goal: 'x', 'github-token': ' ' },
      'github-token: is empty',
      `Example: github-token: ${expression('github.token')}`,
    ],
  ] as [Partial<Record<InputName, string>>, string, string][])(
    'refuses %j naming the input with an example',
    (inputs, message, example) => {
      const error = errorOf(inputs);
      expect(error).toContain(message);
      expect(error).toContain(example);
    },
  );

  it.each([
    ['main', 'not under omk/'],
    ['main\n', 'control character'],
    ['main\r', 'control character'],
    ['omk/state\n::add-mask::x', 'control character'],
    ['HEAD', "git's special refs"],
    ['FETCH_HEAD', "git's special refs"],
    ['ORIG_HEAD', "git's special refs"],
    ['refs/heads/main', 'full ref'],
    ['refs/remotes/origin/main', 'full ref'],
    ['refs/heads/omk/state', 'full ref'],
    ['omk/', 'git does not allow it'],
    ['omkstate', 'not under omk/'],
    ['omk/state/', 'git does not allow it'],
    ['omk/../main', 'git does not allow it'],
    ['omk/state.lock', 'git does not allow it'],
    ['omk/a@{1}', 'git does not allow it'],
    ['omk/fix-the-tests-3fa9c1/integration', "a goal's own branch"],
  ])('refuses state-branch %j: %s', (value, why) => {
    const error = errorOf({ goal: 'x', 'state-branch': value });
    expect(error).toContain('state-branch: ');
    expect(error).toContain(why);
    expect(error).toContain('Example: state-branch: omk/state');
    // The value is shown on one line: nothing in it can start a workflow command.
    expect(error.split('\n').some((line) => line.startsWith('::'))).toBe(false);
  });

  it('accepts a state branch under omk/, with spaces around it', () => {
    expect(read({ goal: 'x', 'state-branch': ' omk/state-v2 ' }).stateBranch).toBe('omk/state-v2');
    expect(read({ goal: 'x', 'state-branch': 'omk/shared_state' }).stateBranch).toBe('omk/shared_state');
  });

  it('refuses a state branch that is also the base branch', () => {
    const error = errorOf({ goal: 'x', 'state-branch': 'omk/state', 'base-branch': 'omk/state' });
    expect(error).toContain("state-branch: 'omk/state' is also the base-branch");
    expect(error).toContain('Example: state-branch: omk/state');
  });

  it.each(['main\n', 'HEAD', 'refs/heads/main'])('refuses base-branch %j', (value) => {
    expect(errorOf({ goal: 'x', 'base-branch': value })).toContain('base-branch: ');
  });

  it('reads goal-key for run and plan, trimmed; empty is none', () => {
    expect(read({ goal: 'x', 'goal-key': ' 1 ' }).goalKey).toBe('1');
    expect(read({ command: 'plan', goal: 'x', 'goal-key': 'node 20 / ubuntü' }).goalKey).toBe(
      'node 20 / ubuntü',
    );
    expect(read({ goal: 'x', 'goal-key': '   ' }).goalKey).toBeUndefined();
    expect(read({ goal: 'x' }).goalKey).toBeUndefined();
  });

  it('refuses a goal-key on a command that creates no goal, and one with control characters or too long', () => {
    expect(errorOf({ command: 'status', 'goal-id': 'fix-it-3fa9c1', 'goal-key': '1' })).toContain(
      'goal-key: only run and plan take a goal-key',
    );
    for (const [value, why] of [
      ['a\nb', 'control, format or zero-width character'],
      ['a\u200bb', 'control, format or zero-width character'],
      ['a\u202eb', 'control, format or zero-width character'],
      ['k'.repeat(101), 'longer than 100 characters'],
    ] as const) {
      const error = errorOf({ goal: 'x', 'goal-key': value });
      expect(error).toContain('goal-key: ');
      expect(error).toContain(why);
      expect(error).toContain(`Example: goal-key: ${expression('strategy.job-index')}`);
      // The value is shown escaped: no raw control, bidi or zero-width character in the message.
      expect(error).not.toMatch(/[\u200b\u202e]|a\nb/);
    }
    expect(read({ goal: 'x', 'goal-key': 'k'.repeat(100) }).goalKey).toHaveLength(100);
  });

  it('lists every bad input at once, each under its name', () => {
    const error = errorOf({ command: 'deploy', 'max-agents': '0', 'budget-time': '5x' });
    expect(error).toMatch(/^3 inputs are invalid:\n/);
    expect(error).toContain('→ at command');
    expect(error).toContain('→ at ["max-agents"]');
    expect(error).toContain('→ at ["budget-time"]');
  });

  it("is docs/action.md's example of invalid inputs, word for word", async () => {
    const error = errorOf({ command: 'deploy', 'max-agents': '0', 'budget-time': '5x' });
    const docs = await readFile(new URL('../../docs/action.md', import.meta.url), 'utf8');
    expect(docs).toContain(`\`\`\`text\nError: ${error}\n\`\`\``);
  });

  it('never echoes the token in an error', () => {
    expect(errorOf({ 'github-token': TOKEN, command: 'nope' })).not.toContain(TOKEN);
  });

  it("takes action.yml's fixed defaults from action.yml itself, not github-token's expression", () => {
    expect(inputDefaults()).toEqual({
      command: 'run',
      policy: 'draft-pr',
      'merge-policy': 'disabled',
      'merge-method': 'merge',
      'max-agents': '4',
      'until-ready': 'true',
      'allow-gate-edits': 'false',
      'allow-workflow-edits': 'false',
      'llm-planner': 'true',
      'planner-token-budget': '8000',
      'state-branch': 'omk/state',
      'dry-run': 'false',
      'fail-on-not-ready': 'true',
      'working-directory': '.',
      'proof-check-app-id': '15368',
      'allow-fork-execution': 'false',
    });
  });

  it('reads an input of spaces alone as not given, as the runner trims them', () => {
    const inputs = read({ goal: 'x', 'state-branch': '   ', 'base-branch': ' ', 'config-path': '  ' });
    expect(inputs.stateBranch).toBe('omk/state');
    expect(inputs.baseBranch).toBeUndefined();
    expect(inputs.configPath).toBeUndefined();
  });

  // The runner passes base-branch, state-branch and config-path untrimmed (core.ts): a newline
  // there is a bad value, refused by name, never a silent default (goal state on omk/state).
  it.each([
    [
      'state-branch',
      '\n',
      "state-branch: '\\n' is not a branch name omk can use: it contains a control character",
    ],
    [
      'state-branch',
      '\t\n',
      "state-branch: '\\t\\n' is not a branch name omk can use: it contains a control character",
    ],
    [
      'base-branch',
      '\n',
      "base-branch: '\\n' is not a branch name omk can use: it contains a control character",
    ],
    ['config-path', '\r\n', "config-path: '\\r\\n' is not a config file omk can read: it contains a control"],
    ['dry-run', '\n', "dry-run: '\\n' is not a boolean"],
  ] as const)('refuses %s made of a line break alone (%j) by name', (input, value, message) => {
    const error = errorOf({ goal: 'x', [input]: value });
    expect(error).toMatch(/^An input is invalid:\n/);
    expect(error).toContain(message);
  });

  it('names each field by an input of action.yml: its kebab-case name, or none for the fields no input sets', () => {
    const inputs = Object.keys(actionInputsSchema.shape);
    const workflowFields = [
      'goal',
      'goalId',
      'goalKey',
      'slice',
      'stateBranch',
      'dryRun',
      'summary',
    ] as const;
    for (const field of [...REQUEST_FIELDS, ...workflowFields]) {
      if (FIELDS_WITHOUT_INPUT.includes(field)) expect(inputs).not.toContain(inputOf(field));
      else expect(inputs).toContain(inputOf(field));
    }
    expect(inputOf('plannerTokenBudget')).toBe('planner-token-budget');
  });
});
