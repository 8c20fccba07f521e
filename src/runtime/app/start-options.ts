import type { CreateGoalInput } from '../requests.js';
import { kebabName } from './command-words.js';

/**
 * The options a person gives when starting a goal (`omk goal run|plan`, `/omk goal run`, the
 * Action's `run` and `plan`), each stated once: the request field it fills, how it is given, the
 * value as a usage line shows it, its one-line meaning and the front doors that offer it. The CLI
 * builds its flags, the bot its `run` options and usage, and the Action its start options from
 * here, so a new option is added here (and to action.yml, which stays YAML) and nowhere else.
 */

/**
 * How a door takes an option: `value`, a text (`--max-agents 8`); `switch`, present or not, which
 * sets its field true (`--until-ready`); `off-switch`, whose presence sets its field false
 * (`--no-llm-planner`); `budget`, a value nested under the request's `budget` (`--budget-time 2h`
 * is `budget.time`).
 */
export type StartOptionKind = 'value' | 'switch' | 'off-switch' | 'budget';

/** The front doors: `omk goal run|plan`, `/omk goal run`, the Action's `run` and `plan`. */
export type StartDoor = 'cli' | 'bot' | 'action';

/** The budget's parts as the start options name them (`budgetTime` is `budget.time`). */
const BUDGET_PARTS = { budgetTime: 'time', budgetTokens: 'tokens', budgetUsd: 'usd' } as const;
type BudgetPart = keyof typeof BUDGET_PARTS;

/** Every field of the start request a person may give (the rest a door derives: goal, repo, …). */
type StartField =
  | Exclude<keyof CreateGoalInput, 'goal' | 'rawGoal' | 'repo' | 'budget' | 'idSuffix'>
  | BudgetPart;

interface StartOptionSpec {
  kind: StartOptionKind;
  /** What the value is, as the CLI's help names it (`--max-agents <n>`); a switch has none. */
  arg?: string;
  /** The value as a usage line shows it (`2h`, `N`); a switch has none. */
  shown?: string;
  /** What it means, in one line (the CLI's help). */
  meaning: string;
  doors: readonly [StartDoor, ...StartDoor[]];
}

/**
 * In the order the usage lines and the CLI's help list them. The bot offers no slice execution
 * (its jobs run the default) and no agent (the app's OMK_BOT_AGENT); the Action no slice execution
 * (a job runs slices in worktrees). The bot shows only the policies it takes: it keeps no machine
 * for `local`.
 */
export const START_OPTIONS = {
  policy: {
    kind: 'value',
    arg: 'policy',
    shown: 'draft-pr|auto-pr',
    meaning: 'delivery: local | draft-pr | auto-pr (default: local)',
    doors: ['cli', 'bot', 'action'],
  },
  mergePolicy: {
    kind: 'value',
    arg: 'policy',
    shown: 'disabled|manual|gated',
    meaning: 'merging: disabled | manual | gated (default: disabled)',
    doors: ['cli', 'bot', 'action'],
  },
  sliceExecution: {
    kind: 'value',
    arg: 'mode',
    shown: 'worktree|sparse|branch',
    meaning:
      'where slices run: worktree | sparse (cone-mode worktrees; gates on the integrated tree only) | branch (default: worktree)',
    doors: ['cli'],
  },
  maxAgents: {
    kind: 'value',
    arg: 'n',
    shown: 'N',
    meaning: 'agents running at once, 1-64 (default: 4)',
    doors: ['cli', 'bot', 'action'],
  },
  budgetTime: {
    kind: 'budget',
    arg: 'duration',
    shown: '2h',
    meaning: 'time budget, e.g. 30m, 8h, 7d',
    doors: ['cli', 'bot', 'action'],
  },
  budgetTokens: {
    kind: 'budget',
    arg: 'n',
    shown: '200k',
    meaning: 'token budget, e.g. 200000 or 200k',
    doors: ['cli', 'bot', 'action'],
  },
  budgetUsd: {
    kind: 'budget',
    arg: 'amount',
    shown: '25',
    meaning: 'spend budget in US dollars, e.g. 25',
    doors: ['cli', 'bot', 'action'],
  },
  untilReady: {
    kind: 'switch',
    meaning: 'keep executing until the proof is ready, failed, blocked or out of budget',
    doors: ['cli', 'bot', 'action'],
  },
  llmPlanner: {
    kind: 'off-switch',
    meaning: 'plan with the heuristic only, without asking the agent for a task graph',
    doors: ['cli', 'bot', 'action'],
  },
  plannerTokenBudget: {
    kind: 'value',
    arg: 'n',
    shown: '8000',
    meaning: 'most tokens the planning prompt may take (default: 8000)',
    doors: ['cli', 'bot', 'action'],
  },
  allowGateEdits: {
    kind: 'switch',
    meaning:
      'the goal means to change what its gates run (test script, runner config): such a change waits for a person (accept, then merge) instead of failing the slice',
    doors: ['cli', 'bot', 'action'],
  },
  allowWorkflowEdits: {
    kind: 'switch',
    meaning:
      'the goal means to change its CI workflows (.github/workflows/, .github/actions/): its slices may write them, and the branch is pushed only after a person accepts the goal',
    doors: ['cli', 'bot', 'action'],
  },
  agent: {
    kind: 'value',
    arg: 'agent',
    shown: 'claude',
    meaning: 'claude | codex | gemini | kimi | aider | opencode | script:<path> | <custom> | demo',
    doors: ['cli', 'action'],
  },
} as const satisfies Record<StartField, StartOptionSpec>;

export type StartOptionField = keyof typeof START_OPTIONS;
type Spec<F extends StartOptionField> = (typeof START_OPTIONS)[F];

