/**
 * The commands the bot understands, as shown in `/omk help` and in replies to a malformed command.
 * Rendered inside a fenced block, so a reply never holds a line that reads as a command (were the
 * bot ever allowed to answer itself, it would not loop).
 */

/** Each subcommand once: its usage line and what it does (the options it takes: flags.ts). */
const COMMANDS = {
  run: {
    usage:
      '/omk goal run "<goal>" [--policy draft-pr|auto-pr] [--merge-policy disabled|manual|gated]\n' +
      '             [--max-agents N] [--budget-time 2h] [--budget-tokens 200k] [--budget-usd 25] [--until-ready]\n' +
      '             [--no-llm-planner] [--planner-token-budget 8000]',
    what: 'create a goal from this comment, plan it and run it',
  },
  status: { usage: '/omk goal status [GOAL_ID]', what: "refresh the goal's status comment" },
  proof: { usage: '/omk goal proof [GOAL_ID]', what: "reply with the goal's proof" },
  'open-pr': {
    usage: '/omk goal open-pr [GOAL_ID]',
    what: 'open or update the PRs of a finished goal',
  },
  merge: {
    usage: '/omk goal merge [GOAL_ID]',
    what: 'merge the integrator PR if the proof, checks and reviews allow it',
  },
  pause: { usage: '/omk goal pause [GOAL_ID]', what: 'stop dispatching new work' },
  resume: { usage: '/omk goal resume [GOAL_ID]', what: 'continue a paused or interrupted goal' },
  cancel: {
    usage: '/omk goal cancel [GOAL_ID] [--reason "…"]',
    what: 'stop the goal for good',
  },
  budget: {
    usage: '/omk goal budget [GOAL_ID] [--time 2h] [--tokens 100k] [--usd 10]',
    what: 'show the budget (with flags: extend it)',
  },
  accept: {
    usage: '/omk goal accept [GOAL_ID] --summary "…"',
    what: 'record a human acceptance',
  },
  reject: {
    usage: '/omk goal reject [GOAL_ID] --reason "…"',
    what: 'record a human rejection',
  },
  fix: {
    usage: '/omk goal fix "<what to change>"',
    what: 'on an omk PR: run the agent on its branch to make the change, then update its proof',
  },
} satisfies Record<string, { usage: string; what: string }>;

export type Subcommand = keyof typeof COMMANDS;
export const SUBCOMMANDS = Object.keys(COMMANDS) as Subcommand[];

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
