import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  goalsDir,
  jobGoalIds,
  privateStateDir,
  refsJobMade,
  workspacesDir,
} from '../../runtime/app/job-layout.js';
import { listOmkRefs, removeWorktreesUnder, tryDeleteRefs } from './job-leftovers.js';
import { restoreLeftHeaders } from './persisted-credentials.js';

/** A job's checkout and state root, and omk's refs in it before the job changed anything. */
export interface JobCheckout {
  /** The checkout omk worked in. */
  repoRoot: string;
  /** omk's state root in this job: its worktrees, goal directories and stashed credential. */
  stateRoot: string;
  /** omk's refs before the step: those existed already and are never deleted. */
  refsBefore: readonly string[];
}

export interface CleanupOutcome {
  credentialRestored: boolean;
  worktrees: string[];
  refs: string[];
  /** Refs omk made that stay: a worktree outside omk's has them checked out. */
  kept: string[];
}

/**
 * Undoes what a job left in the checkout, also when it was cancelled or killed: the credential
 * actions/checkout persisted goes back into .git/config, omk's worktrees of this job are removed,
 * and the refs it made (`refsJobMade`) are deleted. What existed before the job, or is outside
 * omk's namespaces, is never touched.
 */
export async function cleanUpJob(job: JobCheckout): Promise<CleanupOutcome> {
  const { repoRoot, stateRoot } = job;
  const credentialRestored = await restoreLeftHeaders(
    repoRoot,
    join(privateStateDir(stateRoot), 'credentials'),
  );
  const names = await Promise.all(
    [goalsDir(stateRoot), workspacesDir(stateRoot)].map((dir) => readdir(dir).catch(() => [])),
  );
  const worktrees = await removeWorktreesUnder(repoRoot, workspacesDir(stateRoot));
  const refs = { before: job.refsBefore, now: await listOmkRefs(repoRoot) };
  const { deleted, kept } = await tryDeleteRefs(repoRoot, refsJobMade(refs, jobGoalIds(names.flat())));
  return { credentialRestored, worktrees, refs: deleted, kept };
}
