import { GOAL_ID_PATTERN } from '../goal/ids.js';
import { SLICE_ID_PATTERN } from './slice-id.js';

/**
 * omk's own branch names, in one place: `omk/<goal-id>/<slice-id>` for each slice, and two names
 * under a goal the runtime keeps for itself (`base`, `integration`). The state branch sits beside
 * them. Goal and slice ids are validated by their own patterns (goal/ids.ts, graph/slice-id.ts);
 * both are git ref components and directory names, so nothing else gets through.
 */

/** Branches omk owns; the only ones it may ever force (with a lease). */
export const OMK_BRANCH_PREFIX = 'omk/';
/** Where goal state is shared between runners (`--state-branch`, the Action and the bot). */
export const DEFAULT_STATE_BRANCH = `${OMK_BRANCH_PREFIX}state`;
/** The base checkout's workspace under a goal. */
export const BASE_ID = 'base';
/** The integration workspace and branch under a goal. */
export const INTEGRATION_ID = 'integration';
/** Ids a slice may not take: the runtime's own branches under the goal. */
export const RESERVED_SLICE_IDS: readonly string[] = [BASE_ID, INTEGRATION_ID];

/** A review fix task's id (`fix-<n>`): its events, agent runs and artifacts carry it. */
export function fixTaskId(fix: number): string {
  return `fix-${fix}`;
}

/** Whether an id is a review fix task's, which no slice may take. */
export function isFixTaskId(id: string): boolean {
  return /^fix-\d+$/.test(id);
}

/** `omk/<goal-id>/`: every branch of one goal starts with it. */
export function goalBranchPrefix(goalId: string): string {
  return `${OMK_BRANCH_PREFIX}${goalId}/`;
}

/** `omk/<goal-id>/<slice-id>`; callers that hand it to git validate the ids first. */
export function sliceBranchName(goalId: string, sliceId: string): string {
  return `${goalBranchPrefix(goalId)}${sliceId}`;
}

export function integrationBranchName(goalId: string): string {
  return sliceBranchName(goalId, INTEGRATION_ID);
}

/** The goal and slice of one of omk's branches, or null when `branch` is not one. */
export function parseOmkBranch(branch: string): { goalId: string; sliceId: string } | null {
  const [root, goalId, sliceId, ...rest] = branch.split('/');
  if (`${root}/` !== OMK_BRANCH_PREFIX || rest.length > 0 || goalId === undefined || sliceId === undefined) {
    return null;
  }
  return GOAL_ID_PATTERN.test(goalId) && SLICE_ID_PATTERN.test(sliceId) ? { goalId, sliceId } : null;
}

// A conservative subset of git-check-ref-format --branch (omk's own names fit it): nothing
// option-like, range-like, refspec-like or reflog-like (`@{`) can reach argv or a ref.
const SAFE_BRANCH = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/;
const UNSAFE_BRANCH_PART = /\.\.|\/\/|\/\.|[/.]$|\.lock(\/|$)/;
// C0 controls and DEL: a newline in a name would start a new line in logs (and workflow commands).
const hasControl = (name: string) =>
  [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
/** git's own names for special refs (HEAD, FETCH_HEAD, ORIG_HEAD, MERGE_HEAD, ...). */
const SPECIAL_REF = /^(?:[A-Z]+_)*HEAD$/;

/**
 * Why `name` cannot be a branch omk reads, pushes or targets, or null when it can: one rule for
 * every branch a user names (base branches, the state branch) and every branch a forge pushes.
 */
export function branchNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (hasControl(name)) return 'it contains a control character (a newline?)';
  if (name.startsWith('refs/')) return 'it is a full ref: name the branch without refs/heads/';
  if (SPECIAL_REF.test(name)) return `${name} is one of git's special refs, not a branch`;
  if (!SAFE_BRANCH.test(name) || UNSAFE_BRANCH_PART.test(name)) {
    return 'git does not allow it (letters, digits, ., _, -, / only; no .., //, leading - or ., trailing / or .)';
  }
  return null;
}

/**
 * Why `name` cannot be the state branch, or null: a branch name under `omk/` that is not one of a
 * goal's own branches nor any branch `others` names (the base, the repository's default branch),
 * so goal state is never committed onto code.
 */
export function stateBranchProblem(
  name: string,
  others: Readonly<Record<string, string | undefined>> = {},
): string | null {
  const problem = branchNameProblem(name);
  if (problem !== null) return problem;
  if (!name.startsWith(OMK_BRANCH_PREFIX) || name === OMK_BRANCH_PREFIX) {
    return `it is not under ${OMK_BRANCH_PREFIX}: goal state is committed only on a branch of omk's own`;
  }
  if (parseOmkBranch(name) !== null)
    return `it is a goal's own branch (${OMK_BRANCH_PREFIX}<goal-id>/<slice>)`;
  for (const [what, branch] of Object.entries(others)) {
    if (branch === name) return `it is ${what}`;
  }
  return null;
}

// Characters a message must not carry raw: C0/C1 controls, line and paragraph separators, and the
// invisible format characters (soft hyphen, bidi marks and overrides, zero-width, BOM) that can
// hide or reorder what a terminal or a log shows.
const UNSHOWABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped.
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Untrusted text as a message shows it: every control, separator, bidi and zero-width character
 * as a `\uXXXX` escape (a backslash doubled), so it prints on one line as what it is.
 */
export function shownText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(UNSHOWABLE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A name as a message shows it: see shownText. */
export function shownBranch(name: string): string {
  return shownText(name);
}
