import { join } from 'node:path';
import { WorkspacePreparationError } from '../errors.js';
import type { RunContext } from './context.js';

/**
 * Gives a worktree the project's dependencies before an agent or a gate runs in it, and returns
 * the environment its gates run with. A failure is the host's, not the agent's: it stops the run
 * with the command, how it ended and its last lines, and the goal can be resumed once it is fixed.
 */
export async function prepareWorkspace(
  ctx: Pick<RunContext, 'deps' | 'journal' | 'goal' | 'signal'>,
  path: string,
  /** The slice id, `base` or `integration`: names the log and the event. */
  label: string,
): Promise<Readonly<Record<string, string>>> {
  const { deps, goal } = ctx;
  const { preparer, preparation } = deps;
  if (!preparer || !preparation || (preparation.steps.length === 0 && isEmpty(preparation.env))) {
    return deps.gateEnv;
  }
  const logPath = join(deps.store.paths(goal.id).prepareArtifacts, `${label}.log`);
  const result = await preparer.prepare({
    repoRoot: goal.repo.root,
    path,
    plan: preparation,
    env: deps.gateEnv,
    logPath,
    signal: ctx.signal,
  });
  if (!result.ok) {
    throw new WorkspacePreparationError(
      `Preparing the ${label} worktree failed: ${result.what} (${result.detail}) in ${path}.\n${result.tail}`,
      {
        hint: `The full output is in ${result.logPath}. Fix the install, or set workspace.setup (or workspace.install: false) in .omk/config.yml, then resume the goal.`,
      },
    );
  }
  if (result.changed) {
    await ctx.journal.save([
      { type: 'workspace_prepared', data: { workspace: label, path, done: result.done } },
    ]);
    for (const line of result.done) deps.reporter.info(`[${label}] ${line}`);
  }
  return { ...deps.gateEnv, ...result.env };
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  return Object.keys(record).length === 0;
}
