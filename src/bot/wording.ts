import { commandVocabulary, kebabName, type RequestField } from '../runtime/app/index.js';
import type { HostVocabulary } from '../runtime/app/ports.js';
import type { FieldSpelling, StepSpelling } from '../runtime/app/render.js';

/**
 * How a `/omk goal` comment names a request field it takes no option for (its options and the
 * subcommands that take them: flags.ts). The bot takes no slice execution, merge method or sandbox
 * option (it runs the default, merges by the repository's default, runs with the app's sandbox),
 * so those issues never reach a comment; they are spelled like options all the same.
 */
const UNFLAGGED: Partial<Record<RequestField, string>> = {
  goal: '"<goal>"',
  // Set for the whole app (OMK_BOT_AGENT), and PRs target the repository's default branch.
  agent: 'OMK_BOT_AGENT',
  baseBranch: 'the default branch',
  mergeMethod: '--method',
  agentArgs: 'agent arguments (the bot takes none)',
};

/**
 * A comment's words for everything the runtime points a user to. The bot keeps no goal list (its
 * status comments are the list) and cannot take over a goal whose controller died on another
 * machine: that is the CLI's `resume --auto`, run where the goal ran.
 */
export const BOT_WORDS: HostVocabulary = commandVocabulary({
  prefix: '/omk goal',
  commands: {
    create: 'run',
    budget_add: 'budget',
    accept: 'accept',
    reject: 'reject',
    open_pr: 'open-pr',
    merge: 'merge',
  },
  // Every option of flags.ts (run's from app/start-options.ts) is its field in kebab case (flags.test.ts holds them to it).
  option: (field) => UNFLAGGED[field] ?? `--${kebabName(field)}`,
  given: {
    agent: (value) => `OMK_BOT_AGENT=${value} in the app's environment`,
    baseBranch: (value) => `a default branch (${value}) on the repository`,
    // The app's sandbox: its environment's, which wins, else the repository's .omk/config.yml.
    sandbox: (value) =>
      `OMK_SANDBOX=${value} in the app's environment (or, where it sets none, \`sandbox: ${value}\` in .omk/config.yml)`,
  },
  steps: {
    list: "the goals' status comments in this thread",
    list_all: "the goals' status comments in this thread",
    resume_orphans: "'omk goal resume --auto' on the machine that ran the goal",
  },
});

export const BOT_SPELLING: FieldSpelling = BOT_WORDS.fields;

/** A next step as a `/omk goal` comment. */
export const BOT_STEPS: StepSpelling = BOT_WORDS.steps;
