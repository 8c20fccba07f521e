import { UsageError } from '../errors.js';
import type { DeliveryPolicy, GoalRecord } from '../goal/schema.js';
import { branchNameProblem, shownBranch } from '../graph/branches.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * The delivery policy of a goal started by a host that keeps no machine between jobs (the bot):
 * PRs, as drafts unless told otherwise. `local` keeps branches on the machine that ran the goal,
 * so such a host refuses it (`keepsBranchesLocally`).
 */
export const MACHINELESS_DEFAULT_POLICY: DeliveryPolicy = 'draft-pr';

export function keepsBranchesLocally(policy: string): boolean {
  return policy.trim() === 'local';
}

/** Where a goal's PRs go, as a front door asks for it. */
export interface TargetRequest {
  /** The policy asked for; else the goal's, and draft PRs for a goal whose policy is local. */
  policy?: DeliveryPolicy;
  /** Draft PRs asked for by a switch of their own: policy draft-pr, and no other policy with it. */
  draft?: boolean;
  /** The base branch asked for; else the branch the goal started on, else `fallbackBase`. */
  base?: string;
  /** The host's own default (the event's branch, the repository's default branch). */
  fallbackBase?: string;
}

/** The base for a goal's PRs: the one asked for, the goal's own branch, the host's default. */
export function baseFor(goal: GoalRecord, request: Pick<TargetRequest, 'base' | 'fallbackBase'>) {
  return request.base ?? goal.repo.baseRef ?? request.fallbackBase;
}

/**
 * The policy a request asks for beside the draft switch, when the two contradict (draft PRs and
 * auto-pr, or draft PRs and local); null when they agree or only one is asked. Neither wins: a
 * host refuses the request before it touches the goal, naming both as its user spelled them.
 */
export function draftConflict(
  request: Pick<TargetRequest, 'policy' | 'draft'>,
): Exclude<DeliveryPolicy, 'draft-pr'> | null {
  const { draft, policy } = request;
  return draft === true && policy !== undefined && policy !== 'draft-pr' ? policy : null;
}

/**
 * The one open-PR rule. An explicit request to open PRs opens them: a goal created with the
 * default `local` policy gets draft PRs (dry runs show exactly that), while asking for `local`
 * itself is a contradiction, refused, as is asking for draft PRs and another policy at once
 * (`draftConflict`). A goal begun on a detached HEAD needs a base named, and the base must be a
 * branch name the push adapter would accept: a dry run refuses what the real run refuses, and a
 * name with a newline never reaches a log line.
 */
export function deliveryTarget(
  goal: GoalRecord,
  request: TargetRequest,
  words: HostVocabulary,
): { policy: 'draft-pr' | 'auto-pr'; base: string } {
  const conflict = draftConflict(request);
  if (conflict !== null) {
    throw new UsageError(
      `Draft PRs and policy ${conflict} were both asked for goal ${goal.id}; they contradict each other, so nothing was opened.`,
      {
        hint: `Ask for one: ${words.fields.given('policy', 'draft-pr')} for drafts, or ${words.fields.given('policy', 'auto-pr')} for PRs ready for review.`,
      },
    );
  }
  if (request.policy === 'local') {
    throw new UsageError(
      `open-pr opens pull requests, so its policy must be draft-pr or auto-pr, not local (goal ${goal.id}).`,
      { hint: `Example: ${words.fields.given('policy', 'draft-pr')}` },
    );
  }
  const asked = request.policy ?? (request.draft === true ? 'draft-pr' : goal.options.policy);
  const policy = asked === 'local' ? 'draft-pr' : asked;
  const base = baseFor(goal, request);
  // An empty name asked for is a bad name, not a detached HEAD: the branch rule words it.
  if (base === undefined || (base === '' && request.base === undefined)) {
    throw new UsageError(
      `Goal ${goal.id} started on a detached HEAD, so there is no base branch to open PRs against.`,
      { hint: `Name one: ${words.fields.given('baseBranch', 'main')}` },
    );
  }
  const problem = branchNameProblem(base);
  if (problem !== null) {
    throw new UsageError(`The base branch '${shownBranch(base)}' cannot take PRs: ${problem}.`, {
      hint: `Example: ${words.fields.given('baseBranch', 'main')}`,
    });
  }
  return { policy, base };
}
