import { z } from 'zod';
import { PROMPT_DELIVERY } from '../agents/config.js';
import { type Parsed, parseDuration, parseTokens, parseUsd } from '../budget/parse.js';
import { MERGE_METHODS } from '../forge/port.js';
import { MERGE_POLICIES } from '../goal/schema.js';
import { argvSchema } from './schema.js';

/**
 * A repository's own settings for a front door that serves many repositories (the bot's
 * `.github/omk.yml`): defaults for the goals started there, how its PRs merge, and who may start
 * or change goals. They are read from the repository, so they may narrow what the operator allows
 * but never widen it: an agent must be one the operator allowed (`repoAgentVerdict`), access can
 * only be raised above write (`repoAccessVerdict`), and `local` delivery is not a choice.
 */

/** A preset, `script:<path>`, a custom agent of `.omk/config.yml`, or `demo`: as every front door takes it. */
const agentNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'name an agent, e.g. claude' })
  .max(200)
  .refine((name) => !name.startsWith('command:'), {
    error: 'a command agent is written as a map: agent: { command: ["my-agent", "{promptFile}"] }',
  });

/** An agent given as a command: argv (with {prompt}, {promptFile}, {cwd}) and how it gets the prompt. */
const commandAgentSchema = z.strictObject({
  command: argvSchema,
  prompt: z
    .enum(PROMPT_DELIVERY)
    .default('file')
    .describe('How the command receives the prompt: file ({promptFile}), stdin, or arg ({prompt}).'),
});

function budgetValue(parse: (raw: string) => Parsed<number>, what: string) {
  return z.union([z.string(), z.number()]).transform((raw, ctx): number => {
    const result = parse(String(raw));
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: `'${String(raw).slice(0, 40)}' is not ${what}` });
    return z.NEVER;
  });
}

/** The roles that may start or change goals, weakest first; a repository may only ask for more. */
export const REPO_ACCESS_ROLES = ['write', 'maintain', 'admin'] as const;
export type RepoAccessRole = (typeof REPO_ACCESS_ROLES)[number];

const loginSchema = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, {
  error: 'must be a GitHub login such as octocat',
});

export const repoSettingsSchema = z.strictObject({
  agent: z
    .union([agentNameSchema, commandAgentSchema], {
      error: 'must be an agent name (claude, script:./agent.sh) or { command: [argv...] }',
    })
    .optional()
    .describe('The agent goals run with; one the operator allowed.'),
  policy: z
    .enum(['draft-pr', 'auto-pr'], { error: 'must be draft-pr or auto-pr (local keeps no branches here)' })
    .optional()
    .describe('Delivery policy of a goal whose command names none.'),
  mergePolicy: z.enum(MERGE_POLICIES).optional().describe('Merge policy of a goal whose command names none.'),
  mergeMethod: z
    .enum(MERGE_METHODS)
    .optional()
    .describe('How integrator PRs merge, when the repository allows that method.'),
  maxAgents: z
    .number({ error: 'must be a whole number from 1 to 64' })
    .int({ error: 'must be a whole number from 1 to 64' })
    .min(1, { error: 'must be a whole number from 1 to 64' })
    .max(64, { error: 'must be a whole number from 1 to 64' })
    .optional(),
  budget: z
    .strictObject({
      time: budgetValue((raw) => parseDuration(raw), 'a duration such as 30m, 2h or 1h30m').optional(),
      tokens: budgetValue((raw) => parseTokens(raw), 'a token count such as 200000 or 200k').optional(),
      usd: budgetValue((raw) => parseUsd(raw), 'an amount of dollars such as 25').optional(),
    })
    .optional()
    .describe('Budget of a goal whose command names none.'),
  access: z
    .strictObject({
      permission: z
        .enum(REPO_ACCESS_ROLES, { error: 'must be write, maintain or admin (never less than write)' })
        .default('write'),
      users: z
        .array(loginSchema)
        .min(1, { error: 'list at least one login, or leave users out' })
        .max(1000)
        .optional(),
    })
    .optional()
    .describe('Who may start or change goals: at least this role, and (when listed) only these people.'),
});
export type RepoSettings = z.output<typeof repoSettingsSchema>;
export type RepoAgentSetting = NonNullable<RepoSettings['agent']>;

/** One thing wrong with the file: the key (dotted, with list indexes) and what is wrong with it. */
export interface RepoSettingsIssue {
  key: string;
  message: string;
}

export type RepoSettingsRead =
  | { ok: true; settings: RepoSettings }
  | { ok: false; issues: RepoSettingsIssue[] };

/** Validates what the file holds (parsed YAML; a missing file is `{}`). */
export function readRepoSettings(raw: unknown): RepoSettingsRead {
  const result = repoSettingsSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, settings: result.data };
  const issues = result.error.issues.map((issue) => ({
    key: issue.path.length === 0 ? '(the file)' : issue.path.map(String).join('.'),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : issue.message,
  }));
  return { ok: false, issues };
}

/** What the operator allows, from its environment. */
export interface OperatorAgents {
  /** The operator's own agent: always allowed. */
  agent: string | null;
  /** More agents a repository may choose: names, and `command:<program>` for a command agent. */
  allowed: readonly string[];
}

/** How an agent setting is matched against the operator's list. */
export function repoAgentKey(agent: RepoAgentSetting): string {
  return typeof agent === 'string' ? agent : `command:${agent.command[0] ?? ''}`;
}

export type RepoAgentVerdict = { allowed: true } | { allowed: false; asked: string };

/** A repository may run only what the operator allowed: its own agent, or one it listed. */
export function repoAgentVerdict(agent: RepoAgentSetting, operator: OperatorAgents): RepoAgentVerdict {
  const key = repoAgentKey(agent);
  if (typeof agent === 'string' && agent === operator.agent) return { allowed: true };
  return operator.allowed.includes(key) ? { allowed: true } : { allowed: false, asked: key };
}

/** Why the repository's access rule refuses a person, or null when it lets them start or change goals. */
export type RepoAccessRefusal =
  | { by: 'role'; need: RepoAccessRole }
  | { by: 'users'; users: readonly string[] };

/**
 * The repository's access rule on top of the write access every change needs: `roleName` (admin,
 * maintain, write, or a custom role, which counts as write when the coarse permission says write)
 * must reach `permission`, and a listed `users` must name the login.
 */
export function repoAccessVerdict(
  access: RepoSettings['access'],
  who: { login: string; permission: string; roleName: string | null },
): RepoAccessRefusal | null {
  if (access === undefined) return null;
  const rank = (role: string | null): number =>
    role === null ? -1 : (REPO_ACCESS_ROLES as readonly string[]).indexOf(role);
  const have = Math.max(rank(who.roleName), rank(who.permission));
  if (have < rank(access.permission)) return { by: 'role', need: access.permission };
  const users = access.users;
  if (users !== undefined && !users.some((user) => user.toLowerCase() === who.login.toLowerCase())) {
    return { by: 'users', users };
  }
  return null;
}

/** JSON Schema (draft 2020-12) of `.github/omk.yml` as written, for editors and yaml-language-server. */
export function repoSettingsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(repoSettingsSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return { $schema, title: "omk bot's repository settings (.github/omk.yml)", ...rest };
}
