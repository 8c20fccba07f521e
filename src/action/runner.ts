import { maskValues } from '../adapters/github/push.js';
import { OmkError } from '../runtime/app/index.js';
import type { ActionDeps } from './compose.js';
import { describeError, renderFailureSummary } from './failure.js';

/**
 * The Action: mask the token before anything else can print, run the step, write the job
 * summary. Every failure, thrown or judged, leaves through the one setFailed at the end.
 */
export async function runAction(deps: ActionDeps): Promise<void> {
  const { core } = deps;
  let summary: string;
  let failure: string | null;
  try {
    for (const input of ['github-token', 'ci-token'] as const) {
      const token = core.getInput(input).trim();
      if (token !== '') for (const value of maskValues(token)) core.setSecret(value);
    }
    // The rest (zod, Octokit, the runtime) is loaded only now: the bundle evaluates it lazily,
    // so the mask is out within a few milliseconds of node starting.
    const { runStep } = await import('./step.js');
    ({ summary, failure } = await runStep(deps));
  } catch (error) {
    failure = describeError(error);
    summary = renderFailureSummary(failure);
    if (!(error instanceof OmkError) && error instanceof Error && error.stack !== undefined) {
      core.debug(error.stack);
    }
  }
  if (deps.env.GITHUB_STEP_SUMMARY) {
    await core.writeSummary(summary).catch((error: unknown) => {
      core.warning(
        `could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
  if (failure !== null) core.setFailed(failure);
}
