import { randomBytes } from 'node:crypto';
import type { Probot } from 'probot';
import { readBotConfig } from '../adapters/bot/config.js';
import { type BotGitHub, createBotGitHub, type RepoRef } from '../adapters/bot/github.js';
import {
  bringGoalHere,
  type Workspace,
  type WorkspaceSpec,
  withWorkspace,
} from '../adapters/bot/workspace.js';
import { createExecutionHost, logMaxBytesFromEnv } from '../adapters/execution-host.js';
import { gitRepo } from '../adapters/git/repo.js';
import { checkAppIdFrom } from '../adapters/github/compose.js';
import { createGitHubForge } from '../adapters/github/forge.js';
import { createOctokit } from '../adapters/github/octokit.js';
import { processHost } from '../adapters/process/host.js';
import {
  type AppDeps,
  type ExecutionHost,
  type PulledGoal,
  type SharedStepOutcome,
  type SharedStepPlan,
  withSharedGoal,
} from '../runtime/app/index.js';
import { type Forge, heuristicPlanner, systemClock } from '../runtime/app/ports.js';
import type { Bot, BotDeps } from './bot.js';
import { BOT_WORDS } from './wording.js';

/** The bot's dependencies as a deployment has them: environment, Probot's auth and logger. */
export function productionDeps(
  app: Probot,
  env: Readonly<Record<string, string | undefined>>,
  shutdown?: AbortSignal,
): BotDeps {
  return {
    config: readBotConfig(env),
    env,
    clock: systemClock,
    host: processHost(),
    reporter: { info: (message) => app.log.info(message), warn: (message) => app.log.warn(message) },
    debug: (message) => app.log.debug(message),
    githubFor: async (installationId) =>
      createBotGitHub(await app.auth(installationId), checkAppIdFrom(env.APP_ID, 'APP_ID')),
    shutdown,
  };
}

/** A job's checkout of `repo` (what `checkout` asks) with a fresh installation token, removed when `fn` ends. */
export async function withCheckout<T>(
  bot: Bot,
  gh: BotGitHub,
  repo: RepoRef,
  checkout: WorkspaceSpec['checkout'],
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const { deps } = bot;
  const spec: WorkspaceSpec = {
    repo,
    token: await gh.token(),
    checkout,
    stateBranch: deps.config.stateBranch,
    workDir: deps.config.workDir,
    clock: deps.clock,
    host: bot.host,
    reporter: deps.reporter,
    observe: deps.observe?.workspace,
  };
  return withWorkspace(spec, fn);
}

/**
 * The bot's one step on a goal it keeps on the state branch, as the runtime's plan for it says
 * (`SharedStepPlan`): in `ws`, or a checkout of what the plan needs; the goal's branches brought
 * here when asked; the goal's mutex held for the whole step, or (a run) around its pull and push
 * only, the run ceasing to be the goal's active one (`Bot.active`) in its push.
 */
export function onSharedGoal<T>(
  bot: Bot,
  target: { gh: BotGitHub; repo: RepoRef },
  goalId: string,
  plan: SharedStepPlan<T>,
  act: (ws: Workspace, pulled: PulledGoal<undefined>) => Promise<T>,
  ws?: Workspace,
): Promise<SharedStepOutcome<T>> {
  return onSharedGoalThen(bot, target, goalId, plan, act, async (step) => step, ws);
}

/** `onSharedGoal`, then `after` in the same checkout and under the same lock, once the goal was pushed. */
export function onSharedGoalThen<T, R>(
  bot: Bot,
  target: { gh: BotGitHub; repo: RepoRef },
  goalId: string,
  plan: SharedStepPlan<T>,
  act: (ws: Workspace, pulled: PulledGoal<undefined>) => Promise<T>,
  after: (step: SharedStepOutcome<T>, ws: Workspace) => Promise<R>,
  ws?: Workspace,
): Promise<R> {
  const exclusive = <V>(phase: 'pull' | 'push', fn: () => Promise<V>): Promise<V> =>
    bot.mutex.run(goalId, async () => {
      if (phase === 'pull') return fn();
      try {
        return await fn();
      } finally {
        bot.active.delete(goalId);
      }
    });
  const step = async (here: Workspace) => {
    const request = { goalId, ...plan, ...(plan.lock === 'pull_push' ? { exclusive } : {}) };
    const done = await withSharedGoal({ ...here, reporter: bot.deps.reporter }, request, async (pulled) => {
      if (plan.branches) await bringGoalHere(here, goalId);
      return act(here, pulled);
    });
    return after(done, here);
  };
  const inCheckout = () =>
    ws === undefined ? withCheckout(bot, target.gh, target.repo, plan.checkout, step) : step(ws);
  return plan.lock === 'step' ? bot.mutex.run(goalId, inCheckout) : inCheckout();
}

/**
 * The use cases' dependencies over one job's workspace: its checkout and store, worktrees on this
 * machine, the repository's forge with a fresh token. Pause and cancel from comments reach a run
 * through its store (Bot.active), so nothing is watched on the state branch here.
 */
export function appFor(bot: Bot, ws: Workspace, target: { gh: BotGitHub; repo: RepoRef }): AppDeps {
  const { deps } = bot;
  return {
    store: ws.store,
    repo: gitRepo,
    planner: heuristicPlanner,
    reporter: deps.reporter,
    randomHex: () => randomBytes(3).toString('hex'),
    env: deps.env,
    execution: executionHostFor(deps.env),
    words: BOT_WORDS,
    // Anyone who can push .omk/config.yml would otherwise choose what runs with the bot's credentials.
    repoCustomAgents: 'untrusted',
    forge: () => forgeFor(target.gh, target.repo),
    // Each finished slice's branch goes to the repository at once: a resume in a fresh clone
    // (after a pause or a restart) builds on it and integrates it.
    publishBranch: async (branch, sha, lease) =>
      (await forgeFor(target.gh, target.repo)).push({
        repoRoot: ws.repoRoot,
        branch,
        sha,
        ...(lease === undefined ? {} : { expectedRemoteSha: lease }),
      }),
  };
}

const executionHosts = new WeakMap<BotDeps['env'], ExecutionHost>();

/**
 * One execution host per bot environment, so its sandbox is probed once, not per job: agents and
 * gates confined like the CLI's and the Action's (sandbox: auto|required|off).
 */
function executionHostFor(env: BotDeps['env']): ExecutionHost {
  let host = executionHosts.get(env);
  if (host === undefined) {
    host = createExecutionHost({ logMaxBytes: logMaxBytesFromEnv(env), env });
    executionHosts.set(env, host);
  }
  return host;
}

/**
 * The runtime's GitHub forge for one repository, with a fresh installation token: tokens last an
 * hour, and a local run may take longer, so it is made right before delivery or merge.
 */
export async function forgeFor(gh: BotGitHub, repo: RepoRef): Promise<Forge> {
  const token = await gh.token();
  const octokit = createOctokit({
    token,
    baseUrl: repo.apiUrl,
    userAgent: 'omk-bot',
    request: { fetch: globalThis.fetch },
  });
  return createGitHubForge({
    octokit,
    repo: { owner: repo.owner, name: repo.name },
    token,
    serverUrl: repo.serverUrl,
    // Its check runs are the bot app's own: a merge trusts only an omk/proof run by that app.
    checkAppId: gh.appId,
  });
}
