import { type ErrorCode, settledVerdict, type WatchView } from '../runtime/app/index.js';

/** Exit codes, documented in `omk --help` and docs/cli.md. One table, one place. */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  not_found: 3,
  refused: 4,
  busy: 5,
  state: 6,
  git: 7,
  forge: 8,
  budget: 9,
  not_ready: 10,
  interrupted: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'usage':
    case 'config':
      return EXIT_CODES.usage;
    case 'not_found':
      return EXIT_CODES.not_found;
    case 'illegal_transition':
    case 'policy_violation':
      return EXIT_CODES.refused;
    case 'busy':
      return EXIT_CODES.busy;
    case 'state':
    case 'workspace':
    case 'agent_unavailable':
    case 'unsupported_version':
      return EXIT_CODES.state;
    case 'git':
      return EXIT_CODES.git;
    case 'forge':
      return EXIT_CODES.forge;
    case 'budget':
      return EXIT_CODES.budget;
    case 'internal':
      return EXIT_CODES.internal;
  }
}

/** What a settled goal exits with (`omk goal watch`): its verdict's code. */
export function goalExitCode(settled: NonNullable<WatchView['settled']>): number {
  return EXIT_CODES[settledVerdict(settled)];
}

export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected internal error (please report it)
  2  invalid input: a flag, argument or config value (the message shows a correct example)
  3  not found: no such goal (see 'omk goal list')
  4  refused: the goal's state does not allow this (e.g. accept a cancelled goal), or a gated merge is blocked
  5  busy: another omk process holds the goal; retry
  6  state: a state file is damaged or written by a newer omk, or this machine cannot run the goal (a worktree that cannot be prepared, an agent CLI that cannot run)
  7  git: a git command failed (or the directory is not a repository)
  8  forge: the GitHub (or local forge) API refused or failed
  9  budget: the goal's budget is exhausted (see 'omk goal budget-add')
 10  not ready: with --until-ready, the goal ended without a ready proof (see 'omk goal proof')
130  interrupted by SIGINT/SIGTERM; the goal is resumable ('omk goal resume')`;