/** The start options of one kind. */
type FieldOf<Kind extends StartOptionKind> = {
  [F in StartOptionField]: Spec<F>['kind'] extends Kind ? F : never;
}[StartOptionField];
type SwitchField = FieldOf<'switch' | 'off-switch'>;
/** The start options that take a value: each is a request field a door names (`given`). */
export type StartValueField = FieldOf<'value' | 'budget'>;

/** The start request's fields a door's start options fill (its budget parts fill `budget`). */
export type StartRequestField<Door extends StartDoor> = Exclude<DoorStartField<Door>, BudgetPart> | 'budget';

/** The start options a door offers. */
export type DoorStartField<Door extends StartDoor> = {
  [F in StartOptionField]: Door extends Spec<F>['doors'][number] ? F : never;
}[StartOptionField];

export interface StartOption {
  field: StartOptionField;
  kind: StartOptionKind;
  /** As a flag door spells it: the field in kebab case, an off-switch with `no-` before it. */
  flag: string;
  arg?: string;
  shown?: string;
  meaning: string;
}

/** The option a flag door spells for `field` (`mergePolicy` → `merge-policy`, `llmPlanner` → `no-llm-planner`). */
export function startOptionFlag(field: StartOptionField): string {
  const name = kebabName(field);
  return START_OPTIONS[field].kind === 'off-switch' ? `no-${name}` : name;
}

/** The start options `door` offers, in the catalogue's order. */
export function startOptionsOf(door: StartDoor): StartOption[] {
  const fields = Object.keys(START_OPTIONS) as StartOptionField[];
  return fields
    .filter((field) => (START_OPTIONS[field].doors as readonly StartDoor[]).includes(door))
    .map((field) => ({ ...START_OPTIONS[field], field, flag: startOptionFlag(field) }));
}

/** The start options `door` offers, picked by field from what it read (its parsed flags or inputs); unset ones left out. */
export function pickStartOptions<T extends object, Door extends StartDoor>(
  read: T,
  door: Door,
): Pick<T, Extract<keyof T, DoorStartField<Door>>> {
  const offered = startOptionsOf(door).map((option) => option.field as string);
  const picked = Object.entries(read).filter(([key, value]) => offered.includes(key) && value !== undefined);
  return Object.fromEntries(picked) as Pick<T, Extract<keyof T, DoorStartField<Door>>>;
}

/**
 * What a door gathered of the start options, by field: a value option's value (text, or as the
 * door parsed it), a switch's boolean as the request takes it (true: `--until-ready` given;
 * false: `--no-llm-planner` given, or the Action's `llm-planner: false`), unset when not given.
 */
export type StartGathered = { [F in Exclude<StartOptionField, SwitchField>]?: unknown } & {
  [F in SwitchField]?: boolean;
};

/** The start options as a door's flags read them: a value's text, a switch's boolean (commander's). */
export type StartFlags = { [F in StartValueField]?: string } & { [F in SwitchField]?: boolean };

/** The start request's input from what a door gathered: the budget's parts nested, every switch a boolean. */
export type StartInput<G extends StartGathered> = Omit<G, BudgetPart | SwitchField> &
  Record<SwitchField, boolean> & {
    budget: { time?: G['budgetTime']; tokens?: G['budgetTokens']; usd?: G['budgetUsd'] };
  };

/** The value a switch's field has when it is not given: an off-switch's field is on. */
const unswitched = (field: SwitchField) => START_OPTIONS[field].kind === 'off-switch';

const isSwitch = (field: string): field is SwitchField =>
  field in START_OPTIONS && ['switch', 'off-switch'].includes(START_OPTIONS[field as StartOptionField].kind);

/**
 * Turns what a door gathered into the create request's input (`createGoalRequestSchema` validates
 * it): the budget's parts nested under `budget`, a switch not given its field's default.
 */
export function startRequestInput<G extends StartGathered>(gathered: G): StartInput<G> {
  const { budgetTime, budgetTokens, budgetUsd, ...rest } = gathered;
  const fields = Object.keys(START_OPTIONS) as StartOptionField[];
  const switches = Object.fromEntries(
    fields.filter(isSwitch).map((field) => [field, gathered[field] ?? unswitched(field)]),
  ) as Record<SwitchField, boolean>;
  return {
    ...(rest as Omit<G, BudgetPart | SwitchField>),
    ...switches,
    budget: { time: budgetTime, tokens: budgetTokens, usd: budgetUsd },
  } as StartInput<G>;
}

/** The start request's input from a door that reads every option as text (the bot's comment). */
export type FlaggedStartInput = StartInput<Partial<Record<StartValueField, string>>>;

/** A flag door's options by field (`given`: a value's text; a switch's anything, present): the start request's input. */
export function flaggedStartInput(
  given: Readonly<Partial<Record<StartOptionField, string>>>,
): FlaggedStartInput {
  const entries = Object.entries(given).filter(([, value]) => value !== undefined);
  const gathered = Object.fromEntries(
    entries.map(([field, value]) => [field, isSwitch(field) ? !unswitched(field) : value]),
  ) as Partial<Record<StartValueField, string>> & Partial<Record<SwitchField, boolean>>;
  return startRequestInput(gathered);
}

/** The request fields a door's options named (the values; a switch is no setting a repository fills). */
export function namedStartFields(
  given: Readonly<Partial<Record<StartOptionField, unknown>>>,
): StartValueField[] {
  return (Object.keys(given) as StartOptionField[]).filter(
    (field): field is StartValueField => given[field] !== undefined && !isSwitch(field),
  );
}
