import { type RequestField, type StartOptionField, startOptionsOf } from '../runtime/app/index.js';
import type { Subcommand } from './usage.js';

/**
 * Each `/omk goal` option once: the request field it fills, the subcommands that take it, its
 * value as the usage shows it (a switch has none) and the subcommands it must be given on. The
 * parser (which options a subcommand allows, what it reads) and the usage lines are read from
 * here; a request issue names the option as its field in kebab case (`--merge-policy gated`,
 * wording.ts), which each option here is. `run`'s options are a goal's start options, stated in
 * the runtime's catalogue (app/start-options.ts) with the doors that offer them; the options of
 * the other subcommands are stated below.
 */
export type FlagField = RequestField | StartOptionField;

interface Flag {
  flag: string;
  commands: readonly [Subcommand, ...Subcommand[]];
  /** The value as the usage shows it (`2h`); none: the option is a switch. */
  shown?: string;
  /** The subcommands whose usage shows it without brackets: they refuse to run without it. */
  required?: readonly Subcommand[];
}

/** The options of the subcommands but run, in the order the usage and an unknown option's reply list them (after run's). */
export const FLAGS = {
  // Only reject validates a reason (cancel takes any), so an issue with one is shown on reject.
  reason: { flag: 'reason', commands: ['reject', 'cancel'], shown: '"…"', required: ['reject'] },
  time: { flag: 'time', commands: ['budget'], shown: '2h' },
  tokens: { flag: 'tokens', commands: ['budget'], shown: '100k' },
  usd: { flag: 'usd', commands: ['budget'], shown: '10' },
  summary: { flag: 'summary', commands: ['accept'], shown: '"…"', required: ['accept'] },
} as const satisfies Partial<Record<FlagField, Flag>>;

/** `run`'s options: the start options the bot offers, as the catalogue spells them (a switch shows no value). */
const START_FLAGS = startOptionsOf('bot').map(({ field, flag, shown }): [FlaggedField, Flag] => [
  field,
  { flag, commands: ['run'], shown },
]);

export type FlaggedField = keyof typeof FLAGS | StartOptionField;

const ENTRIES = [...START_FLAGS, ...(Object.entries(FLAGS) as [FlaggedField, Flag][])];

const kind = (spec: Flag) => (spec.shown === undefined ? 'switch' : 'value');

/** The options a subcommand takes, by name (`merge-policy`): a value, or a switch. */
export function flagsOf(sub: Subcommand): Readonly<Record<string, 'value' | 'switch'>> {
  return Object.fromEntries(
    ENTRIES.filter(([, spec]) => spec.commands.includes(sub)).map(([, spec]) => [spec.flag, kind(spec)]),
  );
}

/** A subcommand's options as its usage line shows them (`[--time 2h]`, `--summary "…"`). */
export function usageOptions(sub: Subcommand): string[] {
  return ENTRIES.filter(([, spec]) => spec.commands.includes(sub)).map(([, spec]) => {
    const option = spec.shown === undefined ? `--${spec.flag}` : `--${spec.flag} ${spec.shown}`;
    return spec.required?.includes(sub) ? option : `[${option}]`;
  });
}

/** The options of `sub` a comment gave, by field (`merge-policy` → mergePolicy): a value, or a switch's `true`. */
export function givenOptions(
  sub: Subcommand,
  given: ReadonlyMap<string, string>,
): Partial<Record<FlaggedField, string>> {
  const taken = ENTRIES.filter(([, spec]) => spec.commands.includes(sub) && given.has(spec.flag));
  return Object.fromEntries(taken.map(([field, spec]) => [field, given.get(spec.flag)]));
}
