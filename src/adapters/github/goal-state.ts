import {
  type Clock,
  GoalStore,
  goalReconciler,
  type HostInfo,
  type RemoteStateStore,
  type Reporter,
} from '../../runtime/app/ports.js';
import type { RepoCoordinates } from '../../runtime/forge/port.js';
import { DEFAULT_STATE_BRANCH } from '../../runtime/graph/branches.js';
import { createGitStateBranch } from '../git/state-branch.js';
import { proxyFor } from '../http/proxy.js';
import { localStateFiles } from '../state/local-files.js';
import { pushAuthEnv, pushUrlFor } from './push.js';

export interface GitHubGoalStateSpec {
  /** The checkout the state branch is fetched into and pushed from. */
  repoRoot: string;
  /** Where the goal directories live on this machine. */
  stateRoot: string;
  /** The state branch (judged by the host against its own base branch first). */
  branch: string;
  serverUrl: string;
  repo: RepoCoordinates;
  token: string;
  /** The environment whose HTTPS_PROXY / NO_PROXY git reaches the server through; none: no proxy. */
  proxyEnv?: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  host: HostInfo;
  reporter: Reporter;
}

/** A GitHub host's goal state: the goal store on this machine, its state branch, and the repository's git auth. */
export interface GitHubGoalState {
  store: GoalStore;
  state: RemoteStateStore;
  /** The repository's URL and the git environment that authenticates to it (an extra header keyed on that URL). */
  remote: { url: string; env: Readonly<Record<string, string>> };
}

/**
 * The goal store and the state branch both GitHub hosts (the Action's runner, the bot's job) keep
 * a goal in: the store under `stateRoot`, mirrored from the repository's state branch, which is
 * fetched and pushed by URL with the token in git's environment, never in argv, a URL or a file.
 */
export function githubGoalState(spec: GitHubGoalStateSpec): GitHubGoalState {
  const url = pushUrlFor(spec.serverUrl, spec.repo);
  const env = pushAuthEnv(url, spec.token, spec.proxyEnv === undefined ? null : proxyFor(url, spec.proxyEnv));
  const { stateRoot, clock, host, reporter } = spec;
  const store = new GoalStore({ stateRoot, clock, host, reporter, files: localStateFiles });
  const state = createGitStateBranch({
    repoRoot: spec.repoRoot,
    remote: url,
    branch: spec.branch,
    // Messages name the branch as users know it, not the URL (the token never is in either).
    shownAs: spec.branch ?? DEFAULT_STATE_BRANCH,
    stateRoot,
    env,
    reconcile: goalReconciler(store),
  });
  return { store, state, remote: { url, env } };
}
