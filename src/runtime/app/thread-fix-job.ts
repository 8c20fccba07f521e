import type { RepoAgentSetting } from '../config/repo-settings.js';
import { isOmkError } from '../errors.js';
import type { ChangeRequest, ReviewReplies } from './fix.js';
import type { FixBatches } from './fix-batches.js';
import { type FixTarget, fixTarget } from './fix-target.js';
import { fixAnswer, type ThreadAnswer } from './thread-answer.js';
import { fixOnThread } from './thread-fix.js';
import type { ThreadCheckout } from './thread-host.js';
import type { ThreadRunHost } from './thread-run.js';
import { fixElsewhere } from './thread-words.js';
import type { HostVocabulary } from './vocabulary.js';

/** Changes asked on one PR of a thread's host, by a review, a review comment or a fix command. */
export interface ThreadFixJobRequest {
  /** The PR's key among the host's waiting fixes (`owner/repo#12`). */
  key: string;
  pr: number;
  /** The PR's head branch (null: the number names an issue): its goal is the fix's. */
  branch: string | null;
  requests: readonly ChangeRequest[];
  /** The repository's agent (`.github/omk.yml`), else the operator's. */
  agent: RepoAgentSetting | undefined;
  replies: ReviewReplies;
  fallbackBase: string;
}

/** How the host answers a fix once it ran (its answer) or failed (the error, worded by the host). */
export interface ThreadFixJobAnswers {
  answer(said: ThreadAnswer): Promise<unknown>;
  failed(error: unknown): Promise<unknown>;
}

/**
 * What became of the requests: refused (the lines say why), joined to the fix already waiting on
 * the PR, queued as a new fix, or not queued because the host's run queue is full.
 */
export type ThreadFixJob = { kind: 'refused'; lines: string[] } | { kind: 'joined' | 'queued' | 'full' };

/**
 * The review/fix loop's entry on a thread's host (the person's access was checked): the PR must be
 * an omk PR (its goal comes from its branch), the host must run fixes itself (else its workflow
 * does) and the goal must not be running here; then the requests join the fix waiting on the PR or
 * queue a new one on the host's run queue. A fix runs on a fresh checkout under the goal's lock
 * (`fixOnThread`) and is answered; a failure is answered too, and one that is no expected refusal
 * is thrown on (a bug for the queue to log).
 */
export function fixJobOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  batches: FixBatches,
  request: ThreadFixJobRequest,
  answers: ThreadFixJobAnswers,
  words: HostVocabulary,
): ThreadFixJob {
  const { pr } = request;
  const target = fixTarget({
    branch: request.branch,
    fixesHere: host.executesHere,
    running: (goalId) => host.runs.has(goalId),
  });
  if (target.kind !== 'start') return { kind: 'refused', lines: [fixRefusal(pr, target)] };
  const { goalId } = target;
  const fix = async (take: () => ChangeRequest[]) => {
    const { agent, replies, fallbackBase } = request;
    const done = await fixOnThread(host, { goalId, pr, take, agent, replies, fallbackBase });
    await answers.answer(fixAnswer(done, goalId, pr, words));
  };
  const failed = async (error: unknown) => {
    await answers.failed(error);
    if (!isOmkError(error)) throw error;
  };
  const push = (key: string, run: () => Promise<void>) => host.queueRun(key, run);
  return { kind: batches.queue(request.key, request.requests, push, fix, failed) };
}

/**
 * Why a fix asked on a PR does not start on this host. A goal running here is not queued for later:
 * the run lane runs jobs side by side, so a queued fix could start beside the run, read the goal
 * from the state branch before the run's push and be refused as not settled (`fixPullRequest`), or
 * push a new head under a merge the run pinned to the old one. Waiting for the run's push would
 * need a hook in that push, and an answer when the lane is full or closing by then.
 */
export function fixRefusal(pr: number, target: Exclude<FixTarget, { kind: 'start' }>): string {
  if (target.kind !== 'busy') return fixElsewhere(pr, target.kind);
  return `Goal ${target.goalId} is running in this app; ask again when it has settled.`;
}
