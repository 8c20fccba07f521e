import { maskValues } from '../adapters/github/token-mask.js';
import type { ActionDeps } from './compose.js';
import { TOKEN_INPUTS } from './mask.js';

/**
 * The Action: mask the token before anything else can print, run the step, write the job
 * summary. Every failure, thrown or judged, leaves through the one setFailed at the end.
 */
export async function runAction(deps: ActionDeps): Promise<void> {
  const { core } = deps;
  let summary: string;
  let failure: string | null;
  try {
    // The runner's entry (index.ts) has masked them already; run() called directly has not.
    const masked = new Set(deps.masked ?? []);
    for (const input of TOKEN_INPUTS) {
      const token = core.getInput(input).trim();
      if (token === '') continue;
      for (const value of maskValues(token)) if (!masked.has(value)) core.setSecret(value);
    }
    // The rest (zod, Octokit, the runtime) is loaded only now: the bundle evaluates it lazily,
    // so the mask is out within a few milliseconds of node starting. Nothing this module imports
    // statically may reach the runtime's index (test/action/startup.test.ts checks the bundle).
    const { runStep } = await import('./step.js');
    ({ summary, failure } = await runStep(deps));
  } catch (error) {
    // Loaded only on failure, for the same reason: describing an error needs the runtime's errors.
    const report = (await import('./failure.js')).failureReport(error);
    ({ summary, failure } = report);
    if (report.stack !== undefined) core.debug(report.stack);
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
