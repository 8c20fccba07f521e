import { join } from 'node:path';
import { WorkspacePreparationError } from '../errors.js';
import { machineRoots, relativizer } from '../proof/machine-paths.js';
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
  /** Only for the base worktree: whose code runs there next (PrepareInput.base). */
  base?: 'checkout-code' | 'agent-code',
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
    ...(base ? { base } : {}),
    plan: preparation,
    env: deps.gateEnv,
    logPath,
    signal: ctx.signal,
  });
  // What is recorded (the event log travels with the goal) names no directory of this machine;
  // the hint, shown only on the operator's terminal, names the worktree and the log where they are.
  const local = relativizer(machineRoots(deps.store.deps.stateRoot, goal, ctx.journal.execution));
  if (!result.ok) {
    throw new WorkspacePreparationError(
      local(`Preparing the ${label} worktree failed: ${result.what} (${result.detail}).\n${result.tail}`),
      {
        hint: `The worktree is ${path}; the full output is in ${result.logPath}. Fix the install, or set workspace.setup (or workspace.install: false) in .omk/config.yml, then resume the goal.`,
      },
    );
  }
  if (result.changed) {
    await ctx.journal.save([
      {
        type: 'workspace_prepared',
        data: { workspace: label, path: local(path), done: result.done.map(local) },
      },
    ]);
    for (const line of result.done) deps.reporter.info(`[${label}] ${line}`);
  }
  return { ...deps.gateEnv, ...result.env };
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  return Object.keys(record).length === 0;
}
