import { z } from 'zod';
import {
  appIdNamed,
  blank,
  booleanNamed,
  judged,
  matching,
  oneOf,
  optional,
} from '../adapters/settings/named-strings.js';
import {
  branchNameProblem,
  budgetInputSchema,
  configPathProblem,
  createGoalRequestSchema,
  DEFAULT_STATE_BRANCH,
  GOAL_ID_PATTERN,
  goalKeyProblem,
  goalTextSchema,
  mergeMethodSchema,
  requestIssueOf,
  SANDBOX_NETWORKS,
  SLICE_ID_PATTERN,
  sandboxModeSchema,
  stateBranchProblem,
  UsageError,
  WORKFLOW_STEP_NAMES,
  type WorkflowStep,
  workflowInputIssues,
} from '../runtime/app/index.js';
import { inputDefaults } from './action-yml.js';
import { agentArgsSchema } from './agent-args.js';
import {
  expression,
  GOAL_ID_EXAMPLE,
  GOAL_KEY_EXAMPLE,
  inputMessage,
  inputOf,
  SLICE_EXAMPLE,
  wordInputIssue,
  wordIssue,
} from './wording.js';
import { workspaceSetupInputSchema } from './workspace-setup.js';

/** The command input: a workflow step, whose traits (`workflowStepHas`) are the runtime's. */
export type ActionCommand = WorkflowStep;

const request = createGoalRequestSchema.shape;
const budget = budgetInputSchema().shape;

const branch = (input: string, problemOf: (name: string) => string | null, example: string) =>
  judged(input, problemOf, 'a branch name omk can use', example);
/** An input set on its own line of `with:`: the example is that line. */
const boolean = (input: string) => booleanNamed(input, `${input}: true`);

/**
 * One schema for every input in action.yml, keyed by the input's name. The start options the Action
 * offers (the runtime's catalogue, app/start-options.ts) are inputs named as their fields in kebab
 * case (`llm-planner`, `budget-time`): step.ts picks them by field, and does not compile without one;
 * test/action/metadata.test.ts holds action.yml to the catalogue.
 */
export const actionInputsSchema = z
  .object({
    goal: optional(goalTextSchema),
    command: oneOf('command', WORKFLOW_STEP_NAMES, 'command: run'),
    'goal-id': optional(
      matching('goal-id', GOAL_ID_PATTERN, 'a goal id (like fix-the-failing-tests-3fa9c1)', GOAL_ID_EXAMPLE),
    ),
    slice: optional(matching('slice', SLICE_ID_PATTERN, 'a slice id', SLICE_EXAMPLE)),
    'goal-key': optional(judged('goal-key', goalKeyProblem, 'a goal key', GOAL_KEY_EXAMPLE)),
    policy: request.policy,
    'merge-policy': request.mergePolicy,
    'merge-method': mergeMethodSchema,
    agent: optional(z.string().trim()),
    'agent-args': agentArgsSchema,
    'config-path': optional(
      judged('config-path', configPathProblem, 'a config file omk can read', 'config-path: .github/omk.yml'),
    ),
    // This run's sandbox and the confined network of agents and gates; undefined: the config's.
    sandbox: optional(sandboxModeSchema),
    'sandbox-network': optional(oneOf('sandbox-network', SANDBOX_NETWORKS, 'sandbox-network: none')),
    // This run's `workspace.setup` (one argv per command); undefined: the config's.
    'workspace-setup': workspaceSetupInputSchema,
    'max-agents': request.maxAgents,
    // Retries, repair and reruns until the proof is ready (true), or one pass (false); set on the
    // goal. Its default is true: the example is the value that changes something.
    'until-ready': booleanNamed('until-ready', 'until-ready: false'),
    // The goal means to change what its gates run (set when the goal is created, before any agent).
    'allow-gate-edits': boolean('allow-gate-edits'),
    // The goal means to change its CI workflows (set when the goal is created, before any agent).
    'allow-workflow-edits': boolean('allow-workflow-edits'),
    'llm-planner': boolean('llm-planner'),
    'planner-token-budget': request.plannerTokenBudget,
    'budget-time': optional(budget.time),
    'budget-tokens': optional(budget.tokens),
    'budget-usd': optional(budget.usd),
    'base-branch': optional(branch('base-branch', branchNameProblem, 'base-branch: main')),
    'state-branch': branch('state-branch', stateBranchProblem, `state-branch: ${DEFAULT_STATE_BRANCH}`),
    'dry-run': boolean('dry-run'),
    'fail-on-not-ready': boolean('fail-on-not-ready'),
    'working-directory': z.string().trim().min(1),
    'github-token': z
      .string()
      .trim()
      .min(1, {
        error: `github-token: is empty. omk needs a token that can write contents, pull requests and checks. Example: github-token: ${expression('github.token')}`,
      }),
    // Pushes and PRs with this token start workflows (GITHUB_TOKEN's start none); undefined: github-token.
    'ci-token': optional(z.string().trim()),
    // The GitHub App omk's omk/proof check runs are created as (15368: GitHub Actions); a merge checks it.
    'proof-check-app-id': appIdNamed('proof-check-app-id', 'proof-check-app-id: 15368'),
    'allow-fork-execution': boolean('allow-fork-execution'),
    // accept: what the person checked, recorded with their acceptance.
    summary: optional(z.string().trim().max(8_000, { error: 'summary: at most 8,000 characters.' })),
  })
  .superRefine((inputs, ctx) => {
    const issues = workflowInputIssues({
      step: inputs.command,
      goal: inputs.goal !== undefined,
      goalId: inputs['goal-id'],
      goalKey: inputs['goal-key'] !== undefined,
      slice: inputs.slice !== undefined,
      baseBranch: inputs['base-branch'],
      stateBranch: inputs['state-branch'],
      dryRun: inputs['dry-run'],
      summary: inputs.summary !== undefined,
    });
    for (const issue of issues) {
      ctx.addIssue({ code: 'custom', path: [inputOf(issue.field)], message: wordInputIssue(issue) });
    }
  });

