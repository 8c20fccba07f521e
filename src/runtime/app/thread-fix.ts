import type { RepoAgentSetting } from '../config/repo-settings.js';
import type { UntrustedCustomAgent } from './agent-trust.js';
import { type ChangeRequest, type FixOutcome, fixPullRequest, type ReviewReplies } from './fix.js';
import { fixNote } from './goal-steps.js';
import { repoRunAgent } from './repo-agent.js';
import { fixRan } from './reports.js';
import { onSharedGoal, type ThreadCheckout, type ThreadHost } from './thread-host.js';
import { fixStepPlan } from './thread-job.js';
import { untrustedGoalAgent } from './thread-trust.js';

/** A review fix on one of a goal's PRs, run by a thread's host in a fresh checkout. */
export interface ThreadFixRequest {
  goalId: string;
  pr: number;
  /** The requests to answer, taken as late as possible: what arrived while the checkout was made runs too. */
  take: () => ChangeRequest[];
  /** The repository's agent (`.github/omk.yml`), else the operator's. */
  agent: RepoAgentSetting | undefined;
  replies: ReviewReplies;
  fallbackBase: string;
}

export type ThreadFix =
  /** The checkout's config would run an agent the host does not trust: nothing ran. */
  | { kind: 'refused'; found: UntrustedCustomAgent }
  | { kind: 'not_shared' }
  | { kind: 'done'; outcome: FixOutcome };

/**
 * The review/fix loop on a thread's host: the agent trust asked first (nothing written when it
 * refuses), then the fix on the goal's state from the state branch, pushed whatever happened (its
 * request ids above all), and its note on the goal's status unless every request was handled.
 */
export function fixOnThread<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  request: ThreadFixRequest,
): Promise<ThreadFix> {
  const { goalId, pr } = request;
  return host.checkout('full', async (ws): Promise<ThreadFix> => {
    const found = await untrustedGoalAgent(host, ws, 'fix', request.agent, goalId);
    if (found !== null) return { kind: 'refused', found };
    const step = await onSharedGoal(
      host,
      goalId,
      fixStepPlan(goalId, pr),
      async () =>
        fixPullRequest(host.app(ws), {
          goalId,
          pr,
          requests: request.take(),
          agent: await repoRunAgent(ws.repoRoot, request.agent, host.operatorAgent),
          replies: request.replies,
          fallbackBase: request.fallbackBase,
          ...(host.shutdown === undefined ? {} : { signal: host.shutdown }),
        }),
      ws,
    );
    if (step.kind === 'not_shared') return { kind: 'not_shared' };
    if (fixRan(step.value)) {
      // A person's stop while its PRs were updated: the status says what stays and what was not opened.
      const { withheld } = step.value;
      await host.show(ws.store, goalId, 'settled', [
        fixNote(step.value),
        ...(withheld === null ? [] : [withheld]),
      ]);
    }
    return { kind: 'done', outcome: step.value };
  });
}
