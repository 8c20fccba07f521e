// A repository's own settings (.github/omk.yml on its default branch), read once per job through
// @probot/octokit-plugin-config, validated by the runtime's schema and held within what the
// operator's environment allows. A missing file is the environment's defaults.

import type { BotGitHub, RepoRef } from '../adapters/bot/github.js';
import {
  type BudgetCap,
  type BudgetOverCap,
  type CreateGoalRequest,
  ForgeError,
  formatDuration,
  isOmkError,
  type MergeMethod,
  type PermissionAnswer,
  type RepoSettings,
  type RequestField,
  readRepoSettings,
  repoAccessVerdict,
  repoAgentVerdict,
  UsageError,
  withRepoDefaults,
} from '../runtime/app/index.js';
import type { Bot } from './bot.js';
import { plainReply } from './replies.js';
import { BOT_SPELLING, BOT_STEPS, usdAmount } from './wording.js';

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

const BUDGET_AMOUNT: Record<BudgetOverCap['key'], (value: number) => string> = {
  time: (ms) => formatDuration(ms),
  tokens: (tokens) => `${tokens.toLocaleString('en-US')} tokens`,
  usd: usdAmount,
};

/**
 * The run request with the repository's defaults for what the comment did not give; a command
 * asking for more budget than the file's cap is refused (a UsageError naming the cap), and nothing
 * starts.
 */
export function withRepoSettings(
  request: CreateGoalRequest,
  given: readonly RequestField[],
  settings: RepoSettings,
): CreateGoalRequest {
  const outcome = withRepoDefaults(request, given, settings);
  if (outcome.ok) return outcome.request;
  const flags = outcome.over.map(({ field }) => BOT_SPELLING.name(field));
  const words = outcome.over.map(({ key, asked, cap }, i) => {
    const amount = BUDGET_AMOUNT[key];
    return `${amount(asked)} (${flags[i]}), more than the ${amount(cap)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
  });
  throw new UsageError(`This command asks for ${words.join(' and ')}. Nothing was started.`, {
    hint: `Ask for at most that, or leave ${flags.join(' and ')} out to get it; to allow more, raise budget in ${REPO_SETTINGS_FILE} on the default branch.`,
  });
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
        const amount = BUDGET_AMOUNT[key];
        return `its ${key} to ${amount(limit)} (adding ${amount(added)}), more than the ${amount(cap)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
      });
      const room = over.map(({ part, added, limit, cap }) => {
        const key = PART_KEY[part];
        const left = Math.max(0, Math.round((cap - (limit - added)) * 10_000) / 10_000);
        return `${BUDGET_AMOUNT[key](left)} (--${key})`;
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

export function mergeMethodSetting(settings: RepoSettings): MergeMethod | null {
  return settings.mergeMethod ?? null;
}
