import type { MergeMessage, PullRequest } from '../forge/port.js';
import { closingReferences } from '../review/closing-references.js';

/**
 * A squash's message, in place of GitHub's default (the branch's commit messages, where an agent's
 * `Fixes #1` would close that issue): the pull request's title, unless it holds a closing phrase
 * itself (a planner's slice title), and omk's own line.
 */
export function squashMessage(pr: Pick<PullRequest, 'number' | 'title'>, goalId: string): MergeMessage {
  const title = closingReferences(pr.title).length === 0 ? pr.title : `omk: goal ${goalId}`;
  return {
    title: `${title} (#${pr.number})`,
    body: `Squashed by omk from goal ${goalId}; the pull request keeps the branch's commits.`,
  };
}
