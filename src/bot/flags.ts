import type { RequestField } from '../runtime/app/index.js';
import type { Subcommand } from './usage.js';

/**
 * Each `/omk goal` option once: the request field it fills, whether it takes a value or is a
 * switch, and the subcommands that take it (the first is the one a reply's example names). The
 * parser (which options a subcommand allows, what it reads), the usage text and the wording of a
 * request issue (`--merge-policy gated`) are all read from here. Two switches fill no request
 * field but a start field: `untilReady`, and `llmPlanner` (turned off by its switch).
 */
export type FlagField = RequestField | 'untilReady' | 'llmPlanner';

interface Flag {
  flag: string;
  kind: 'value' | 'switch';
  commands: readonly [Subcommand, ...Subcommand[]];
}

/** In the order the usage and an unknown option's reply list them. */
export const FLAGS = {
  policy: { flag: 'policy', kind: 'value', commands: ['run'] },
  mergePolicy: { flag: 'merge-policy', kind: 'value', commands: ['run'] },
  maxAgents: { flag: 'max-agents', kind: 'value', commands: ['run'] },
  budgetTime: { flag: 'budget-time', kind: 'value', commands: ['run'] },
  budgetTokens: { flag: 'budget-tokens', kind: 'value', commands: ['run'] },
  budgetUsd: { flag: 'budget-usd', kind: 'value', commands: ['run'] },
  untilReady: { flag: 'until-ready', kind: 'switch', commands: ['run'] },
  llmPlanner: { flag: 'no-llm-planner', kind: 'switch', commands: ['run'] },
  plannerTokenBudget: { flag: 'planner-token-budget', kind: 'value', commands: ['run'] },
  // Only reject validates a reason (cancel takes any), so an issue with one is shown on reject.
  reason: { flag: 'reason', kind: 'value', commands: ['reject', 'cancel'] },
  time: { flag: 'time', kind: 'value', commands: ['budget'] },
  tokens: { flag: 'tokens', kind: 'value', commands: ['budget'] },
  usd: { flag: 'usd', kind: 'value', commands: ['budget'] },
  summary: { flag: 'summary', kind: 'value', commands: ['accept'] },
} as const satisfies Partial<Record<FlagField, Flag>>;

export type FlaggedField = keyof typeof FLAGS;

const ENTRIES = Object.entries(FLAGS) as [FlaggedField, Flag][];

/** The options a subcommand takes, by name (`merge-policy`): a value, or a switch. */
export function flagsOf(sub: Subcommand): Readonly<Record<string, 'value' | 'switch'>> {
  return Object.fromEntries(
    ENTRIES.filter(([, spec]) => spec.commands.includes(sub)).map(([, spec]) => [spec.flag, spec.kind]),
  );
}

/** Whether the bot takes an option for a request field. */
export function isFlagged(field: FlagField): field is FlaggedField {
  return Object.hasOwn(FLAGS, field);
}

/** The option a field is given with (`--merge-policy`) and the subcommand a reply's example names. */
export function flagFor(field: FlaggedField): { option: string; command: Subcommand } {
  const spec: Flag = FLAGS[field];
  return { option: `--${spec.flag}`, command: spec.commands[0] };
}

/** The options a comment gave, by field: a value flag's value, a switch's `true`. */
export function flagValues(given: ReadonlyMap<string, string>): {
  value(field: FlaggedField): string | undefined;
  has(field: FlaggedField): boolean;
} {
  return {
    value: (field) => given.get(FLAGS[field].flag),
    has: (field) => given.has(FLAGS[field].flag),
  };
}

/** The request fields of `/omk goal run` options a comment gave (`merge-policy` → mergePolicy). */
export function runFields(options: Iterable<string>): RequestField[] {
  const given = new Set(options);
  return ENTRIES.filter(
    (entry): entry is [Exclude<FlaggedField, 'untilReady' | 'llmPlanner'>, Flag] =>
      entry[0] !== 'untilReady' &&
      entry[0] !== 'llmPlanner' &&
      entry[1].commands.includes('run') &&
      given.has(entry[1].flag),
  ).map(([field]) => field);
}
