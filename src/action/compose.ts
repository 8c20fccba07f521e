import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ActionCore } from '../adapters/actions-runner/core.js';
import { type GitHubEnv, readEventPayload } from '../adapters/actions-runner/github-env.js';
import { reviewEvent } from '../adapters/actions-runner/review-event.js';
import { fetchGoalBranches } from '../adapters/git/goal-branches.js';
import { gitRepo } from '../adapters/git/repo.js';
import { githubAppDeps, publishThroughForge } from '../adapters/github/app-deps.js';
import { writeAccess } from '../adapters/github/collaborator-permission.js';
import { composeGitHubForge } from '../adapters/github/compose.js';
import { githubGoalState } from '../adapters/github/goal-state.js';
import { reviewComments } from '../adapters/github/review-comments.js';
import { createReviewReplies } from '../adapters/github/review-replies.js';
import { withFaultInjection } from '../adapters/process/fault.js';
import { processHost } from '../adapters/process/host.js';
import { abortOnSignal, type SignalSource } from '../adapters/process/signals.js';
import { sharedPollMs, type WorkflowStepHost } from '../runtime/app/index.js';
import { type Forge, type Reporter, systemClock } from '../runtime/app/ports.js';
import { agentChoice, loadActionConfig } from './agent-choice.js';
import type { ActionInputs } from './inputs.js';
import { ACTION_WORDS, wordNotice, wordRefusal } from './wording.js';

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

/**
 * The workflow step's host for this job (`runWorkflowStep`). State under RUNNER_TEMP (emptied after each job; steps of one job share it), the repository in
 * working-directory, the GitHub forge and the state branch, both authenticated with the token
 * input: the push header is keyed on the exact repository URL and passed through git's
 * environment, never argv or a URL.
 */
export async function composeActionRuntime(
  deps: ActionDeps,
  inputs: ActionInputs,
  github: GitHubEnv,
): Promise<WorkflowStepHost> {
  const { core, env } = deps;
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
  const token = inputs.githubToken;
  const { store, state, remote } = githubGoalState({
    repoRoot,
    stateRoot,
    branch: inputs.stateBranch,
    serverUrl: github.serverUrl,
    repo: github.repo,
    token,
    proxyEnv: env,
    clock: systemClock,
    host: withFaultInjection(processHost(), env),
    reporter,
  });
  let forge: Promise<Forge> | null = null;
  const forgeOnce = () => {
    forge ??= composeGitHubForge({
      repoRoot,
      env,
      repo: github.repo,
      token,
      ...(inputs.ciToken ? { ciToken: inputs.ciToken } : {}),
      checkAppId: inputs.proofCheckAppId,
    });
    return forge;
  };
  const api = { token, repo: github.repo, env };
  return {
    app: {
      ...githubAppDeps({ store, reporter, env, words: ACTION_WORDS, forge: forgeOnce }),
      shared: { remote: state, pollMs: sharedPollMs(env) },
      phase: (title, fn) => core.group(title, fn),
      // config-path, not only .omk/config.yml: merge.requireChecks is read from it too.
      config: (root) => loadActionConfig(root, inputs),
    },
    remote: state,
    repoRoot,
    abortable: (fn) => abortOnSignal(deps.signals, fn),
    agent: () => agentChoice(repoRoot, inputs),
    fetchBranches: (goalId) => fetchGoalBranches(repoRoot, goalId, { remote: remote.url, env: remote.env }),
    publishBranch: publishThroughForge(forgeOnce, repoRoot),
    replies: () => createReviewReplies(api),
    review: async () => ({
      ask: reviewEvent(github.eventName, await readEventPayload(github.eventPath)),
      forge: {
        writeAccess: (author) => writeAccess(api, author),
        reviewComments: (pr, reviewId) => reviewComments(api, pr, reviewId),
      },
    }),
    notify: (notice) => reporter[notice.level](wordNotice(notice, inputs.stateBranch)),
    // Asked of the forge, never read from the event: who started the job and what they may do.
    person: async () => {
      const login = github.actor ?? null;
      if (login === null) return { login, bot: false, write: false, role: 'none' };
      const bot = login.endsWith('[bot]');
      if (bot) return { login, bot, write: false, role: 'bot' };
      const { allowed, role } = await writeAccess(api, login);
      return { login, bot, write: allowed, role };
    },
    refusal: (refusal) =>
      wordRefusal(refusal, {
        stateBranch: inputs.stateBranch,
        ...(github.eventName === undefined ? {} : { eventName: github.eventName }),
      }),
  };
}
