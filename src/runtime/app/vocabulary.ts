/**
 * How a front door names what a message points its user to. The runtime says what to do ("open
 * PRs with the draft-pr policy"); the host says how it is spelled there: a flag on the terminal,
 * an input in a workflow, a comment on GitHub.
 */
export interface HostVocabulary {
  /** A setting with an example value: `--policy draft-pr`, `policy: draft-pr`. */
  setting(name: SettingName, example: string): string;
  /** A command on a goal: `omk goal merge <id>`, `command: merge`, `/omk goal merge <id>`. */
  command(name: GoalCommandName, goalId: string): string;
}

export type SettingName = 'policy' | 'merge-policy' | 'base-branch' | 'agent';
export type GoalCommandName = 'open-pr' | 'merge' | 'run';

/** Plain words for hosts without their own (tests, library use). */
export const plainVocabulary: HostVocabulary = {
  setting: (name, example) => `the ${name} setting (e.g. ${example})`,
  command: (name, goalId) => `${name} on goal ${goalId}`,
};
