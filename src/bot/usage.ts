/**
 * The commands the bot understands, as shown in `/omk help` and in replies to a malformed command.
 * Rendered inside a fenced block, so a reply never holds a line that reads as a command (were the
 * bot ever allowed to answer itself, it would not loop).
 */

type Flags = Readonly<Record<string, 'value' | 'switch'>>;

/** Each subcommand once: the options it takes (a value, or a switch), its usage line and what it does. */
const COMMANDS = {
  run: {
    flags: {
      policy: 'value',
      'merge-policy': 'value',
      'max-agents': 'value',
      'budget-time': 'value',
      'budget-tokens': 'value',
      'budget-usd': 'value',
      'until-ready': 'switch',
      'no-llm-planner': 'switch',
      'planner-token-budget': 'value',
    },
    usage:
      '/omk goal run "<goal>" [--policy draft-pr|auto-pr] [--merge-policy disabled|manual|gated]\n' +
      '             [--max-agents N] [--budget-time 2h] [--budget-tokens 200k] [--budget-usd 25] [--until-ready]\n' +
      '             [--no-llm-planner] [--planner-token-budget 8000]',
    what: 'create a goal from this comment, plan it and run it',
  },
  status: { flags: {}, usage: '/omk goal status [GOAL_ID]', what: "refresh the goal's status comment" },
  proof: { flags: {}, usage: '/omk goal proof [GOAL_ID]', what: "reply with the goal's proof" },
  'open-pr': {
    flags: {},
    usage: '/omk goal open-pr [GOAL_ID]',
    what: 'open or update the PRs of a finished goal',
  },
  merge: {
    flags: {},
    usage: '/omk goal merge [GOAL_ID]',
    what: 'merge the integrator PR if the proof, checks and reviews allow it',
  },
  pause: { flags: {}, usage: '/omk goal pause [GOAL_ID]', what: 'stop dispatching new work' },
  resume: { flags: {}, usage: '/omk goal resume [GOAL_ID]', what: 'continue a paused or interrupted goal' },
  cancel: {
    flags: { reason: 'value' },
    usage: '/omk goal cancel [GOAL_ID] [--reason "…"]',
    what: 'stop the goal for good',
  },
  budget: {
    flags: { time: 'value', tokens: 'value', usd: 'value' },
    usage: '/omk goal budget [GOAL_ID] [--time 2h] [--tokens 100k] [--usd 10]',
    what: 'show the budget (with flags: extend it)',
  },
  accept: {
    flags: { summary: 'value' },
    usage: '/omk goal accept [GOAL_ID] --summary "…"',
    what: 'record a human acceptance',
  },
  reject: {
    flags: { reason: 'value' },
    usage: '/omk goal reject [GOAL_ID] --reason "…"',
    what: 'record a human rejection',
  },
  fix: {
    flags: {},
    usage: '/omk goal fix "<what to change>"',
    what: 'on an omk PR: run the agent on its branch to make the change, then update its proof',
  },
} satisfies Record<string, { flags: Flags; usage: string; what: string }>;

export type Subcommand = keyof typeof COMMANDS;
export const SUBCOMMANDS = Object.keys(COMMANDS) as Subcommand[];

/** The options a subcommand takes. */
export function flagsOf(sub: Subcommand): Flags {
  return COMMANDS[sub].flags;
}

/** The usage block for one subcommand, or for all of them. */
export function usageBlock(only?: Subcommand): string {
  const names = only === undefined ? SUBCOMMANDS : [only];
  const body = names.map((name) => `${COMMANDS[name].usage}\n    ${COMMANDS[name].what}`).join('\n');
  const help = only === undefined ? '\n/omk help\n    this message' : '';
  return `\`\`\`text\n${body}${help}\n\`\`\``;
}

export const HELP_FOOTER =
  'Without GOAL_ID, a command works on the latest goal started in this thread. Starting or changing ' +
  'a goal needs write, maintain or admin permission on the repository; only the first `/omk` line ' +
  'of a comment counts, and edited comments are not read again.';
