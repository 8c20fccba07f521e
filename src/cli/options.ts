import { Argument, type Command, Option } from 'commander';
import { FORGE_CHOICES } from '../adapters/forge-choice.js';
import {
  SANDBOX_MODES,
  SANDBOX_NETWORKS,
  START_OPTIONS,
  startOptionsOf,
  UsageError,
} from '../runtime/app/index.js';

export type OutputFormat = 'text' | 'json' | 'md';

/** The formats of a command that prints data but no report. */
export const TEXT_OR_JSON: readonly OutputFormat[] = ['text', 'json'];

/** Adds --format (refused as it is parsed unless one of `formats`) and --json to a command that prints data. */
export function withFormat(
  command: Command,
  formats: readonly OutputFormat[] = ['text', 'json', 'md'],
): Command {
  return command
    .addOption(
      choiceOption('--format <format>', `output format: ${formats.join(', ')}`, formats, 'json').default(
        'text',
      ),
    )
    .option('--json', 'same as --format json');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Prints `value` as JSON (as `toJson` shapes it) when the format asks for it, else as `render` words it. */
export function printAs<T>(
  io: { stdout: (text: string) => void },
  format: OutputFormat,
  value: T,
  render: (value: T) => string,
  toJson: (value: T) => unknown = (same) => same,
): void {
  io.stdout(format === 'json' ? json(toJson(value)) : render(value));
}

/** [GOAL_ID]; left out it is 'latest', except where the use case says what none means. */
export function goalIdArgument(latestByDefault = true): Argument {
  const argument = new Argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'");
  return latestByDefault ? argument.default('latest') : argument;
}

/**
 * A flag that takes one of `values`: anything else is refused as it is parsed, naming the flag and
 * showing `example`, in the words of the request's own choices (`--policy`, `--merge-policy`:
 * request-issue-text.ts), so every choice flag is refused alike.
 */
export function choiceOption<T extends string>(
  flags: string,
  description: string,
  values: readonly T[],
  example: string,
): Option {
  const name = flags.split(' ')[0] ?? flags;
  return new Option(flags, description).argParser((value: string): T => {
    const choice = values.find((known) => known === value);
    if (choice !== undefined) return choice;
    throw new UsageError(
      `${name}: '${value}' is not one of ${values.join(', ')}. Example: ${name} ${example}`,
    );
  });
}

/** --forge on every command that may open, update or merge PRs. */
export function forgeOption(): Option {
  return choiceOption(
    '--forge <forge>',
    'where PRs go: auto (github when GITHUB_TOKEN or GH_TOKEN is set, else local) | local | github',
    FORGE_CHOICES,
    'local',
  );
}

/** The agents --agent may name: the start option's meaning (app/start-options.ts). */
export const AGENT_NAMES: string = START_OPTIONS.agent.meaning;

/** --agent: the agent this run uses (default: the goal's, else the config's agents.default). */
export function agentOption(help = AGENT_NAMES): Option {
  return new Option('--agent <agent>', help);
}

/** --sandbox: whether this run's agents and gates are confined (default: $OMK_SANDBOX, else the config's). */
export function sandboxOption(): Option {
  return choiceOption(
    '--sandbox <mode>',
    'confine agents and gates with bubblewrap: auto (where it runs; elsewhere no agent but the demo starts) | required | off (the agents are trusted: unconfined) (default: $OMK_SANDBOX, else the config, else auto)',
    SANDBOX_MODES,
    'auto',
  );
}

/** The flags of a command that runs agents and delivers: --agent, then those of `withRunHostOptions`. */
export function withRunOptions(command: Command): Command {
  return withRunHostOptions(command.addOption(agentOption()));
}

/**
 * `omk goal run|plan`'s start options, one commander `Option` each, from the runtime's catalogue
 * (app/start-options.ts): a value `--merge-policy <policy>`, a switch `--until-ready`, the
 * off-switch `--no-llm-planner` (commander reads it as `llmPlanner: false`), each with its meaning.
 * Their values are read by the request's schema, which refuses a bad one.
 */
export function startOptions(): Option[] {
  return startOptionsOf('cli').map(({ flag, arg, meaning }) =>
    arg === undefined ? new Option(`--${flag}`, meaning) : new Option(`--${flag} <${arg}>`, meaning),
  );
}

/** The flags of where a run's agents run and what it delivers to: --sandbox, --sandbox-network, --forge, --keep-worktrees. */
export function withRunHostOptions(command: Command): Command {
  return command
    .addOption(sandboxOption())
    .addOption(
      choiceOption(
        '--sandbox-network <network>',
        "the confined network of agents and gates alike: open | none | allow (sandbox.allowedHosts only) (default: the config's sandbox.network)",
        SANDBOX_NETWORKS,
        'none',
      ),
    )
    .addOption(forgeOption())
    .option(
      '--keep-worktrees',
      "keep the goal's worktrees when it settles (default: removed, as config workspace.keep says)",
    );
}

/** --interval: whole milliseconds, at least 100 (`defaultMs` when left out), refused as it is parsed. */
export function intervalOption(description: string, defaultMs: number, example: string): Option {
  return new Option('--interval <ms>', description).default(defaultMs).argParser((value: string) => {
    const interval = Number(value);
    if (Number.isInteger(interval) && interval >= 100) return interval;
    throw new UsageError(`--interval: '${value}' is not a whole number of milliseconds ≥ 100.`, {
      hint: `Example: ${example}`,
    });
  });
}
