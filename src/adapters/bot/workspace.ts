import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_STATE_BRANCH,
  relocateGoal,
  shownBranch,
  stateBranchProblem,
} from '../../runtime/app/index.js';
import type { Clock, GoalStore, HostInfo, RemoteStateStore, Reporter } from '../../runtime/app/ports.js';
import { cloneBranch } from '../git/clone.js';
import { fetchGoalBranches } from '../git/goal-branches.js';
import { initWithRemote } from '../git/init.js';
import { githubGoalState } from '../github/goal-state.js';
import type { RepoRef } from './github.js';

/**
 * A job's private corner of the disk: a checkout of the repository's default branch (never a PR
 * head, so a fork's code never runs with the app's token), a state root mirrored from the state
 * branch, and the goal store over it. The directory is removed when the job ends, however it ends.
 */
export interface Workspace {
  dir: string;
  repoRoot: string;
  store: GoalStore;
  remote: RemoteStateStore;
  /** git auth for fetches and pushes to the repository: an extra header in GIT_CONFIG_* variables. */
  authEnv: Readonly<Record<string, string>>;
}

export interface WorkspaceSpec {
  repo: RepoRef;
  token: string;
  /** full: clone the default branch (to plan or execute); state: an empty repository, state only. */
  checkout: 'full' | 'state';
  stateBranch: string;
  workDir: string;
  clock: Clock;
  host: HostInfo;
  reporter: Reporter;
  /** Told about each directory created and removed (tests assert none is left behind). */
  observe?: (event: 'created' | 'removed', dir: string) => void;
}

export async function withWorkspace<T>(spec: WorkspaceSpec, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const clash = stateBranchProblem(spec.stateBranch, {
    [`${spec.repo.owner}/${spec.repo.name}'s default branch`]: spec.repo.defaultBranch,
  });
  if (clash !== null) {
    throw new ConfigError(
      `OMK_STATE_BRANCH: '${shownBranch(spec.stateBranch)}' cannot hold goal state: ${clash}.`,
      {
        hint: `Example: OMK_STATE_BRANCH=${DEFAULT_STATE_BRANCH}`,
      },
    );
  }
  await mkdir(spec.workDir, { recursive: true });
  const dir = await mkdtemp(join(spec.workDir, 'omk-bot-'));
  spec.observe?.('created', dir);
  try {
    const repoRoot = join(dir, 'repo');
    const { store, state, remote } = githubGoalState({
      repoRoot,
      stateRoot: join(dir, 'state'),
      branch: spec.stateBranch,
      serverUrl: spec.repo.serverUrl,
      repo: spec.repo,
      token: spec.token,
      clock: spec.clock,
      host: spec.host,
      reporter: spec.reporter,
    });
    // The header is keyed on this exact URL; the token is in no URL, argv or config file.
    const { url, env: authEnv } = remote;
    if (spec.checkout === 'full') {
      await cloneBranch({
        url,
        branch: spec.repo.defaultBranch,
        path: repoRoot,
        env: authEnv,
        timeoutMs: 10 * 60_000,
      });
    } else {
      await initWithRemote(repoRoot, url);
    }
    return await fn({ dir, repoRoot, store, remote: state, authEnv });
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    spec.observe?.('removed', dir);
  }
}

/** Points goal `goalId` at this workspace's checkout and fetches its omk branches, to run or deliver it here. */
export async function bringGoalHere(ws: Workspace, goalId: string): Promise<void> {
  await fetchGoalBranches(ws.repoRoot, goalId, { env: ws.authEnv });
  await relocateGoal(ws.store, goalId, ws.repoRoot);
}
