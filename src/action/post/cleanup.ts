import type { ActionCore } from '../../adapters/actions-runner/core.js';
import { readJobTrace } from '../../adapters/actions-runner/job-trace.js';
import { cleanUpJob } from '../../adapters/git/job-cleanup.js';

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
