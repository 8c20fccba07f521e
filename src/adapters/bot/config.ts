import { tmpdir } from 'node:os';
import { z } from 'zod';
import { ConfigError, DEFAULT_STATE_BRANCH, stateBranchProblem } from '../../runtime/app/index.js';
import { blank, judged, matching, oneOf } from '../settings/named-strings.js';
import { STATUS_MIN_GAP_MS } from './live-status.js';

export const BOT_MODES = ['actions', 'local'] as const;
export type BotMode = (typeof BOT_MODES)[number];

const WORKFLOW = /^[A-Za-z0-9._-]+\.ya?ml$|^\d+$/;

function intIn(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw.trim());
      if (Number.isInteger(value) && value >= min && value <= max) return value;
      ctx.addIssue({
        code: 'custom',
        message: `${name}: '${raw}' is not a whole number from ${min} to ${max}.`,
      });
      return z.NEVER;
    });
}

function text(fallback: string) {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? fallback : raw.trim()));
}

/** A variable left unset or `blank` is not given (its default applies); anything else must parse. */
function unlessBlank<T>(schema: z.ZodType<T, string>, blank: (raw: string) => boolean) {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || blank(raw) ? undefined : raw))
    .pipe(schema.optional());
}

const allSpace = (raw: string) => raw.trim() === '';

/** Every environment variable the bot reads (Probot reads APP_ID, PRIVATE_KEY*, WEBHOOK_SECRET itself). */
const envSchema = z.object({
  OMK_BOT_MODE: unlessBlank(oneOf('OMK_BOT_MODE', BOT_MODES, 'OMK_BOT_MODE=actions'), allSpace),
  OMK_BOT_WORKFLOW: unlessBlank(
    matching(
      'OMK_BOT_WORKFLOW',
      WORKFLOW,
      'a workflow file name (omk.yml) or id',
      'OMK_BOT_WORKFLOW=omk.yml',
    ),
    allSpace,
  ),
  OMK_BOT_CONCURRENCY: intIn('OMK_BOT_CONCURRENCY', 1, 64, 2),
  OMK_BOT_COMMAND_CONCURRENCY: intIn('OMK_BOT_COMMAND_CONCURRENCY', 1, 256, 8),
  OMK_BOT_QUEUE_LIMIT: intIn('OMK_BOT_QUEUE_LIMIT', 1, 1_000_000, 1000),
  OMK_BOT_STATUS_GAP_MS: intIn('OMK_BOT_STATUS_GAP_MS', 0, 60_000, STATUS_MIN_GAP_MS),
  OMK_BOT_AGENT: text(''),
  OMK_BOT_REPO_AGENTS: text(''),
  OMK_BOT_ALLOW_BOTS: text(''),
  OMK_BOT_WORK_DIR: text(''),
  // Blank only when spaces alone: `main\n` is not `main`, and `\n` not a branch omk commits state to.
  OMK_STATE_BRANCH: unlessBlank(
    judged(
      'OMK_STATE_BRANCH',
      (value) => stateBranchProblem(value),
      'a state branch omk can use',
      `OMK_STATE_BRANCH=${DEFAULT_STATE_BRANCH}`,
    ),
    blank,
  ),
});

export interface BotConfig {
  /** actions: dispatch the omk workflow; local: run goals in this process. */
  mode: BotMode;
  /** Workflow file name (or id) dispatched in actions mode. */
  workflow: string;
  /** Goals executed at once in local mode. */
  runConcurrency: number;
  /** Short jobs (replies, lifecycle, merge checks) at once. */
  commandConcurrency: number;
  /** Jobs waiting at most; beyond it a command is answered "busy". */
  queueLimit: number;
  /** The agent local mode runs (a preset, script:<path>, a name from .omk/config.yml, or demo). */
  agent: string | null;
  /**
   * Agents a repository's `.github/omk.yml` may choose besides `agent`: names (claude,
   * script:./agent.sh) and `command:<program>` for a command agent running that program.
   */
  repoAgents: readonly string[];
  /** Bot logins (`name[bot]`) whose comments are obeyed; every other bot is ignored. */
  allowBots: readonly string[];
  /** Parent of the temporary checkouts; each is removed when its job ends. */
  workDir: string;
  stateBranch: string;
  /** Least time between two edits of a run's status comment (local mode); closer phases are coalesced. */
  statusGapMs: number;
}

export function readBotConfig(env: Readonly<Record<string, string | undefined>>): BotConfig {
  const result = envSchema.safeParse({
    OMK_BOT_MODE: env.OMK_BOT_MODE,
    OMK_BOT_WORKFLOW: env.OMK_BOT_WORKFLOW,
    OMK_BOT_CONCURRENCY: env.OMK_BOT_CONCURRENCY,
    OMK_BOT_COMMAND_CONCURRENCY: env.OMK_BOT_COMMAND_CONCURRENCY,
    OMK_BOT_QUEUE_LIMIT: env.OMK_BOT_QUEUE_LIMIT,
    OMK_BOT_STATUS_GAP_MS: env.OMK_BOT_STATUS_GAP_MS,
    OMK_BOT_AGENT: env.OMK_BOT_AGENT,
    OMK_BOT_REPO_AGENTS: env.OMK_BOT_REPO_AGENTS,
    OMK_BOT_ALLOW_BOTS: env.OMK_BOT_ALLOW_BOTS,
    OMK_BOT_WORK_DIR: env.OMK_BOT_WORK_DIR,
    OMK_STATE_BRANCH: env.OMK_STATE_BRANCH,
  });
  if (!result.success) {
    throw new ConfigError(`The bot's configuration is invalid:\n${z.prettifyError(result.error)}`, {
      cause: result.error,
      hint: 'Fix the variables in .env (see .env.example).',
    });
  }
  const v = result.data;
  if (v.OMK_BOT_MODE === 'local' && v.OMK_BOT_AGENT === '') {
    throw new ConfigError('OMK_BOT_MODE is local, but OMK_BOT_AGENT names no agent.', {
      hint: 'Set OMK_BOT_AGENT (claude, codex, script:./agent.sh, ...) or use OMK_BOT_MODE=actions.',
    });
  }
  return {
    mode: v.OMK_BOT_MODE ?? 'actions',
    workflow: v.OMK_BOT_WORKFLOW ?? 'omk.yml',
    runConcurrency: v.OMK_BOT_CONCURRENCY,
    commandConcurrency: v.OMK_BOT_COMMAND_CONCURRENCY,
    queueLimit: v.OMK_BOT_QUEUE_LIMIT,
    agent: v.OMK_BOT_AGENT === '' ? null : v.OMK_BOT_AGENT,
    repoAgents: commaList(v.OMK_BOT_REPO_AGENTS),
    allowBots: commaList(v.OMK_BOT_ALLOW_BOTS),
    workDir: v.OMK_BOT_WORK_DIR === '' ? tmpdir() : v.OMK_BOT_WORK_DIR,
    stateBranch: v.OMK_STATE_BRANCH ?? DEFAULT_STATE_BRANCH,
    statusGapMs: v.OMK_BOT_STATUS_GAP_MS,
  };
}

function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
