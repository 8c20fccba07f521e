import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionCore } from '../../adapters/actions-runner/core.js';
import { listOmkRefs, removeWorktreesUnder, tryDeleteRefs } from '../../adapters/git/job-leftovers.js';
import { restoreLeftHeaders } from '../../adapters/git/persisted-credentials.js';
import {
  GOAL_ID_PATTERN,
  goalBranchPrefix,
  goalsDir,
  privateStateDir,
  workspacesDir,
} from '../../runtime/app/job-layout.js';
import { type JobTrace, readJobTrace } from './trace.js';

export interface CleanupOutcome {
  credentialRestored: boolean;
  worktrees: string[];
  refs: string[];
  /** Refs omk made that stay: a worktree outside omk's has them checked out. */
  kept: string[];
}

/** Goal ids with a directory or worktrees in this job's state root: the goals this job worked on. */
async function jobGoals(stateRoot: string): Promise<string[]> {
  const names = await Promise.all(
    [goalsDir(stateRoot), workspacesDir(stateRoot)].map((dir) => readdir(dir).catch(() => [])),
  );
  return [...new Set(names.flat())].filter((name) => GOAL_ID_PATTERN.test(name));
}

/**
 * Undoes what the main step left in the checkout, also when it was cancelled or killed: the
 * credential actions/checkout persisted goes back into .git/config, omk's worktrees of this job
 * are removed, and the refs it made (its goals' omk/<goal-id>/ branches, refs/omk/) are deleted.
 * What existed before the step, or is outside those namespaces, is never touched.
 */
export async function cleanUpJob(trace: JobTrace): Promise<CleanupOutcome> {
  const { repoRoot, stateRoot } = trace;
  const credentialRestored = await restoreLeftHeaders(
    repoRoot,
    join(privateStateDir(stateRoot), 'credentials'),
  );
  const prefixes = (await jobGoals(stateRoot)).map((id) => `refs/heads/${goalBranchPrefix(id)}`);
  const worktrees = await removeWorktreesUnder(repoRoot, workspacesDir(stateRoot));
  const before = new Set(trace.refsBefore);
  const made = (await listOmkRefs(repoRoot)).filter(
    (ref) =>
      !before.has(ref) && (ref.startsWith('refs/omk/') || prefixes.some((prefix) => ref.startsWith(prefix))),
  );
  const { deleted, kept } = await tryDeleteRefs(repoRoot, made);
  return { credentialRestored, worktrees, refs: deleted, kept };
}

/** The post step: a failure to clean up is a warning, never a failed job. */
export async function runPost(core: ActionCore): Promise<void> {
  const trace = readJobTrace(core);
  if (trace === null) {
    core.info('omk: nothing to clean up: the step stopped before it changed the checkout.');
    return;
  }
  try {
    const outcome = await cleanUpJob(trace);
    if (outcome.credentialRestored) core.info('omk: put the persisted credential back into .git/config.');
    core.info(
      `omk: removed ${outcome.worktrees.length} worktree(s) and ${outcome.refs.length} branch(es) or ref(s) this job made.`,
    );
    if (outcome.kept.length > 0) {
      core.warning(`omk: kept ${outcome.kept.join(', ')}: checked out in a worktree omk did not make.`);
    }
  } catch (error) {
    core.warning(
      `omk: could not clean up the checkout (${error instanceof Error ? error.message : String(error)}). ` +
        'The runner discards it with the job; on a self-hosted runner, remove the worktrees and omk/ branches by hand.',
    );
  }
}
