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
  | 'internal';

export class OmkError extends Error {
  readonly code: ErrorCode;
  /** A next step for the user, shown after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** Bad input from the user: a flag, an argument, a config value. */
export class UsageError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('usage', message, options);
  }
}

export class ConfigError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('config', message, options);
  }
}

export class NotFoundError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('not_found', message, options);
  }
}

/** A lifecycle action that the goal's current state does not allow (accept a cancelled goal). */
export class IllegalTransitionError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('illegal_transition', message, options);
  }
}

/** Another process holds the goal; nothing was changed. */
export class BusyError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('busy', message, options);
  }
}

/** The state on disk is unreadable or inconsistent. */
export class StateError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('state', message, options);
  }
}

/** A state file written by a newer omk. */
export class UnsupportedVersionError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('unsupported_version', message, options);
  }
}

export class GitError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('git', message, options);
  }
}

export class ForgeError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('forge', message, options);
  }
}

export class PolicyViolationError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('policy_violation', message, options);
  }
}

/** A worktree could not be given the project's dependencies (an install or setup command failed). */
export class WorkspacePreparationError extends OmkError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('workspace', message, options);
  }
}

export function isOmkError(error: unknown): error is OmkError {
  return error instanceof OmkError;
}
