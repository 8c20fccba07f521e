import { join } from 'node:path';
import type { Finding, GateEvidence } from '../proof/schema.js';
import {
  controllerReview,
  renderReviewMarkdown,
  securityReview,
  testsWeakenedReview,
} from '../review/index.js';
import type { ChangedFile } from '../workspace/port.js';
import type { RunContext } from './context.js';

/** One change an agent made, as the reviews read it: a slice's attempt or a review fix. */
export interface ReviewedChange {
  /** The slice's or the fix task's id: its review artifact is `<taskId>.md`. */
  taskId: string;
  /** What the change may write ("." = the whole repository). */
  writes: readonly string[];
  changedFiles: readonly ChangedFile[];
  diff: string;
  gates: readonly GateEvidence[];
}

/**
 * The reviews every change an agent made gets, a slice's attempt and a review fix alike: scope
 * and write set, tests weakened, security (secrets and keys in any form omk knows, workflows,
 * dependencies, a credential omk holds).
 */
export function reviewChange(ctx: RunContext, change: ReviewedChange): Finding[] {
  const { holdsToken } = ctx.deps;
  const input = {
    taskId: change.taskId,
    writes: change.writes,
    allowedProtectedPaths: [],
    changedFiles: change.changedFiles,
    diff: change.diff,
    gates: change.gates,
    ...(holdsToken === undefined ? {} : { holdsToken }),
  };
  return [
    ...controllerReview(input),
    ...testsWeakenedReview(input, ctx.goal.goal.text),
    ...securityReview(input),
  ];
}

/** Writes the review artifact of a slice or fix task (every finding its run got, reviews and checks). */
export async function writeReview(
  ctx: RunContext,
  taskId: string,
  findings: readonly Finding[],
): Promise<void> {
  const { deps, goal } = ctx;
  await deps.store.files.writeAtomic(
    join(deps.store.paths(goal.id).reviewArtifacts, `${taskId}.md`),
    renderReviewMarkdown(findings, taskId),
  );
}
