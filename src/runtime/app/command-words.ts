import type { BudgetLimitName, NextStep, StepSpelling } from '../next-steps.js';
import type { FieldSpelling } from '../request-issue-text.js';
import type { RequestField, TextField } from '../request-issues.js';
import type { HostVocabulary } from './vocabulary.js';

/** Where the sandbox is turned off for good, before a door's way to turn it off for one run. */
export const SANDBOX_OFF_IN_CONFIG = 'set `sandbox: off` in .omk/config.yml, or for one run: ';

/** The use cases a person names a request field on: a new goal, budget-add, accept, reject, open-pr, merge. */
export type FieldUseCase = 'create' | 'budget_add' | 'accept' | 'reject' | 'open_pr' | 'merge';

/** The use case that takes each request field; the others a new goal takes (its agent, sandbox, budgets, …). */
const TAKEN_BY: Partial<Record<RequestField, FieldUseCase>> = {
  time: 'budget_add',
  tokens: 'budget_add',
  usd: 'budget_add',
  summary: 'accept',
  reason: 'reject',
  baseBranch: 'open_pr',
  mergeMethod: 'merge',
};

export function fieldUseCase(field: RequestField): FieldUseCase {
  return TAKEN_BY[field] ?? 'create';
}

/** A field's name in kebab case (`mergePolicy` is `merge-policy`), as command lines and inputs name fields. */
export function kebabName(field: string): string {
  return field.replace(/[A-Z]/g, (upper) => `-${upper.toLowerCase()}`);
}

/** A budget-add step's example: the field of the limit it raises, and an amount. */
const BUDGET_EXAMPLES: Record<BudgetLimitName, [RequestField, string]> = {
  time: ['time', '1h'],
  tokens: ['tokens', '100k'],
  usd: ['usd', '10'],
};

const TEXT_FIELDS: readonly RequestField[] = ['goal', 'summary', 'reason'] satisfies TextField[];

/** The words of a host whose users type commands (`omk goal …` on a terminal, `/omk goal …` in a comment). */
export interface CommandWords {
  /** What every command line starts with, before the command: `omk goal`, `/omk goal`. */
  prefix: string;
  /** The host's command for each use case (`budget-add`, `budget`). */
  commands: Record<FieldUseCase, string>;
  /** The option a field is given with (`--merge-policy`), or how the host names it otherwise. */
  option(field: RequestField): string;
  /** Fields given otherwise than `option value` (the bot's agent is its environment's). */
  given?: Partial<Record<RequestField, (value: string) => string>>;
  /** The steps that are no command of this host's on a goal: listing goals, taking over orphans. */
  steps: Record<'list' | 'list_all' | 'resume_orphans', string>;
}

/**
 * A command host's vocabulary from its words: a field given as `--option value` (free text
 * quoted; the goal is the command's argument), an example as a whole command line of the use
 * case that takes the field, and a next step as the command line that takes it, quoted.
 */
export function commandVocabulary(words: CommandWords): HostVocabulary {
  const given = (field: RequestField, value: string): string => {
    const own = words.given?.[field];
    if (own !== undefined) return own(value);
    if (field === 'goal') return `"${value}"`;
    return TEXT_FIELDS.includes(field)
      ? `${words.option(field)} "${value}"`
      : `${words.option(field)} ${value}`;
  };
  const command = (field: RequestField) => words.commands[fieldUseCase(field)];
  const fields: FieldSpelling = {
    name: (field) => words.option(field),
    given,
    example: (field, value) => `${words.prefix} ${command(field)} ${given(field, value)}`,
    command,
  };
  const line = (text: string) => `'${words.prefix} ${text}'`;
  const steps: StepSpelling = (step: NextStep) => {
    switch (step.step) {
      case 'status':
      case 'pause':
      case 'resume':
      case 'proof':
        return line(`${step.step} ${step.goalId}`);
      case 'open_pr':
      case 'merge':
        return line(`${words.commands[step.step]} ${step.goalId}`);
      case 'accept':
        // What the person read, in their words: accept takes it.
        return line(`${words.commands.accept} ${step.goalId} ${given('summary', '…')}`);
      case 'budget_add': {
        // The limit that ran out or was overspent, with an amount to change as the user sees fit.
        const [field, amount] = BUDGET_EXAMPLES[step.limit ?? 'time'];
        return line(`${words.commands.budget_add} ${step.goalId} ${given(field, amount)}`);
      }
      case 'run':
        return line(`${words.commands.create} ${given('goal', '<goal>')}`);
      case 'run_gate_edits':
        return line(`${words.commands.create} ${given('goal', '<goal>')} ${words.option('allowGateEdits')}`);
      case 'run_workflow_edits':
        return line(
          `${words.commands.create} ${given('goal', '<goal>')} ${words.option('allowWorkflowEdits')}`,
        );
      case 'run_sandbox_off': {
        // The config's setting, then a run's option; a host whose sandbox is its own setting, not
        // a run's option, says where to set it instead (its words name the config's place too).
        const run = `${words.commands.create} ${given('goal', '<goal>')}`;
        const own = words.given?.sandbox;
        return own === undefined
          ? `${SANDBOX_OFF_IN_CONFIG}${line(`${run} ${given('sandbox', 'off')}`)}`
          : `set ${own('off')}, then ${line(run)}`;
      }
      case 'list':
      case 'list_all':
      case 'resume_orphans':
        return words.steps[step.step];
    }
  };
  return { fields, steps };
}