/** The raw inputs as the runner passes them: every value a string, '' when not given. */
export type RawInputs = Record<keyof z.input<typeof actionInputsSchema>, string>;
export type InputName = keyof RawInputs;

/** `merge-policy` → `mergePolicy`: an input as the commands read it. */
type Camel<Name extends string> = Name extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : Name;
type ParsedInputs = z.output<typeof actionInputsSchema>;

/**
 * The validated inputs as the commands read them: each under its name in camel case (what each
 * means: action.yml), but the goal, which is its normalized text and the text as given (kept in
 * goal.json).
 */
export type ActionInputs = {
  [Name in Exclude<keyof ParsedInputs, 'goal'> as Camel<Name>]: ParsedInputs[Name];
} & { goal: { text: string; raw: string } | undefined };

/**
 * Reads every input the schema names (an input in the schema is read by construction) and
 * validates them together; errors name the input and show a correct example.
 */
export function readInputs(getInput: (name: InputName) => string): ActionInputs {
  const names = Object.keys(actionInputsSchema.shape) as InputName[];
  return parseInputs(Object.fromEntries(names.map((name) => [name, getInput(name)])) as RawInputs);
}

/** The inputs with action.yml's defaults in place of blank ones, validated together. */
export function parseInputs(raw: RawInputs): ActionInputs {
  const withDefaults: Record<string, string> = { ...raw };
  for (const [name, value] of Object.entries(inputDefaults())) {
    if (blank(withDefaults[name] ?? '')) withDefaults[name] = value;
  }
  const result = actionInputsSchema.safeParse(withDefaults);
  if (!result.success) throw inputError(result.error);
  const { goal, ...rest } = result.data;
  const named = Object.entries(rest).map(([name, value]) => [kebabToCamel(name), value]);
  const text = goal === undefined ? undefined : { text: goal, raw: raw.goal };
  return { ...(Object.fromEntries(named) as Omit<ActionInputs, 'goal'>), goal: text };
}

const kebabToCamel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Every invalid input under its name; a request field's issue is worded as action.yml spells it. */
function inputError(error: z.ZodError): UsageError {
  const issues = error.issues.map((issue) => {
    const request = requestIssueOf(issue);
    const message = request ? wordIssue(request) : inputMessage(String(issue.path[0] ?? ''), issue.message);
    return { ...issue, message };
  });
  const count = issues.length === 1 ? 'An input is' : `${issues.length} inputs are`;
  return new UsageError(`${count} invalid:\n${z.prettifyError(new z.ZodError(issues))}`, { cause: error });
}
