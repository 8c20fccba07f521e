import {
  askedChangeText,
  budgetAddRequestSchema,
  type CreateGoalRequest,
  checkGoalRef,
  errorWords,
  flaggedStartInput,
  isOmkError,
  lifecycleText,
  machinelessStartRequest,
  namedStartFields,
  parseRequest,
  type RequestField,
  type ThreadGoalCommand,
  UsageError,
} from '../runtime/app/index.js';
import { type FlaggedField, flagsOf, givenOptions } from './flags.js';
import { tokenize } from './tokenize.js';
import { SUBCOMMANDS, type Subcommand } from './usage.js';
import { BOT_WORDS } from './wording.js';

type GoalRef = string | null;
type Options = Partial<Record<FlaggedField, string>>;

export type BotCommand =
  | { kind: 'help' }
  /** `request.repo` is a placeholder (`REPO_PLACEHOLDER`) until the job has a checkout. */
  | {
      kind: 'run';
      request: CreateGoalRequest;
      /** The request fields the comment gave (`policy`, `mergePolicy`, …): the repository's settings fill the rest. */
      given: readonly RequestField[];
    }
  /** A command on one goal, as the runtime's thread steps take it, and the goal it names (null: the thread's latest). */
  | (ThreadGoalCommand & { goalRef: GoalRef })
  /** On an omk PR: the goal and the PR come from the PR's branch. */
  | { kind: 'fix'; text: string };

export type ParseOutcome =
  | { ok: true; command: BotCommand }
  | { ok: false; problem: string; topic: Subcommand | null };

interface Args {
  flags: Map<string, string>;
  positionals: string[];
}

function splitArgs(tokens: readonly string[], allowed: ReturnType<typeof flagsOf>): Args {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (!token.startsWith('--') || token === '--') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const kind = allowed[name];
    const known = Object.keys(allowed).map((flag) => `--${flag}`);
    if (kind === undefined) {
      throw new UsageError(
        `Unknown option --${name.slice(0, 40)}.${known.length > 0 ? ` Options here: ${known.join(', ')}.` : ''}`,
      );
    }
    if (flags.has(name)) throw new UsageError(`--${name} is given twice.`);
    if (kind === 'switch') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
      flags.set(name, 'true');
      continue;
    }
    const value = eq >= 0 ? token.slice(eq + 1) : tokens[i + 1];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`);
    if (eq < 0) i += 1;
    flags.set(name, value);
  }
  return { flags, positionals };
}

function goalRefOf(positionals: readonly string[]): GoalRef {
  if (positionals.length > 1) {
    throw new UsageError(`Expected at most one GOAL_ID, got ${positionals.length} words.`);
  }
  const ref = positionals[0];
  if (ref === undefined) return null;
  const checked = checkGoalRef(ref.slice(0, 100));
  return checked === 'latest' ? null : checked;
}

/** `/omk goal run`: its options are the start options the bot offers (app/start-options.ts). */
function runCommand(given: Options, positionals: readonly string[], idSuffix: string): BotCommand {
  const start = { ...flaggedStartInput(given), goal: positionals.join(' ') };
  const request = machinelessStartRequest(start, idSuffix, BOT_WORDS);
  return { kind: 'run', request, given: namedStartFields(given) };
}

function build(sub: Subcommand, args: Args, idSuffix: string): BotCommand {
  const given = givenOptions(sub, args.flags);
  switch (sub) {
    case 'run':
      return runCommand(given, args.positionals, idSuffix);
    case 'accept':
    case 'reject':
    case 'cancel': {
      // The one rule of every front door: accept needs a summary, reject a reason, cancel may give one.
      const words = lifecycleText(sub, { summary: given.summary, reason: given.reason });
      const goalRef = goalRefOf(args.positionals);
      return sub === 'accept'
        ? { kind: sub, goalRef, summary: words }
        : { kind: sub, goalRef, reason: words };
    }
    case 'budget': {
      const amounts = { time: given.time, tokens: given.tokens, usd: given.usd };
      const add = Object.keys(given).length > 0 ? parseRequest(budgetAddRequestSchema, amounts) : null;
      return { kind: 'budget', goalRef: goalRefOf(args.positionals), add };
    }
    case 'fix':
      return {
        kind: 'fix',
        text: askedChangeText(args.positionals, 'Say what to change, in quotes after fix.'),
      };
    default:
      return { kind: sub, goalRef: goalRefOf(args.positionals) };
  }
}

/**
 * Parses one `/omk ...` line into a command validated by the same request schemas as the CLI.
 * Never throws: a malformed line is an outcome the caller answers with usage.
 */
export function parseCommandLine(line: string, idSuffix: string): ParseOutcome {
  const split = tokenize(line);
  if (!split.ok) return { ok: false, problem: split.message, topic: null };
  const [, group, name, ...rest] = split.tokens;
  if (
    group === undefined ||
    group === 'help' ||
    (group === 'goal' && (name === undefined || name === 'help'))
  ) {
    return { ok: true, command: { kind: 'help' } };
  }
  if (group !== 'goal') {
    return { ok: false, problem: `Unknown command '${group.slice(0, 40)}'.`, topic: null };
  }
  const sub = SUBCOMMANDS.find((candidate) => candidate === name);
  if (sub === undefined) {
    return { ok: false, problem: `Unknown goal command '${String(name).slice(0, 40)}'.`, topic: null };
  }
  try {
    const args = splitArgs(rest, flagsOf(sub));
    if (sub === 'run' && args.positionals.length === 0) {
      throw new UsageError('The goal is missing. Put it in quotes after run.');
    }
    return { ok: true, command: build(sub, args, idSuffix) };
  } catch (error) {
    if (!isOmkError(error)) throw error;
    const { message, hint } = errorWords(error, BOT_WORDS);
    return { ok: false, problem: hint ? `${message} ${hint}` : message, topic: sub };
  }
}
