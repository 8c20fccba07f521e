// A repository's own settings (.github/omk.yml on its default branch), read once per job through
// @probot/octokit-plugin-config, validated by the runtime's schema and held within what the
// operator's environment allows. A missing file is the environment's defaults.

import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  type AgentChoice,
  type BudgetCap,
  type CreateGoalRequest,
  ForgeError,
  formatDuration,
  isOmkError,
  type MergeMethod,
  type PermissionAnswer,
  type RepoSettings,
  readRepoSettings,
  repoAccessVerdict,
  repoAgentChoice,
  repoAgentVerdict,
  UsageError,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { plainReply } from './replies.js';
import { BOT_STEPS } from './wording.js';

export const REPO_SETTINGS_FILE = '.github/omk.yml';

const ROLES_FROM = {
  write: 'write, maintain or admin',
  maintain: 'maintain or admin',
  admin: 'admin',
} as const;

export type { RepoSettings };

export type RepoSettingsLoad =
  | { ok: true; settings: RepoSettings; sources: string[] }
  /** What is wrong, as lines of a reply (the file, the key, what to do). */
  | { ok: false; lines: string[] };

const FIX_IT = `Fix ${REPO_SETTINGS_FILE} on the default branch (or delete it to use the app's defaults), then post the command again. Nothing was run.`;

/** The repository's settings, or why they cannot be used (the file's problem, or an agent the operator did not allow). */
export async function loadRepoSettings(bot: Bot, gh: BotGitHub, repo: RepoRef): Promise<RepoSettingsLoad> {
  let file: Awaited<ReturnType<BotGitHub['settingsFile']>>;
  try {
    file = await gh.settingsFile(repo, REPO_SETTINGS_FILE);
  } catch (error) {
    if (!isOmkError(error)) throw error;
    // GitHub failed to hand the file over: nothing is wrong with it, so no "fix the file".
    if (error instanceof ForgeError) {
      return {
        ok: false,
        lines: [
          `I could not read ${REPO_SETTINGS_FILE}, so nothing was run: ${error.message}`,
          error.hintIn(BOT_STEPS) ?? 'Post the command again in a few minutes.',
        ],
      };
    }
    return { ok: false, lines: [`${error.message.split('\n')[0] ?? ''}`, FIX_IT] };
  }
  if (file === null) return { ok: true, settings: {}, sources: [] };
  const shown = file.sources.join(', ');
  const read = readRepoSettings(file.config);
  if (!read.ok) {
    return {
      ok: false,
      lines: [
        `${REPO_SETTINGS_FILE} (${shown}) is not valid:`,
        ...read.issues.map((issue) => `${issue.key}: ${issue.message}`),
        FIX_IT,
      ],
    };
  }
  const { config } = bot.deps;
  const agent = read.settings.agent;
  if (agent !== undefined) {
    const verdict = repoAgentVerdict(agent, { agent: config.agent, allowed: config.repoAgents });
    if (!verdict.allowed) {
      const allowed = [config.agent, ...config.repoAgents].filter((name) => name !== null).join(', ');
      return {
        ok: false,
        lines: [
          `${REPO_SETTINGS_FILE} (${shown}) asks for the agent ${verdict.asked}, which the operator of this app does not allow here${allowed === '' ? '' : ` (allowed: ${allowed})`}.`,
          `Choose an allowed agent or remove agent from ${REPO_SETTINGS_FILE}, or ask the app's operator to allow ${verdict.asked}. Nothing was run.`,
        ],
      };
    }
  }
  bot.deps.reporter.info(`${repo.fullName}: settings from ${shown}`);
  return { ok: true, settings: read.settings, sources: file.sources };
}

/**
 * Loads the settings for a command from a person and checks the repository's access rule
 * (`answer`: their permission, when the command starts or changes a goal). On a problem the
 * person is answered on the thread and null returned: the command does nothing else.
 */
export async function settingsForCommand(
  bot: Bot,
  gh: BotGitHub,
  where: { repo: RepoRef; issue: number; author: string },
  answer: PermissionAnswer | null,
): Promise<RepoSettings | null> {
  const loaded = await loadRepoSettings(bot, gh, where.repo);
  const say = (lines: string[]) => gh.createComment(where.repo, where.issue, plainReply(where.author, lines));
  if (!loaded.ok) {
    await say(loaded.lines);
    return null;
  }
  if (answer === null) return loaded.settings;
  const refusal = repoAccessVerdict(loaded.settings.access, { login: where.author, ...answer });
  if (refusal === null) return loaded.settings;
  const who =
    refusal.by === 'role'
      ? `people with ${ROLES_FROM[refusal.need]} permission`
      : `${refusal.users.join(', ')}`;
  await say([
    `this repository's ${REPO_SETTINGS_FILE} lets only ${who} start or change goals with omk, so I did not act on it. One of them can run the same command if they agree.`,
  ]);
  return null;
}

