import { type Hint, NEUTRAL_STEPS, type StepSpelling, wordHint } from './next-steps.js';
import { describeIssues, NEUTRAL_SPELLING } from './request-issue-text.js';
import type { RequestIssue } from './request-issues.js';

// Typed errors. Each carries what a user needs to act; front doors map `code` to an exit code,
// a setFailed message or a reply comment in exactly one place each.

export type ErrorCode =
  | 'usage'
  | 'config'
  | 'not_found'
  | 'illegal_transition'
  | 'busy'
  | 'state'
  | 'unsupported_version'
  | 'git'
  | 'forge'
  | 'policy_violation'
  | 'workspace'
  | 'agent_unavailable'
  | 'budget'
  | 'internal';

/** `hint`: words, or words with steps (data) that each front door spells as its own command. */
export interface OmkErrorOptions {
  hint?: string | Hint;
  cause?: unknown;
}

export class OmkError extends Error {
  readonly code: ErrorCode;
  /** A next step for the user, shown after the message; its steps are spelled by the front door. */
  readonly hintParts: Hint | undefined;

  constructor(code: ErrorCode, message: string, options: OmkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hintParts = typeof options.hint === 'string' ? [options.hint] : options.hint;
  }

  /** The hint with its steps spelled by a front door (`omk goal resume g-1`, `/omk goal resume g-1`). */
  hintIn(spell: StepSpelling): string | undefined {
    return this.hintParts === undefined ? undefined : wordHint(this.hintParts, spell);
  }

  /** The hint in omk's own command words, for readers no front door words for. */
  get hint(): string | undefined {
    return this.hintIn(NEUTRAL_STEPS);
  }
}

/** Bad input from the user: a flag, an argument, a config value. */
export class UsageError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('usage', message, options);
  }
}

/**
 * A request refused by its schema (runtime/requests.ts). `issues` are data: each front door words
 * them for its host; the message is the request's own words, for anyone who does not.
 */
export class RequestError extends UsageError {
  readonly issues: readonly RequestIssue[];

  constructor(issues: readonly RequestIssue[], options: { cause?: unknown } = {}) {
    super(describeIssues(issues, NEUTRAL_SPELLING), options);
    this.issues = issues;
  }
}

export class ConfigError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('config', message, options);
  }
}

export class NotFoundError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('not_found', message, options);
  }
}

/** A lifecycle action that the goal's current state does not allow (accept a cancelled goal). */
export class IllegalTransitionError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('illegal_transition', message, options);
  }
}

/** Another process holds the goal; nothing was changed. */
export class BusyError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('busy', message, options);
  }
}

/** The state on disk is unreadable or inconsistent. */
export class StateError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('state', message, options);
  }
}

/** A state file written by a newer omk. */
export class UnsupportedVersionError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('unsupported_version', message, options);
  }
}

export class GitError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('git', message, options);
  }
}

export class ForgeError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('forge', message, options);
  }
}

export class PolicyViolationError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('policy_violation', message, options);
  }
}

/** A worktree could not be given the project's dependencies (an install or setup command failed). */
export class WorkspacePreparationError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('workspace', message, options);
  }
}

/**
 * The agent could not run on this machine at all (not installed, refused its arguments, not
 * logged in, out of quota, silent at start): the slice was not attempted and no retry would help.
 */
export class AgentUnavailableError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('agent_unavailable', message, options);
  }
}

/**
 * The goal's budget stopped work it had started (an agent kept rate-limited until a limit was
 * spent): what ran is kept, and it continues once the budget is extended and the goal resumed.
 */
export class BudgetSpentError extends OmkError {
  constructor(message: string, options: OmkErrorOptions = {}) {
    super('budget', message, options);
  }
}

export function isOmkError(error: unknown): error is OmkError {
  return error instanceof OmkError;
}
