import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ActionCore } from '../adapters/actions-runner/core.js';
import type { GitHubEnv } from '../adapters/actions-runner/github-env.js';
import { gitRepo } from '../adapters/git/repo.js';
import { createGitStateBranch } from '../adapters/git/state-branch.js';
import { githubAppDeps } from '../adapters/github/app-deps.js';
import { composeGitHubForge } from '../adapters/github/compose.js';
import { pushAuthEnv, pushUrlFor } from '../adapters/github/push.js';
import { proxyFor } from '../adapters/http/proxy.js';
import { withFaultInjection } from '../adapters/process/fault.js';
import { processHost } from '../adapters/process/host.js';
import type { SignalSource } from '../adapters/process/signals.js';
import { localStateFiles } from '../adapters/state/local-files.js';
import { type AppDeps, type SharedState, sharedPollMs } from '../runtime/app/index.js';
import {
  type Forge,
  GoalStore,
  goalReconciler,
  type RemoteStateStore,
  type Reporter,
  systemClock,
} from '../runtime/app/ports.js';
import { loadActionConfig } from './agent-choice.js';
import type { ActionInputs } from './inputs.js';
import { ACTION_WORDS } from './wording.js';

export type ActionEnv = Record<string, string | undefined>;

/** What runAction is given: nothing else is read from the process. */
export interface ActionDeps {
  core: ActionCore;
  /** process.env in production. The token input is removed from it once read. */
  env: ActionEnv;
  cwd: string;
  signals: SignalSource;
  /** Values the runner's entry masked before loading the Action (not masked twice). */
  masked?: readonly string[];
}

/** The runtime composed for one Action step. */
export interface ActionRuntime {
  core: ActionCore;
  inputs: ActionInputs;
  github: GitHubEnv;
  env: ActionEnv;
  signals: SignalSource;
  store: GoalStore;
  reporter: Reporter;
  /** Top level of the repository in working-directory. */
  repoRoot: string;
  /** Goal directories on the state branch of the repository. */
  state: RemoteStateStore;
  /** The repository's URL on the forge and the git environment that authenticates to it. */
  remote: { url: string; env: Readonly<Record<string, string>> };
  /** The GitHub forge, composed on first use. */
  forge(): Promise<Forge>;
  /** The use cases' dependencies on this runner: the goal's truth is shared on the state branch. */
  app: AppDeps & { shared: SharedState };
}

/**
 * State under RUNNER_TEMP (emptied after each job; steps of one job share it), the repository in
 * working-directory, the GitHub forge and the state branch, both authenticated with the token
 * input: the push header is keyed on the exact repository URL and passed through git's
 * environment, never argv or a URL.
 */
export async function composeActionRuntime(
  deps: ActionDeps,
  inputs: ActionInputs,
  github: GitHubEnv,
): Promise<ActionRuntime> {
  const { core } = deps;
  const reporter: Reporter = {
    info: (message) => core.info(`omk: ${message}`),
    warn: (message) => core.warning(message),
  };
  const stateRoot =
    github.runnerTemp === undefined
      ? await mkdtemp(join(tmpdir(), 'omk-action-'))
      : join(github.runnerTemp, 'omk', 'state');
  await mkdir(stateRoot, { recursive: true });
  const repoRoot = (await gitRepo.inspect(resolve(github.workspace ?? deps.cwd, inputs.workingDirectory)))
    .root;
  const remote = pushUrlFor(github.serverUrl, github.repo);
  const remoteEnv = pushAuthEnv(remote, inputs.githubToken, proxyFor(remote, deps.env));
  const store = new GoalStore({
    stateRoot,
    clock: systemClock,
    host: withFaultInjection(processHost(), deps.env),
    reporter,
    files: localStateFiles,
  });
  const state = createGitStateBranch({
    repoRoot,
    remote,
    branch: inputs.stateBranch,
    stateRoot,
    env: remoteEnv,
    reconcile: goalReconciler(store),
  });
  let forge: Promise<Forge> | null = null;
  const forgeOnce = () => {
    forge ??= composeGitHubForge({
      repoRoot,
      env: deps.env,
      repo: github.repo,
      token: inputs.githubToken,
      ...(inputs.ciToken ? { ciToken: inputs.ciToken } : {}),
      checkAppId: inputs.proofCheckAppId,
    });
    return forge;
  };
  return {
    core,
    inputs,
    github,
    env: deps.env,
    signals: deps.signals,
    store,
    reporter,
    repoRoot,
    remote: { url: remote, env: remoteEnv },
    state,
    forge: forgeOnce,
    app: {
      ...githubAppDeps({ store, reporter, env: deps.env, words: ACTION_WORDS, forge: forgeOnce }),
      shared: { remote: state, pollMs: sharedPollMs(deps.env) },
      phase: (title, fn) => core.group(title, fn),
      // config-path, not only .omk/config.yml: merge.requireChecks is read from it too.
      config: (root) => loadActionConfig(root, inputs),
    },
  };
}
