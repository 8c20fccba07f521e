import { usageOptions } from './flags.js';

/**
 * The commands the bot understands, as shown in `/omk help` and in replies to a malformed command.
 * Rendered inside a fenced block, so a reply never holds a line that reads as a command (were the
 * bot ever allowed to answer itself, it would not loop).
 */

/** Each subcommand once: its arguments and what it does (the options it takes: flags.ts). */
const COMMANDS = {
  run: { args: '"<goal>"', what: 'create a goal from this comment, plan it and run it' },
  status: { args: '[GOAL_ID]', what: "refresh the goal's status comment" },
  proof: { args: '[GOAL_ID]', what: "reply with the goal's proof" },
  'open-pr': { args: '[GOAL_ID]', what: 'open or update the PRs of a finished goal' },
  merge: { args: '[GOAL_ID]', what: 'merge the integrator PR if the proof, checks and reviews allow it' },
  pause: { args: '[GOAL_ID]', what: 'stop dispatching new work' },
  resume: { args: '[GOAL_ID]', what: 'continue a paused or interrupted goal' },
  cancel: { args: '[GOAL_ID]', what: 'stop the goal for good' },
  budget: { args: '[GOAL_ID]', what: 'show the budget (with flags: extend it)' },
  accept: { args: '[GOAL_ID]', what: 'record a human acceptance' },
  reject: { args: '[GOAL_ID]', what: 'record a human rejection' },
  fix: {
    args: '"<what to change>"',
    what: 'on an omk PR: run the agent on its branch to make the change, then update its proof',
  },
} satisfies Record<string, { args: string; what: string }>;

/** Where a usage line wraps; its next lines start under its first argument. */
const WIDTH = 100;

export type Subcommand = keyof typeof COMMANDS;
export const SUBCOMMANDS = Object.keys(COMMANDS) as Subcommand[];

function usageLine(sub: Subcommand): string {
  const lines: string[] = [];
  let line = `/omk goal ${sub}`;
  const indent = ' '.repeat(line.length);
  for (const word of [COMMANDS[sub].args, ...usageOptions(sub)]) {
    if (line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
    }
    line += ` ${word}`;
  }
  return [...lines, line].join('\n');
}

/** The usage block for one subcommand, or for all of them. */
export function usageBlock(only?: Subcommand): string {
  const names = only === undefined ? SUBCOMMANDS : [only];
  const body = names.map((name) => `${usageLine(name)}\n    ${COMMANDS[name].what}`).join('\n');
  const help = only === undefined ? '\n/omk help\n    this message' : '';
  return `\`\`\`text\n${body}${help}\n\`\`\``;
}

export const HELP_FOOTER =
  'Without GOAL_ID, a command works on the latest goal started in this thread. Starting or changing ' +
  'a goal needs write, maintain or admin permission on the repository; only the first `/omk` line ' +
  'of a comment counts, and edited comments are not read again.';
