import { join } from 'node:path';
import { WorkspacePreparationError } from '../errors.js';
import { BASE_ID, INTEGRATION_ID } from '../graph/branches.js';
import { machineRoots, relativizer } from '../proof/machine-paths.js';
import { HOOK_INSTALLER_OPT_OUTS } from '../workspace/hook-installers.js';
import { type OwnStepShared, ownStep } from '../workspace/own-step.js';
import type { WorktreeStamps } from '../workspace/port.js';
import { preparedFiles, readPreparedFiles, writePreparedFiles } from '../workspace/prepared-files.js';
import type { RunContext } from './context.js';
import { sharedGitOf } from './run-baseline.js';

/**
 * Gives a worktree the project's dependencies before an agent or a gate runs in it, and returns
 * the environment its gates run with. A failure is the host's, not the agent's: it stops the run
 * with the command, how it ended and its last lines, and the goal can be resumed once it is fixed.
 * Its commands run with the hook installers' opt-outs, and what they still write to the shared
 * `.git` is put back after it (own-step.ts): omk's own step is not the agent.
 */
export async function prepareWorkspace(
  ctx: Pick<RunContext, 'deps' | 'journal' | 'goal' | 'signal' | 'sharedGit'>,
  path: string,
  /** The slice id, `base` or `integration`: names the log and the event. */
  label: string,
  /** Only for the base worktree: whose code runs there next (PrepareInput.base). */
  base?: 'checkout-code' | 'agent-code',
): Promise<Readonly<Record<string, string>>> {
  const { deps, goal } = ctx;
  const { preparation } = deps;
  if (!deps.preparer || !preparation || !preparesWorktrees(deps)) return deps.gateEnv;
  // The base's and the integrated tree's installs keep their download caches in the integration's
  // own cache, which no slice's install writes (integrity/integration-cache.ts).
  const own = label === BASE_ID || label === INTEGRATION_ID ? deps.integrationCache?.preparer : undefined;
  const preparer = own ?? deps.preparer;
  const logPath = join(deps.store.paths(goal.id).prepareArtifacts, `${label}.log`);
  const scope = { repoRoot: goal.repo.root, home: deps.home };
  const step = `the preparation of the ${label} worktree`;
  const stamps = deps.workspaces.worktreeStamps?.bind(deps.workspaces);
  const before = stamps ? await stamps(path) : null;
  const { result, shared } = await ownStep(sharedGitOf(ctx), deps.integrity, scope, step, () =>
    preparer.prepare({
      repoRoot: goal.repo.root,
      path,
      ...(base ? { base } : {}),
      plan: preparation,
      env: { ...deps.gateEnv, ...HOOK_INSTALLER_OPT_OUTS },
      logPath,
      signal: ctx.signal,
    }),
  );
  await recordPutBack(ctx, shared);
  if (result.ok && stamps && before) await recordPrepared(ctx, label, before, await stamps(path));
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

/**
 * The files of `label`'s worktree that hold what its preparation left there (its record,
 * recordPrepared): omk's, not the agent's. Empty where the workspace port cannot stamp files.
 */
export async function preparedPaths(
  ctx: Pick<RunContext, 'deps' | 'goal'>,
  label: string,
  worktree: string,
): Promise<string[]> {
  const { deps } = ctx;
  if (!deps.workspaces.worktreeStamps) return [];
  const prepared = await readPreparedFiles(
    deps.store.files,
    deps.store.paths(ctx.goal.id).prepareArtifacts,
    label,
  );
  if (Object.keys(prepared).length === 0) return [];
  const now = await deps.workspaces.worktreeStamps(worktree);
  return Object.keys(prepared).filter((path) => Object.hasOwn(now, path) && now[path] === prepared[path]);
}

/**
 * What the preparation wrote in the worktree (with what earlier ones wrote there and left as it
 * is), for the capture and the reset, which never take it for the agent's change
 * (workspace/prepared-files.ts). Kept in the goal's artifacts, which no agent or gate writes.
 */
async function recordPrepared(
  ctx: Pick<RunContext, 'deps' | 'goal'>,
  label: string,
  before: WorktreeStamps,
  after: WorktreeStamps,
): Promise<void> {
  const { files } = ctx.deps.store;
  const dir = ctx.deps.store.paths(ctx.goal.id).prepareArtifacts;
  const earlier = await readPreparedFiles(files, dir, label);
  const prepared = preparedFiles(earlier, before, after);
  if (JSON.stringify(prepared) !== JSON.stringify(earlier))
    await writePreparedFiles(files, dir, label, prepared);
}

/**
 * What omk's own steps wrote to the shared `.git` (or HOME's git config) and put back: a decision
 * in the proof and a line on the terminal, never a finding. What could not be put back is left
 * for the next run's baseline check, which blocks it.
 */
export async function recordPutBack(
  ctx: Pick<RunContext, 'deps' | 'journal'>,
  shared: OwnStepShared,
): Promise<void> {
  if (shared.kind !== 'checked' || shared.changes.length === 0) return;
  const steps = [...new Set(shared.labels)].join(' and ');
  const named = (restored: boolean) =>
    shared.changes.filter((change) => change.restored === restored).map((c) => `${c.what} (${c.change})`);
  const [back, left] = [named(true), named(false)];
  const reason = [
    back.length > 0
      ? `${steps} wrote ${back.join(', ')}; omk put it back as it was before (omk's own install or setup, run with the hook installers' opt-outs, before any agent: not an agent's or its code's doing)`
      : '',
    left.length > 0
      ? `${steps} changed ${left.join(', ')}, which omk cannot put back: the next agent or gate run is blocked by it`
      : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
  await ctx.journal.save([], {
    decisions: [{ kind: 'workspace', decision: "omk's own step wrote to the shared .git", reason }],
  });
  ctx.deps.reporter.info(reason);
}

/** Whether omk gives worktrees anything besides their tree: installs, setup, an environment of their own. */
export function preparesWorktrees(deps: Pick<RunContext['deps'], 'preparer' | 'preparation'>): boolean {
  const { preparer, preparation } = deps;
  if (!preparer || !preparation) return false;
  return preparation.steps.length > 0 || !isEmpty(preparation.env);
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  return Object.keys(record).length === 0;
}
