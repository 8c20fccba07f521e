import { NotFoundError } from '../errors.js';
import type { Proof } from '../proof/schema.js';
import { fixNote } from './goal-steps.js';
import { describeNote } from './notes.js';
import { commandOnThread, type ThreadCommandRequest } from './thread-command.js';
import type { ThreadFix } from './thread-fix.js';
import type { ThreadCheckout } from './thread-host.js';
import { continueOnThread, type ThreadRunHost, type ThreadRunOptions } from './thread-run.js';
import {
  acceptedNotes,
  budgetNotes,
  continuationNote,
  deliveryNotes,
  mergeNotes,
  notOnStateBranch,
  transitionNote,
  untrustedAgentLines,
  withheldLines,
} from './thread-words.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * What a thread's host answers a command with, as data it words: plain lines (the first after the
 * mention, the others a list), the goal's proof, or nothing (the status comment is the answer, or
 * a log line is enough).
 */
export type ThreadAnswer =
  | { kind: 'lines'; lines: string[] }
  | { kind: 'proof'; goalId: string; proof: Proof | null }
  | { kind: 'log'; line: string }
  | { kind: 'none' };

/** Where a goal command runs, for its answer: the repository's name and the workflow goals continue in. */
export interface ThreadPlace {
  repoName: string;
  workflow: string;
}

/**
 * A command on one goal from a thread (`commandOnThread`), then what follows a resume
 * (`continueOnThread`: the workflow dispatched, or a run queued here), and the answer. A goal not on
 * the state branch is a NotFoundError; `busy` says the run a resume queues found the queue full (the
 * host says so before the answer).
 */
export async function goalCommandOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  request: ThreadCommandRequest,
  options: ThreadRunOptions,
  place: ThreadPlace,
  words: HostVocabulary,
): Promise<{ answer: ThreadAnswer; busy: boolean }> {
  const { goalId } = request;
  const done = await commandOnThread(host, request);
  const lines = (list: string[]) => ({ answer: { kind: 'lines', lines: list } as const, busy: false });
  if (done.kind === 'refused') return lines(untrustedAgentLines(done.found, 'resume'));
  if (done.kind === 'not_shared') {
    throw new NotFoundError(`There is no goal ${goalId} on the state branch of ${place.repoName}.`, {
      hint: 'Check the GOAL_ID in the status comment of the thread that started it.',
    });
  }
  const { result } = done;
  switch (result.kind) {
    case 'status':
      return { answer: { kind: 'none' }, busy: false };
    case 'proof':
      return { answer: { kind: 'proof', goalId, proof: result.proof }, busy: false };
    case 'budget':
      return lines(budgetNotes(result.view));
    case 'delivered':
      return lines(deliveryNotes(result.result, result.withheld, words));
    case 'merged':
      return lines([...mergeNotes(result.result, words), ...withheldLines(result.withheld, words)]);
    case 'accepted':
      return lines(acceptedNotes(result.outcome, words));
    case 'transition': {
      const next = await continueOnThread(host, goalId, result.followUp, options);
      const answer = lines([transitionNote(result.result), ...continuationNote(next, place.workflow)]);
      return { ...answer, busy: next === 'busy' };
    }
  }
}

/** What a thread's host answers a review fix with (`fixOnThread`'s outcome); a fix that ran answers in its own threads. */
export function fixAnswer(fix: ThreadFix, goalId: string, pr: number, words: HostVocabulary): ThreadAnswer {
  if (fix.kind === 'refused') return { kind: 'lines', lines: untrustedAgentLines(fix.found, 'fix') };
  if (fix.kind === 'not_shared') return { kind: 'lines', lines: [notOnStateBranch(goalId)] };
  if (fix.outcome.kind === 'already_handled')
    return { kind: 'log', line: `fix on PR #${pr}: ${describeNote(fixNote(fix.outcome), words)}` };
  return { kind: 'none' };
}
