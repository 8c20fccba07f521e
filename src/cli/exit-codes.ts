import type { ExitVerdict } from '../runtime/app/index.js';

/** The number each verdict exits with, documented in `omk --help` and docs/cli.md. One table, one place. */
export const EXIT_CODES: Record<ExitVerdict, number> = {
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
};

export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected internal error (please report it)
  2  invalid input: a flag, argument or config value (the message shows a correct example)
  3  not found: no such goal (see 'omk goal list')
  4  refused: the goal's state does not allow this (e.g. accept a cancelled goal), a gated merge is blocked, or a cancel stopped open-pr, merge or fix part-way
  5  busy: another omk process holds the goal; retry
  6  state: a state file is damaged or written by a newer omk, or this machine cannot run the goal (a worktree that cannot be prepared, an agent CLI that cannot run)
  7  git: a git command failed (or the directory is not a repository)
  8  forge: the GitHub (or local forge) API refused or failed
  9  budget: the goal's budget is exhausted (see 'omk goal budget-add')
 10  not ready: with --until-ready, the goal ended without a ready proof (see 'omk goal proof')
130  interrupted by SIGINT/SIGTERM, or a pause stopped open-pr, merge or fix part-way; the goal is resumable ('omk goal resume')`;
