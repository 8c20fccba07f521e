import { join } from 'node:path';
import { changeFindings, gateStateFindings, strayFindings } from '../integrity/findings.js';
import type { Finding } from '../proof/schema.js';
import { beginCheckedRun } from '../workspace/own-step.js';
import type { RunContext } from './context.js';
import { preparedPaths } from './prepare.js';
import { checkRunBaseline, sharedGitOf } from './run-baseline.js';
import { type StateCheck, watchState } from './state-checks.js';

/**
 * Runs the gates with the worktree checked right before (it must be omk's commit, clean) and right
 * after (same commit, no tracked file changed), and with strays and changes outside the worktree
 * checked as for the agent: gates run the agent's code. What is found goes into `found`.
 */
export async function checkedGates<T>(
  ctx: RunContext,
  worktree: string,
  expectedHead: string,
  found: Finding[],
  run: () => Promise<T>,
  /** False where omk prepared the tree after its commit, so untracked files before the gates are omk's. */
  untrackedBlocks = true,
  /**
   * The worktree's label (its slice id): the files its preparation left there, as it left them,
   * are omk's, not changes since the commit (an install's output the project does not ignore).
   */
  preparedLabel?: string,
): Promise<T> {
  const { deps, goal } = ctx;
  // In flight from before its snapshot to after its check: omk's own steps meanwhile put nothing back.
  const end = await beginCheckedRun(sharedGitOf(ctx));
  let state: StateCheck | undefined;
  try {
    const since = await checkRunBaseline(deps, ctx, goal.repo.root, 'the gates');
    const watch = await deps.integrity.watch({
      repoRoot: goal.repo.root,
      worktree,
      home: deps.home,
      ownWorktreesUnder: join(deps.workspaceRoot, goal.id),
    });
    state = await watchState(deps, ctx.journal, 'the gates');
    const before = await deps.integrity.worktreeState(worktree);
    const omks = preparedLabel === undefined ? [] : await preparedPaths(ctx, preparedLabel, worktree);
    const result = await run();
    const strays = await deps.integrity.endStrays(worktree);
    // What the gates planted outside the worktree is put back before omk's next git call reads it.
    const changes = await watch.check();
    const after = await deps.integrity.worktreeState(worktree);
    found.push(
      ...since,
      ...gateStateFindings(expectedHead, before, after, untrackedBlocks, omks),
      // Not checked here is already said once for the agent.
      ...(strays.checked
        ? strayFindings(strays, 'gates', {
            checkout: worktree,
            baseLeftBehind: ctx.baseline?.leftBehind ?? [],
          })
        : []),
      ...changeFindings(changes, 'gates'),
      ...state.before,
      ...(await state.check()),
    );
    return result;
  } finally {
    // A run that threw is not checked: it ends here, or later runs would seem to overlap it.
    state?.end();
    end();
  }
}
