import type { BudgetCap } from '../budget/ops.js';
import {
  type OperatorAgents,
  type RepoSettings,
  readRepoSettings,
  repoAccessVerdict,
  repoAgentVerdict,
} from '../config/repo-settings.js';
import { ForgeError, isOmkError, UsageError } from '../errors.js';
import type { RequestField } from '../request-issues.js';
import type { CreateGoalRequest } from '../requests.js';
import { tokensAmount, usdAmount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
import type { PermissionAnswer } from './access.js';
import { withRepoDefaults } from './repo-defaults.js';
import { ROLES_FROM } from './thread-words.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * The rules a host applies to a repository's own settings (`.github/omk.yml` on its default
 * branch): read once per job, validated by the runtime's schema, held within what the operator's
 * environment allows, and their words when they refuse. A missing file is the operator's defaults.
 */

export const REPO_SETTINGS_FILE = '.github/omk.yml';

/** The file as the host's forge handed it over (null: there is none), or what failed reading it. */
export type RepoSettingsFile = { config: unknown; sources: readonly string[] } | null;

export type RepoSettingsLoad =
  | { ok: true; settings: RepoSettings; sources: readonly string[] }
  /** What is wrong, as lines of a reply (the file, the key, what to do). */
  | { ok: false; lines: string[] };

const FIX_IT = `Fix ${REPO_SETTINGS_FILE} on the default branch (or delete it to use the app's defaults), then post the command again. Nothing was run.`;

/**
 * The repository's settings from what `read` returns, or why they cannot be used: GitHub failed to
 * hand the file over (nothing is wrong with it, so no "fix the file"), the file is invalid, or it
 * asks for an agent the operator did not allow. An error omk did not expect is thrown.
 */
export async function loadRepoSettings(
  read: () => Promise<RepoSettingsFile>,
  operator: OperatorAgents,
  words: HostVocabulary,
): Promise<RepoSettingsLoad> {
  let file: RepoSettingsFile;
  try {
    file = await read();
  } catch (error) {
    if (!isOmkError(error)) throw error;
    if (error instanceof ForgeError) {
      return {
        ok: false,
        lines: [
          `I could not read ${REPO_SETTINGS_FILE}, so nothing was run: ${error.message}`,
          error.hintIn(words.steps) ?? 'Post the command again in a few minutes.',
        ],
      };
    }
    return { ok: false, lines: [`${error.message.split('\n')[0] ?? ''}`, FIX_IT] };
  }
  if (file === null) return { ok: true, settings: {}, sources: [] };
  const shown = file.sources.join(', ');
  const checked = readRepoSettings(file.config);
  if (!checked.ok) {
    return {
      ok: false,
      lines: [
        `${REPO_SETTINGS_FILE} (${shown}) is not valid:`,
        ...checked.issues.map((issue) => `${issue.key}: ${issue.message}`),
        FIX_IT,
      ],
    };
  }
  const agent = checked.settings.agent;
  const verdict = agent === undefined ? null : repoAgentVerdict(agent, operator);
  if (verdict !== null && !verdict.allowed) {
    const allowed = [operator.agent, ...operator.allowed].filter((name) => name !== null).join(', ');
    return {
      ok: false,
      lines: [
        `${REPO_SETTINGS_FILE} (${shown}) asks for the agent ${verdict.asked}, which the operator of this app does not allow here${allowed === '' ? '' : ` (allowed: ${allowed})`}.`,
        `Choose an allowed agent or remove agent from ${REPO_SETTINGS_FILE}, or ask the app's operator to allow ${verdict.asked}. Nothing was run.`,
      ],
    };
  }
  return { ok: true, settings: checked.settings, sources: file.sources };
}

/**
 * Why the file's `access` rule refuses `login` (with `answer`, their permission) to start or
 * change a goal, as a line of a reply; null when it lets them.
 */
export function repoAccessRefusal(
  settings: RepoSettings,
  login: string,
  answer: PermissionAnswer,
): string | null {
  const refusal = repoAccessVerdict(settings.access, { login, ...answer });
  if (refusal === null) return null;
  const who =
    refusal.by === 'role' ? `people with ${ROLES_FROM[refusal.need]} permission` : refusal.users.join(', ');
  return `this repository's ${REPO_SETTINGS_FILE} lets only ${who} start or change goals with omk, so I did not act on it. One of them can run the same command if they agree.`;
}

type BudgetKey = 'time' | 'tokens' | 'usd';

const BUDGET_AMOUNT: Record<BudgetKey, (value: number) => string> = {
  time: formatDuration,
  tokens: tokensAmount,
  usd: usdAmount,
};

/**
 * The start request with the repository's defaults for what the command did not give; one asking
 * for more budget than the file's cap is refused (a UsageError naming the cap, in the host's
 * words), and nothing starts.
 */
export function withRepoSettings(
  request: CreateGoalRequest,
  given: readonly RequestField[],
  settings: RepoSettings,
  words: HostVocabulary,
): CreateGoalRequest {
  const outcome = withRepoDefaults(request, given, settings);
  if (outcome.ok) return outcome.request;
  const names = outcome.over.map(({ field }) => words.fields.name(field));
  const parts = outcome.over.map(({ key, asked, cap }, i) => {
    const amount = BUDGET_AMOUNT[key];
    return `${amount(asked)} (${names[i]}), more than the ${amount(cap)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
  });
  throw new UsageError(`This command asks for ${parts.join(' and ')}. Nothing was started.`, {
    hint: `Ask for at most that, or leave ${names.join(' and ')} out to get it; to allow more, raise budget in ${REPO_SETTINGS_FILE} on the default branch.`,
  });
}

const PART_KEY = { timeMs: 'time', tokens: 'tokens', usd: 'usd' } as const;

/**
 * The file's `budget` as a cap on adding budget to a goal: an addition that would take the goal
 * past it is refused (nothing is added), naming the cap, as a start asking for more is.
 */
export function repoBudgetCap(settings: RepoSettings, words: HostVocabulary): BudgetCap | undefined {
  const budget = settings.budget ?? {};
  if (budget.time === undefined && budget.tokens === undefined && budget.usd === undefined) return undefined;
  return {
    limits: { timeMs: budget.time, tokens: budget.tokens, usd: budget.usd },
    refusal: (over, goalId) => {
      const parts = over.map(({ part, added, limit, cap }) => {
        const key = PART_KEY[part];
        const amount = BUDGET_AMOUNT[key];
        return `its ${key} to ${amount(limit)} (adding ${amount(added)}), more than the ${amount(cap)} this repository's ${REPO_SETTINGS_FILE} allows a goal (budget.${key})`;
      });
      const room = over.map(({ part, added, limit, cap }) => {
        const key = PART_KEY[part];
        const left = Math.max(0, Math.round((cap - (limit - added)) * 10_000) / 10_000);
        return `${BUDGET_AMOUNT[key](left)} (${words.fields.name(key)})`;
      });
      return new UsageError(
        `This command would raise the budget of goal ${goalId}: ${parts.join(' and ')}. Nothing was added.`,
        {
          hint: `Add at most ${room.join(' and ')}; to allow more, raise budget in ${REPO_SETTINGS_FILE} on the default branch.`,
        },
      );
    },
  };
}
