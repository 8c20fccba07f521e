import type { RequestField, RequestIssue } from './request-issues.js';

/**
 * The sentences of request issues, the same for every front door; only how a field is spelled
 * differs (`--merge-policy gated`, `merge-policy: gated`), and each front door's wording module
 * supplies that.
 */
export interface FieldSpelling {
  /** The field as a message names it: `--merge-policy`, `merge-policy`. */
  name(field: RequestField): string;
  /** The field given `value`, as a user types it: `--merge-policy gated`, `merge-policy: gated`. */
  given(field: RequestField, value: string): string;
  /** A whole example that gives the field: `omk goal run "fix it"`, `goal: fix it`. */
  example(field: RequestField, value: string): string;
  /** The command that takes the field, as the host names it: `budget-add`, `budget`, `run`. */
  command(field: RequestField): string;
}

/** The request's own words: for errors no front door words (tests, scripts, logs). */
export const NEUTRAL_SPELLING: FieldSpelling = {
  name: (field) => field,
  given: (field, value) => `${field}: ${value}`,
  example: (field, value) => `${field}: ${value}`,
  command: () => 'This request',
};

const UNITS = '(units: s, m, h, d; e.g. 90s, 8h, 7d, 1h30m)';

export function describeIssue(issue: RequestIssue, spell: FieldSpelling): string {
  if (issue.code === 'invalid') return issue.message;
  const { field } = issue;
  const head = 'value' in issue ? `${spell.name(field)}: '${issue.value}'` : spell.name(field);
  switch (issue.code) {
    case 'not_one_of':
      return `${head} is not one of ${issue.allowed.join(', ')}. Example: ${spell.given(field, issue.example)}`;
    case 'bad_duration': {
      const example = `${spell.given(field, issue.example)} ${UNITS}`;
      if (issue.problem === 'format')
        return `${head} is not a duration. Use a number with a unit: ${example}.`;
      if (issue.problem === 'not_positive') return `${head} must be greater than zero. Example: ${example}.`;
      return `${head} is longer than ${issue.max}. Example: ${example}.`;
    }
    case 'bad_tokens': {
      const examples = issue.examples.map((example) => spell.given(field, example)).join(' or ');
      const use = `Use a positive whole number, optionally with k or M: ${examples}.`;
      return issue.problem === 'format'
        ? `${head} is not a token count. ${use}`
        : `${head} must be a positive whole number of tokens. ${use}`;
    }
    case 'bad_usd': {
      const examples = issue.examples.map((example) => spell.given(field, example)).join(' or ');
      return `${head} is not a positive amount of US dollars. Example: ${examples}.`;
    }
    case 'bad_count':
      return `${head} must be a whole number from ${issue.min} to ${issue.max}. Example: ${spell.given(field, issue.example)}.`;
    case 'empty':
      return field === 'goal'
        ? `The goal is empty. Example: ${spell.example(field, issue.example)}`
        : `${head} is required and must not be empty. Example: ${spell.example(field, issue.example)}`;
    case 'too_long':
      return field === 'goal'
        ? `The goal is ${issue.length} characters; the limit is ${issue.max}.`
        : `${head} is longer than ${issue.max} characters.`;
    case 'takes_no_args':
      return `${head}: the ${issue.agent} agent runs no command, so it takes no arguments. Remove ${spell.name(field)}, or use an agent that runs a command. Example: ${spell.given('agent', issue.example)}`;
    case 'none_given':
      return `${spell.command(field)} needs at least one of ${issue.fields.map((name) => spell.name(name)).join(', ')}. Example: ${spell.example(field, issue.example)}`;
  }
}

/**
 * False for the sentences about the goal text as a whole ("The goal is empty. …"), which name no
 * field; every other sentence opens with the field's name or its command.
 */
export function opensWithName(issue: RequestIssue): boolean {
  if (issue.code === 'invalid') return false;
  return !(issue.field === 'goal' && (issue.code === 'empty' || issue.code === 'too_long'));
}

/** One line per issue, in order. */
export function describeIssues(issues: readonly RequestIssue[], spell: FieldSpelling): string {
  return issues.map((issue) => describeIssue(issue, spell)).join('\n');
}
