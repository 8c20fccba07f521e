import { join } from 'node:path';
import { MAX_READ_BYTES } from '../gates/detector.js';
import { allowedProtectedPaths } from '../graph/protected.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { isTestPath } from '../review/files.js';
import {
  controllerReview,
  gateDefinitionPaths,
  gateDefinitionReview,
  renderReviewMarkdown,
  securityReview,
  testsWeakenedReview,
} from '../review/index.js';
import { testsEditedByChange } from '../review/tests-weakened.js';
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
  /**
   * The change is pushed as soon as it passes review (a review fix, onto its PR's branch): no
   * person reads it first, so even a goal created to change its workflows may not change them here.
   */
  pushedAtOnce?: boolean;
  /** The head's committed text of its changed test files (headTestTexts). */
  headTexts?: ReadonlyMap<string, string>;
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
    allowedProtectedPaths: allowedProtectedPaths(
      ctx.goal.options.allowWorkflowEdits && change.pushedAtOnce !== true,
    ),
    changedFiles: change.changedFiles,
    diff: change.diff,
    gates: change.gates,
    ...(holdsToken === undefined ? {} : { holdsToken }),
    ...(change.headTexts === undefined ? {} : { headTexts: change.headTexts }),
  };
  return [
    ...controllerReview(input),
    ...testsWeakenedReview(input, ctx.goal.goal.text),
    ...securityReview(input),
  ];
}

/**
 * The changed test files (and Rust files, which hold unit tests and doc tests inline) as committed
 * at the change's head: the tests-weakened review reads which test a changed line is in (a table's
 * row far below its `it.each(` line, an assertion sixty lines into its test) from the whole file,
 * on the base as rebuilt from the head's and the hunks.
 */
export async function headTestTexts(
  ctx: RunContext,
  cwd: string,
  headSha: string,
  changed: readonly ChangedFile[],
): Promise<Map<string, string>> {
  const paths = changed.map((file) => file.path).filter((path) => isTestPath(path) || path.endsWith('.rs'));
  if (paths.length === 0) return new Map();
  const { texts } = await ctx.deps.committed.readCommitted(cwd, headSha, paths, MAX_READ_BYTES);
  return new Map([...texts].filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * The tests the change edited (testsEditedByChange), read as the fail-to-pass check reads them:
 * from the head's whole test files and Rust files (which may hold inline tests far below a hunk).
 */
export async function testsEditedAtHead(
  ctx: RunContext,
  cwd: string,
  change: { headSha: string; diff: string; changedFiles: readonly ChangedFile[] },
  headTexts: ReadonlyMap<string, string>,
): Promise<Set<string>> {
  const paths = change.changedFiles.map((file) => file.path);
  const rust = paths.filter((path) => path.endsWith('.rs') && !headTexts.has(path));
  const read =
    rust.length === 0
      ? new Map<string, string | null>()
      : (await ctx.deps.committed.readCommitted(cwd, change.headSha, rust, MAX_READ_BYTES)).texts;
  const texts = new Map(headTexts);
  for (const [path, text] of read) if (text !== null) texts.set(path, text);
  return testsEditedByChange(change.diff, paths, texts);
}

/**
 * Findings for a change that edits what a gate runs (review/gate-definitions.ts): the files that
 * define the run's gates (the fixed ones and the runner configs among `changed`), as committed
 * where the change started and at its head. Blocking, unless the goal was created meaning to
 * change them (goal.json options.allowGateEdits, which the controller read before any agent ran).
 */
export async function reviewGateDefinitions(
  ctx: RunContext,
  cwd: string,
  fromSha: string,
  headSha: string,
  changed: readonly ChangedFile[],
): Promise<Finding[]> {
  const paths = gateDefinitionPaths(
    ctx.gates,
    changed.map((file) => file.path),
  );
  if (paths.length === 0 || fromSha === headSha) return [];
  const read = (sha: string) => ctx.deps.committed.readCommitted(cwd, sha, paths, MAX_READ_BYTES);
  const [before, after] = await Promise.all([read(fromSha), read(headSha)]);
  return gateDefinitionReview(ctx.gates, before.texts, after.texts, ctx.goal.options.allowGateEdits);
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
