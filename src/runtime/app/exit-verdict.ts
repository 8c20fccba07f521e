import type { ErrorCode } from '../errors.js';
import type { GoalVerdict } from './reports.js';

/**
 * Every way a command can end that a caller may tell apart: what a goal came to (`GoalVerdict`)
 * and what kind of error stopped the command. A front door spells each (the CLI's exit codes,
 * `cli/exit-codes.ts`).
 */
export type ExitVerdict =
  | GoalVerdict
  | 'internal'
  | 'usage'
  | 'not_found'
  | 'busy'
  | 'state'
  | 'git'
  | 'forge';

/**
 * What a typed error makes of a command: bad input and a bad config are usage; an illegal
 * transition and a policy violation are refusals; a workspace that cannot be prepared, an agent that
 * cannot run and state from a newer omk are state problems of this machine.
 */
export function errorVerdict(code: ErrorCode): ExitVerdict {
  switch (code) {
    case 'usage':
    case 'config':
      return 'usage';
    case 'illegal_transition':
    case 'policy_violation':
      return 'refused';
    case 'workspace':
    case 'agent_unavailable':
    case 'unsupported_version':
    case 'state':
      return 'state';
    case 'not_found':
    case 'busy':
    case 'git':
    case 'forge':
    case 'budget':
    case 'internal':
      return code;
  }
}

/** A proof read back (`goal proof`): one edited after omk wrote it is damaged state, not the truth. */
export function proofReadVerdict(digestValid: boolean): ExitVerdict {
  return digestValid ? 'ok' : 'state';
}

/** The doctor's report: a failed check means this setup cannot run a goal as asked (usage). */
export function doctorVerdict(report: { ok: boolean }): ExitVerdict {
  return report.ok ? 'ok' : 'usage';
}

/**
 * The demo: anything short of a ready proof and a merge is not ready (and a bug in omk); else what
 * its run came to (`runVerdict`, null when it settled).
 */
export function demoVerdict(succeeded: boolean, run: ExitVerdict | null): ExitVerdict {
  return succeeded ? (run ?? 'ok') : 'not_ready';
}
