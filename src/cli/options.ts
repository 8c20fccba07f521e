import { type Command, Option } from 'commander';
import { type AgentChoice, SANDBOX_MODES, type SandboxMode, UsageError } from '../runtime/app/index.js';

export type OutputFormat = 'text' | 'json' | 'md';

/** Adds --format (with the allowed choices) and --json to a command that prints data. */
export function withFormat(
  command: Command,
  formats: readonly OutputFormat[] = ['text', 'json', 'md'],
): Command {
  return command
    .addOption(new Option('--format <format>', `output format: ${formats.join(', ')}`).default('text'))
    .option('--json', 'same as --format json');
}

/** Reads the format options, refusing an unknown one with a correct example. */
export function formatOf(
  options: { format?: string; json?: boolean },
  formats: readonly OutputFormat[] = ['text', 'json', 'md'],
): OutputFormat {
  if (options.json) return 'json';
  const format = options.format ?? 'text';
  if ((formats as readonly string[]).includes(format)) return format as OutputFormat;
  throw new UsageError(`--format: '${format}' is not one of ${formats.join(', ')}.`, {
    hint: `Example: --format ${formats.includes('json') ? 'json' : (formats[0] ?? 'text')}`,
  });
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** --sandbox on the commands that run agents: this run's choice over the config's `sandbox`. */
export function sandboxOption(): Option {
  return new Option(
    '--sandbox <mode>',
    'confine agents and gates with bubblewrap: auto (when available) | required | off (default: the config, else auto)',
  ).choices(SANDBOX_MODES);
}

/** The agent and sandbox a command's flags ask for. */
export function agentChoiceOf(options: {
  agent?: string | undefined;
  sandbox?: string | undefined;
}): AgentChoice {
  return {
    ...(options.agent === undefined ? {} : { name: options.agent }),
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox as SandboxMode }),
  };
}
