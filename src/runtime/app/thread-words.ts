import type { BudgetView } from '../budget/ops.js';
import type { DeliverResult } from '../delivery/deliver.js';
import { keptBranchText } from '../delivery/kept-local.js';
import type { MergeGoalResult } from '../delivery/merge.js';
import { isOmkError } from '../errors.js';
import type { LifecycleResult } from '../goal/actions.js';
import { quoteUntrusted } from '../graph/paths.js';
import { plainMessage } from '../markdown/plain-words.js';
import { tokenCount, usdAmount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
import type { AcceptOutcome } from './accept.js';
import type { Access } from './access.js';
import type { UntrustedCustomAgent } from './agent-trust.js';
import { describeNote, mergeNote, type WithheldNote } from './notes.js';
import type { ThreadNote, TrustedStep } from './thread-host.js';
import type { ThreadContinuation } from './thread-run.js';
import { type HostVocabulary, plainVocabulary } from './vocabulary.js';

/**
 * What a thread's steps came to, as plain-text lines a GitHub host puts in its replies and status
 * comments (the host escapes them): the outcomes of `commandOnThread`, `continueOnThread`,
 * `fixOnThread` and the notes of a goal's status, next steps spelled in the host's words.
 */

/** Who holds a repository role or a higher one, in words. */
export const ROLES_FROM = {
  read: 'read',
  write: 'write, maintain or admin',
  maintain: 'maintain or admin',
  admin: 'admin',
} as const;

/** Why a person without the access a request needs (read or write) was refused, and what to do. */
export function accessRefusal(need: Access): string {
  const write = need === 'write';
  return `thanks for the suggestion! Only people with ${ROLES_FROM[write ? 'write' : 'read']} permission on this repository can ${write ? 'start or change goals' : 'read goals'} with omk, so I did not act on it. A maintainer can run the same command if they agree.`;
}

/** Why a fix asked on PR #`pr` does not run in this app: not an omk PR, or fixes run in the repository's workflow. */
export function fixElsewhere(pr: number, why: 'not_omk_pr' | 'fixes_elsewhere'): string {
  return why === 'not_omk_pr'
    ? `#${pr} is not an omk PR (its branch is not omk/<goal-id>/…), so there is nothing for omk to fix.`
    : "In actions mode, fixes run in the repository's workflow: the omk Action's fix command on pull_request_review events (docs/action.md).";
}

export function notOnStateBranch(goalId: string): string {
  return `Goal ${goalId} is not on the state branch.`;
}

export function mergeNotes(merge: MergeGoalResult | null, words: HostVocabulary): string[] {
  return merge === null ? [] : [describeNote(mergeNote(merge), words)];
}

/** A delivery a person stopped (merge, accept), in a reply: what stays open and what was not opened. */
export function withheldLines(withheld: WithheldNote | null, words: HostVocabulary): string[] {
  return withheld === null ? [] : [describeNote(withheld, words)];
}

/**
 * An acceptance from a thread: the transition and who gave it, the PRs delivered again, and what
 * the gated merge made of it (nothing said where the goal's merge is not gated).
 */
export function acceptedNotes(outcome: AcceptOutcome, words: HostVocabulary): string[] {
  const by = outcome.result.proof.delivery.acceptance?.by;
  const said = transitionNote(outcome.result, by === undefined ? '' : `, accepted by ${by}`);
  const { merge } = outcome;
  const merged = merge.evaluated
    ? mergeNotes(merge.result, words)
    : merge.why === 'not_gated' || merge.why === 'withheld'
      ? []
      : [`The gated merge did not take it: ${merge.detail}.`];
  return [said, ...withheldLines(outcome.withheld, words), ...merged];
}

export function transitionNote(result: LifecycleResult, after = ''): string {
  const to = result.goal.status.replace(/_/g, ' ');
  return `Goal ${result.goal.id}: ${result.previous.replace(/_/g, ' ')} → ${to}${after}.`;
}

/** What continues a resumed goal, in words (`workflow`: the one a dispatch runs). */
export function continuationNote(next: ThreadContinuation, workflow: string): string[] {
  if (next === 'dispatched') return [`Dispatched the ${workflow} workflow to continue it.`];
  return next === 'continuing' ? ['Continuing it here.'] : [];
}

export function deliveryNotes(
  result: DeliverResult | null,
  withheld: WithheldNote | null = null,
  words: HostVocabulary = plainVocabulary,
): string[] {
  const lines =
    result === null
      ? []
      : [
          ...result.delivered.map(
            (pull) => `${pull.sliceId ?? 'integrator'}: PR #${pull.number} ${pull.url}`,
          ),
          ...result.plan.skipped.map((skip) => `skipped ${skip.sliceId}: ${skip.reason}`),
          ...result.plan.kept.map(keptBranchText),
        ];
  // A person stopped it part-way: what stays open and what was not opened.
  if (withheld !== null) lines.push(describeNote(withheld, words));
  return lines.length > 0 ? lines : ['Nothing to deliver yet.'];
}

function amount(kind: 'timeMs' | 'tokens' | 'usd', value: number | null): string {
  if (value === null) return 'unlimited';
  if (kind === 'timeMs') return formatDuration(value);
  return kind === 'usd' ? usdAmount(value) : tokenCount(value);
}

export function budgetNotes(view: BudgetView): string[] {
  const kinds = [
    ['time', 'timeMs'],
    ['tokens', 'tokens'],
    ['usd', 'usd'],
  ] as const;
  return [
    `Budget of goal ${view.goalId}:`,
    ...kinds.map(
      ([label, kind]) =>
        `${label}: spent ${amount(kind, view.spent[kind])} of ${amount(kind, view.limits[kind])}, remaining ${amount(kind, view.remaining[kind])}`,
    ),
  ];
}

/**
 * How much of a hint a status shows. A hint is omk's own words, read to the end: a refusal's names
 * the host's fix and then the ways out (the sandbox's, some 400 characters in a comment's words),
 * so an error message's 300 would cut the last way out; only a runaway one is cut.
 */
const HINT_CHARS = 800;

/**
 * What stopped a run: the error's first line with paths and git command lines put in words, and
 * its hint (what to do). An error omk did not expect is not described: the app's log has it.
 */
export function failureNotes(error: unknown, words: HostVocabulary): string[] {
  if (!isOmkError(error))
    return ["Stopped by an internal error. The app's log has the details; resume the goal to try again."];
  const hint = error.hintIn(words.steps);
  return [
    `Stopped by an error: ${plainMessage(error.message)}`,
    ...(hint ? [`What to do: ${plainMessage(hint, HINT_CHARS)}`] : []),
  ];
}

/** What the refused step would have done: start a goal, resume one, or fix a PR. */
const REFUSED: Record<TrustedStep, { done: string; goal: string }> = {
  start: { done: 'Not started', goal: 'this goal' },
  resume: { done: 'Not resumed', goal: 'this goal' },
  fix: { done: 'Not fixed', goal: 'the fix' },
};

/** Why a step was refused an agent the repository's config defines or extends, and what to do. */
export function untrustedAgentLines(found: UntrustedCustomAgent, trusted: TrustedStep): string[] {
  const step = REFUSED[trusted];
  const use =
    found.role === 'planner' ? `planner.agent names it to plan ${step.goal}` : `${step.goal} would run it`;
  if (found.kind === 'settings') {
    const key = quoteUntrusted(found.key);
    return [
      `${step.done}: ${found.file} sets ${key}, arguments, environment names or HOME files for the agent ${quoteUntrusted(found.name)}, and ${use}. This app uses no arguments, variables or HOME files a repository adds to an agent (an agent CLI's flags can make it run any command, a variable's name would hand it the app's secret of that name, and a HOME file a file of the app's), so nothing was run.`,
      `Remove ${key} from ${found.file} (its startupSilence and networkStall may stay), then ask again; what the agent needs beyond that is the app's operator's to set.`,
    ];
  }
  return [
    `${step.done}: ${found.file} defines ${found.key}, a custom agent, and ${use}. This app runs no agent a repository defines for itself (whoever can push that file could make it run any command with the app's credentials), so nothing was run.`,
    `Remove ${found.key} from ${found.file}, or stop naming ${found.name} in agents.default and planner.agent, then ask again.`,
    `For a command of your own, set agent: { command: [...] } in .github/omk.yml and ask the app's operator to allow command:<program>.`,
  ];
}

/** A goal's status notes as lines. */
export function threadNoteLines(notes: readonly ThreadNote[], words: HostVocabulary): string[] {
  return notes.flatMap((note) => {
    switch (note.code) {
      case 'failed':
        return failureNotes(note.error, words);
      case 'not_shared':
        return [notOnStateBranch(note.goalId)];
      case 'untrusted_agent':
        return untrustedAgentLines(note.found, note.step);
      default:
        return [describeNote(note, words)];
    }
  });
}
