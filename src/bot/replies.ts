import {
  type Access,
  type BudgetView,
  BusyError,
  type DeliverResult,
  describeNote,
  type FixTarget,
  isOmkError,
  type LifecycleResult,
  type MergeGoalResult,
  mergeNote,
  type Proof,
  quoteUntrusted,
  RequestError,
  type ThreadContinuation,
  type ThreadNote,
  type TrustedStep,
  type UntrustedCustomAgent,
} from '../runtime/app/index.js';
import {
  clip,
  code,
  formatDuration,
  plainMessage,
  renderProofMarkdown,
  text,
} from '../runtime/app/render.js';
import { HELP_FOOTER, type Subcommand, usageBlock } from './usage.js';
import { BOT_STEPS, BOT_WORDS, usdAmount, wordIssues } from './wording.js';

/**
 * Every reply the bot writes, as pure functions of what happened, and the plain-text lines of its
 * replies and status comments (render.ts escapes those). User text is clipped and escaped; no
 * reply starts a line with `/omk`, so a reply can never be read as a command.
 */

/** GitHub refuses comments over 65,536 characters. */
const MAX_REPLY = 60_000;

function to(login: string): string {
  // Logins are [A-Za-z0-9-] (plus `[bot]`): safe to mention as they are.
  return /^[A-Za-z0-9-]+(\[bot\])?$/.test(login) ? `@${login}` : text(login);
}

function bounded(body: string): string {
  return body.length > MAX_REPLY ? `${body.slice(0, MAX_REPLY)}…\n` : body;
}

export function helpReply(login: string): string {
  return `${to(login)} here is what I can do:\n\n${usageBlock()}\n\n${HELP_FOOTER}\n`;
}

export function usageReply(login: string, problem: string, topic: Subcommand | null): string {
  return `${to(login)} I could not read that command: ${text(clip(problem, 600))}\n\n${usageBlock(topic ?? undefined)}\n`;
}

export function bidiReply(login: string): string {
  return (
    `${to(login)} that command line holds bidirectional control characters, which can make it read ` +
    'differently from what it does, so I did not act on it. Please type it again without them.\n'
  );
}

export function refusalReply(login: string, need: Access): string {
  const what = need === 'write' ? 'start or change goals' : 'read goals';
  const roles = need === 'write' ? 'write, maintain or admin' : 'read';
  return (
    `${to(login)} thanks for the suggestion! Only people with ${roles} permission on this repository can ` +
    `${what} with omk, so I did not act on it. A maintainer can run the same command if they agree.\n`
  );
}

export function busyReply(login: string): string {
  return `${to(login)} omk is busy right now and could not queue this command. Please try again in a few minutes.\n`;
}

export function noGoalReply(login: string): string {
  return (
    `${to(login)} there is no omk goal in this thread yet. Start one with ${code('/omk goal run "<goal>"')}, ` +
    'or name the goal: add its GOAL_ID to the command.\n'
  );
}

/** The one place errors become words for a person: typed errors with their hint, others hidden. */
export function errorReply(login: string, error: unknown): string {
  if (isOmkError(error)) {
    // Quoted: a hint that starts with a command example can never read as a command.
    const words = error.hintIn(BOT_STEPS);
    const hint = words ? `\n\n> ${text(clip(words, 600))}` : '';
    const message = error instanceof RequestError ? wordIssues(error.issues) : error.message;
    return `${to(login)} ${text(clip(message, 1000))}${hint}\n`;
  }
  return `${to(login)} omk hit an internal error and stopped; nothing else was changed. The app's log has the details.\n`;
}

/** The first line after the mention, the others as a list (no line of it can start a command). */
export function plainReply(login: string, lines: readonly string[]): string {
  const [first = '', ...rest] = lines.map((line) => text(line));
  return bounded(`${to(login)} ${first}${rest.map((line) => `\n- ${line}`).join('')}\n`);
}

export function proofReply(login: string, goalId: string, proof: Proof | null): string {
  const body = proof === null ? 'The goal has no proof yet.' : renderProofMarkdown(proof, BOT_STEPS);
  return bounded(`@${login} the proof of goal \`${goalId}\`:\n\n${body}`);
}

/** Why a fix asked on a PR does not start here. */
export function fixRefusalReply(
  login: string,
  pr: number,
  target: Exclude<FixTarget, { kind: 'start' }>,
): string {
  switch (target.kind) {
    case 'not_omk_pr':
      return plainReply(login, [
        `#${pr} is not an omk PR (its branch is not omk/<goal-id>/…), so there is nothing for omk to fix.`,
      ]);
    case 'fixes_elsewhere':
      return plainReply(login, [
        "In actions mode, fixes run in the repository's workflow: the omk Action's fix command on pull_request_review events (docs/action.md).",
      ]);
    case 'busy':
      return errorReply(
        login,
        new BusyError(`Goal ${target.goalId} is running in this app; ask again when it has settled.`),
      );
  }
}

export function notOnStateBranch(goalId: string): string {
  return `Goal ${goalId} is not on the state branch.`;
}

export function mergeNotes(merge: MergeGoalResult | null): string[] {
  return merge === null ? [] : [describeNote(mergeNote(merge), BOT_WORDS)];
}

export function transitionNote(result: LifecycleResult): string {
  const to = result.goal.status.replace(/_/g, ' ');
  return `Goal ${result.goal.id}: ${result.previous.replace(/_/g, ' ')} → ${to}.`;
}

/** What continues a resumed goal, in words. */
export function continuationNote(next: ThreadContinuation, workflow: string): string[] {
  if (next === 'dispatched') return [`Dispatched the ${workflow} workflow to continue it.`];
  return next === 'continuing' ? ['Continuing it here.'] : [];
}

export function deliveryNotes(result: DeliverResult | null): string[] {
  const lines =
    result === null
      ? []
      : [
          ...result.delivered.map(
            (pull) => `${pull.sliceId ?? 'integrator'}: PR #${pull.number} ${pull.url}`,
          ),
          ...result.plan.skipped.map((skip) => `skipped ${skip.sliceId}: ${skip.reason}`),
        ];
  return lines.length > 0 ? lines : ['Nothing to deliver yet.'];
}

function amount(kind: 'timeMs' | 'tokens' | 'usd', value: number | null): string {
  if (value === null) return 'unlimited';
  if (kind === 'timeMs') return formatDuration(value);
  return kind === 'usd' ? usdAmount(value) : String(value);
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
 * What stopped a run, for its status comment: the error's first line with paths and git command
 * lines put in words, and its hint (what to do). An error omk did not expect is not described:
 * the app's log has it.
 */
export function failureNotes(error: unknown): string[] {
  if (!isOmkError(error))
    return ["Stopped by an internal error. The app's log has the details; resume the goal to try again."];
  const hint = error.hintIn(BOT_STEPS);
  return [
    `Stopped by an error: ${plainMessage(error.message)}`,
    ...(hint ? [`What to do: ${plainMessage(hint)}`] : []),
  ];
}

/** What the refused command would have done: start a goal, resume one, or fix a PR. */
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

/** A goal's status notes in the words of a comment. */
export function noteLines(notes: readonly ThreadNote[]): string[] {
  return notes.flatMap((note) => {
    switch (note.code) {
      case 'failed':
        return failureNotes(note.error);
      case 'not_shared':
        return [notOnStateBranch(note.goalId)];
      case 'untrusted_agent':
        return untrustedAgentLines(note.found, note.step);
      default:
        return [describeNote(note, BOT_WORDS)];
    }
  });
}