type BudgetKey = 'time' | 'tokens' | 'usd';

const BUDGET_WORDS: Record<BudgetKey, { flag: string; amount: (value: number) => string }> = {
  time: { flag: '--budget-time', amount: (ms) => formatDuration(ms) },
  tokens: { flag: '--budget-tokens', amount: (tokens) => `${tokens.toLocaleString('en-US')} tokens` },
  usd: { flag: '--budget-usd', amount: (usd) => `${usd} USD` },
};

/**
 * The run request with the repository's defaults for what the comment did not give. The file's
 * `budget` is also a cap: a command asking for more of any part is refused (a UsageError naming
 * the cap), and nothing starts.
 */
export function withRepoDefaults(
  request: CreateGoalRequest,
  given: readonly string[],
  settings: RepoSettings,
): CreateGoalRequest {
  const unless = <T>(flag: string, value: T | undefined, current: T): T =>
    given.includes(flag) || value === undefined ? current : value;
  const budget = settings.budget ?? {};
  const over = (['time', 'tokens', 'usd'] as const).filter((key) => {
    const cap = budget[key];
    const asked = request.budget[key];
    return cap !== undefined && asked !== undefined && asked > cap;
  });
  if (over.length > 0) {
    const words = over.map((key) => {
      const { flag, amount } = BUDGET_WORDS[key];
      return `${amount(request.budget[key] ?? 0)} (${flag}), more than the ${amount(budget[key] ?? 0)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
    });
    throw new UsageError(`This command asks for ${words.join(' and ')}. Nothing was started.`, {
      hint: `Ask for at most that, or leave ${over.map((key) => BUDGET_WORDS[key].flag).join(' and ')} out to get it; to allow more, raise budget in ${REPO_SETTINGS_FILE} on the default branch.`,
    });
  }
  return {
    ...request,
    policy: unless('policy', settings.policy, request.policy),
    mergePolicy: unless('merge-policy', settings.mergePolicy, request.mergePolicy),
    maxAgents: unless('max-agents', settings.maxAgents, request.maxAgents),
    budget: {
      ...request.budget,
      ...(given.includes('budget-time') || budget.time === undefined ? {} : { time: budget.time }),
      ...(given.includes('budget-tokens') || budget.tokens === undefined ? {} : { tokens: budget.tokens }),
      ...(given.includes('budget-usd') || budget.usd === undefined ? {} : { usd: budget.usd }),
    },
  };
}

const PART_KEY = { timeMs: 'time', tokens: 'tokens', usd: 'usd' } as const;

/**
 * The file's `budget` as a cap on `/omk goal budget`: an addition that would take the goal past it
 * is refused (nothing is added), naming the cap, as a run asking for more is.
 */
export function repoBudgetCap(settings: RepoSettings): BudgetCap | undefined {
  const budget = settings.budget ?? {};
  if (budget.time === undefined && budget.tokens === undefined && budget.usd === undefined) return undefined;
  return {
    limits: { timeMs: budget.time, tokens: budget.tokens, usd: budget.usd },
    refusal: (over, goalId) => {
      const words = over.map(({ part, added, limit, cap }) => {
        const key = PART_KEY[part];
        const { amount } = BUDGET_WORDS[key];
        return `its ${key} to ${amount(limit)} (adding ${amount(added)}), more than the ${amount(cap)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
      });
      const room = over.map(({ part, added, limit, cap }) => {
        const key = PART_KEY[part];
        const left = Math.max(0, Math.round((cap - (limit - added)) * 10_000) / 10_000);
        return `${BUDGET_WORDS[key].amount(left)} (--${key})`;
      });
      return new UsageError(
        `This command would raise the budget of goal ${goalId}: ${words.join(' and ')}. Nothing was added.`,
        {
          hint: `Add at most ${room.join(' and ')}; to allow more, raise budget in ${REPO_SETTINGS_FILE} on the default branch.`,
        },
      );
    },
  };
}

/** The agent a goal is planned with here: the repository's named agent, else the operator's (a command agent does not plan). */
export function planningAgent(bot: Bot, settings: RepoSettings): string | undefined {
  const agent = settings.agent;
  if (agent === undefined) return bot.deps.config.agent ?? undefined;
  return typeof agent === 'string' ? agent : undefined;
}

/** The agent a local run executes with: the repository's (allowed when loaded), else the operator's. */
export async function runAgent(bot: Bot, settings: RepoSettings, repoRoot: string): Promise<AgentChoice> {
  if (settings.agent !== undefined) return repoAgentChoice(repoRoot, settings.agent);
  return bot.deps.config.agent === null ? {} : { name: bot.deps.config.agent };
}

export function mergeMethodSetting(settings: RepoSettings): MergeMethod | null {
  return settings.mergeMethod ?? null;
}
