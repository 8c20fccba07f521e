import type { Probot } from 'probot';
import { botAppDeps } from '../adapters/bot/app-deps.js';
import { readBotConfig } from '../adapters/bot/config.js';
import { type BotGitHub, createBotGitHub, type RepoRef } from '../adapters/bot/github.js';
import { bringGoalHere, type Workspace } from '../adapters/bot/workspace.js';
import { checkAppIdFrom } from '../adapters/github/compose.js';
import { processHost } from '../adapters/process/host.js';
import type { ThreadAnswer, ThreadRepo, ThreadRunHost } from '../runtime/app/index.js';
import { systemClock } from '../runtime/app/ports.js';
import type { Bot, BotDeps } from './bot.js';
import { answerReply } from './replies.js';
import { publishStatus, type StatusTarget } from './status.js';
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

/**
 * The runtime's thread host over one job's thread (`target`): checkouts of the repository with a
 * fresh token, the goal's mutex, the runs in this process, the goal's status comment, and the
 * workflow dispatched or the run lane where a goal continues.
 */
export function threadHost(bot: Bot, target: StatusTarget): ThreadRunHost<Workspace> {
  const { deps } = bot;
  return {
    checkout: (kind, fn) => bot.checkout(target.gh, target.repo, kind, fn),
    lock: (goalId, fn) => bot.mutex.run(goalId, fn),
    bringBranches: (ws, goalId) => bringGoalHere(ws, goalId),
    runs: bot.active,
    app: (ws) => botAppDeps(ws, target, { reporter: deps.reporter, env: deps.env, words: BOT_WORDS }),
    reporter: deps.reporter,
    clock: deps.clock,
    executesHere: deps.config.mode === 'local',
    operatorAgent: deps.config.agent,
    ...(deps.shutdown === undefined ? {} : { shutdown: deps.shutdown }),
    show: (store, goalId, phase, notes = [], options = {}) =>
      publishStatus(
        bot,
        { ...target, issue: options.issue ?? target.issue },
        goalId,
        store,
        phase,
        notes,
        options.startedBy,
      ),
    follow: (goalId, store) => bot.follow(goalId, () => publishStatus(bot, target, goalId, store, 'running')),
    dispatch: (goalId) =>
      target.gh.dispatch(
        target.repo,
        deps.config.workflow,
        target.repo.defaultBranch,
        dispatchInputs(goalId),
      ),
    queueRun: (key, run) => (bot.runs.push(key, run) === 'full' ? 'full' : 'queued'),
    shownPhase: async (goalId) =>
      target.issue === null
        ? null
        : ((await bot.statuses.find(target.gh, target.repo, target.issue, goalId))?.phase ?? null),
  };
}

/** The repository as the runtime's thread use cases ask about it: its merge methods, default branch, review threads. */
export function threadRepo(bot: Bot, gh: BotGitHub, repo: RepoRef): ThreadRepo {
  return {
    mergeMethod: (setting) => bot.mergeMethod(gh, repo, setting),
    fallbackBase: repo.defaultBranch,
    replies: gh.reviewReplies(repo),
  };
}

/** The inputs the omk workflow is dispatched with (declare them in its workflow_dispatch). */
export function dispatchInputs(goalId: string): Record<string, string> {
  return { command: 'execute', 'goal-id': goalId };
}

/** Answers `login` on the target's thread (a log line instead where the answer is one). */
export async function answer(
  bot: Bot,
  target: StatusTarget,
  login: string,
  said: ThreadAnswer,
): Promise<void> {
  if (said.kind === 'log') bot.deps.reporter.info(said.line);
  const body = answerReply(login, said);
  if (body !== null && target.issue !== null) await target.gh.createComment(target.repo, target.issue, body);
}
