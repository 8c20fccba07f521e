import { readEventPayload } from '../../adapters/actions-runner/github-env.js';
import { REVIEW_EVENTS, reviewEvent } from '../../adapters/actions-runner/review-event.js';
import { fetchGoalBranches } from '../../adapters/git/goal-branches.js';
import { writeAccess } from '../../adapters/github/collaborator-permission.js';
import { reviewComments } from '../../adapters/github/review-comments.js';
import { createReviewReplies } from '../../adapters/github/review-replies.js';
import {
  type ChangeRequest,
  describeNote,
  type FixOutcome,
  fixNote,
  fixPullRequest,
  fixRan,
  type GoalRecord,
  goalBranchesFor,
  type PreparedAgent,
  prepareAgent,
  reviewFixRequests,
  UsageError,
  workflowFixStart,
} from '../../runtime/app/index.js';
import { agentChoice } from '../agent-choice.js';
import type { ActionRuntime } from '../compose.js';
import { onGoalPrepared, outcomeFor } from '../goal-state.js';
import { GOAL_ID_EXAMPLE } from '../inputs.js';
import type { CommandOutcome } from '../outcome.js';
import { baseOf } from './execute.js';

/**
 * `fix` in a `pull_request_review` (or `pull_request_review_comment`) workflow: the changes the
 * review asks on an omk PR run as a fix task on that PR's branch (fixPullRequest), the goal is
 * verified again, its PRs updated and each request answered. The goal comes from goal-id or from
 * the PR's branch (omk/<goal-id>/…). What the review asks, and whether its author may write, is
 * `reviewFixRequests`; a review that asks for nothing fixes nothing and passes.
 */
export async function fixCommand(rt: ActionRuntime): Promise<CommandOutcome> {
  const { eventName } = rt.github;
  const ask = reviewEvent(eventName, await readEventPayload(rt.github.eventPath));
  const start = workflowFixStart(ask, rt.inputs.goalId ?? null);
  if (start.kind === 'not_a_review') {
    throw new UsageError(
      `command: fix reads a review from the event that started the workflow, and ${eventName ?? 'no event'} is not ${REVIEW_EVENTS.join(' or ')} with a pull request.`,
      { hint: 'Run it on: pull_request_review: types: [submitted] (docs/action.md has the workflow).' },
    );
  }
  if (start.kind === 'not_omk') {
    throw new UsageError(
      `goal-id: not given, and PR #${start.pr ?? '?'}'s branch ${start.branch ?? ''} is not an omk branch (omk/<goal-id>/…).`,
      {
        hint: `Run fix only on omk PRs (if: startsWith(github.event.pull_request.head.ref, 'omk/')), or pass ${GOAL_ID_EXAMPLE}`,
      },
    );
  }
  const { goalId, ask: event } = start;
  const github = { token: rt.inputs.githubToken, repo: rt.github.repo, env: rt.env };
  const forge = {
    writeAccess: (author: string) => writeAccess(github, author),
    reviewComments: (pr: number, reviewId: number) => reviewComments(github, pr, reviewId),
  };
  // A review that asks for nothing, or by someone who may not write, runs nothing and saves nothing.
  const prepare = async (goal: GoalRecord): Promise<string | [ChangeRequest[], PreparedAgent]> => {
    const read = await reviewFixRequests(event, forge, rt.reporter);
    if (read.kind === 'nothing') return `Nothing to fix: ${read.why}.`;
    if (read.kind === 'no_write') {
      return `Nothing to fix: ${read.author} has ${read.role} permission on the repository; a fix needs write, maintain or admin.`;
    }
    return [
      read.requests,
      await prepareAgent(rt.app, goal.repo.root, await agentChoice(rt), goal.options.agent),
    ];
  };
  const step = await onGoalPrepared(
    rt,
    goalId,
    `fix: PR #${event.pr ?? '?'} of goal ${goalId}`,
    prepare,
    async (prepared): Promise<string | FixOutcome> => {
      if (typeof prepared === 'string' || event.kind === 'skip') return String(prepared);
      await fetchBranches(rt, goalId);
      const [requests, agent] = prepared;
      const replies = createReviewReplies(github);
      return fixPullRequest(rt.app, {
        goalId,
        pr: event.pr,
        requests,
        prepared: agent,
        replies,
        ...baseOf(rt),
      });
    },
    (value) => typeof value !== 'string',
  );
  if (typeof step === 'string') return outcomeFor(rt, 'fix', goalId, { notes: [step] });
  const note = describeNote(fixNote(step), rt.app.words);
  return outcomeFor(rt, 'fix', goalId, { judged: fixRan(step), notes: [note] });
}

/** The goal's branches from the repository, or (`goalBranchesFor`) this runner's, with a warning. */
async function fetchBranches(rt: ActionRuntime, goalId: string): Promise<void> {
  const source = await goalBranchesFor(() =>
    fetchGoalBranches(rt.repoRoot, goalId, { remote: rt.remote.url, env: rt.remote.env }),
  );
  if (source.from === 'runner') {
    rt.reporter.warn(`fix: the goal's branches were not fetched, so this runner's are used: ${source.why}`);
  }
}
