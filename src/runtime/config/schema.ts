import { z } from 'zod';
import { agentsConfigSchema } from '../agents/config.js';
import { GATE_HOMES } from '../gates/port.js';
import { sandboxConfigSchema } from '../sandbox/config.js';
import { SANDBOX_NETWORKS } from '../sandbox/port.js';
import { durationSchema } from './duration.js';

export { durationSchema };

/** The newest `.omk/config.yml` version this omk understands. */
export const CONFIG_VERSION = 1;

/** Gate kinds that are required unless the config says otherwise. */
export const REQUIRED_GATE_KINDS: readonly string[] = ['test', 'lint', 'typecheck', 'format'];

/** What a gate failing only with the base's own failures does to readiness. */
export const PRE_EXISTING_POLICIES = ['allow', 'block'] as const;

export const DEFAULT_GATE_TIMEOUT_MS = 10 * 60_000;
/** Words, digits, dots and dashes: gate names end up in log file names and proof tables. */
export const gateNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: 'must be 1-64 letters, digits, dots, dashes or underscores (e.g. test, e2e, lint-docs)',
});

/** `run: "npm test"` would need a shell to split; say so and show the array form. */
export const argvSchema = z
  .array(z.string().min(1, { error: 'an argument may not be empty' }), {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `must be an argv array, not a string (omk never runs a shell): run: [${issue.input
            .trim()
            .split(/\s+/)
            .map((part) => JSON.stringify(part))
            .join(', ')}]`
        : 'must be an argv array such as ["npm", "test"]',
  })
  .min(1, { error: 'must name a command, e.g. ["npm", "test"]' })
  .max(256)
  .describe('The command as an argv array; it is never passed through a shell.');

export const gateConfigSchema = z.strictObject({
  /** Matches a detected gate to override it, or names a new gate (which then needs `run`). */
  name: gateNameSchema,
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'must be a lowercase word such as test, lint, benchmark' })
    .optional()
    .describe('test | lint | typecheck | format | build | benchmark | custom ...'),
  run: argvSchema.optional(),
  required: z.boolean().optional().describe('Whether a failure blocks readiness.'),
  timeout: durationSchema.optional(),
  /** For tools that report problems by printing them and exiting 0 (gofmt -l). */
  failOnOutput: z.boolean().optional().describe('Fail the gate when it prints anything on stdout.'),
  preExisting: z
    .enum(PRE_EXISTING_POLICIES)
    .optional()
    .describe(
      'allow (default): a gate whose only failures also fail on the base (same tests, same diagnostics) does not block readiness; the proof lists them. block: it does.',
    ),
  enabled: z.boolean().optional().describe('false removes a detected gate.'),
  network: z
    .enum(SANDBOX_NETWORKS)
    .optional()
    .describe(
      "Sandboxed, this gate's network: open, none, or allow (only sandbox.allowedHosts, through a proxy) (default: sandbox.network's gates).",
    ),
});
export type GateConfig = z.infer<typeof gateConfigSchema>;

export const gatesConfigSchema = z
  .strictObject({
    detect: z.boolean().default(true).describe('Detect gates from the project files.'),
    timeout: durationSchema.prefault('10m').describe('Default per-gate timeout.'),
    home: z
      .enum(GATE_HOMES)
      .default('own')
      .describe(
        "own (default): every gate process gets a HOME omk makes for it and removes after, the user's toolchain caches still found; user: gates run with your own HOME (a tool that needs its settings there).",
      ),
    list: z
      .array(gateConfigSchema)
      .max(64)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((gate, index) => {
          if (seen.has(gate.name)) {
            ctx.addIssue({
              code: 'custom',
              message: `gate '${gate.name}' is listed twice; merge the two entries`,
              path: [index, 'name'],
            });
          }
          seen.add(gate.name);
        });
      }),
  })
  .prefault({});
export type GatesConfig = z.infer<typeof gatesConfigSchema>;

/** `workspace.setup` (and the Action's workspace-setup input): 1-16 argv commands, run in order. */
export const workspaceSetupSchema = z
  .array(argvSchema)
  .min(1, { error: 'list at least one command, or leave setup out to let omk detect' })
  .max(16);

export const workspaceConfigSchema = z
  .strictObject({
    setup: workspaceSetupSchema
      .optional()
      .describe(
        'Commands run, in order, in each new worktree before an agent or a gate, instead of what omk detects (e.g. [["npm", "ci"]]).',
      ),
    install: z
      .boolean()
      .default(true)
      .describe(
        "Run the project's install (npm ci, pnpm install, yarn install) when the checkout's node_modules cannot be reused.",
      ),
    timeout: durationSchema.prefault('10m').describe('Timeout of each setup or install command.'),
    keep: z
      .boolean()
      .default(false)
      .describe(
        "Keep the goal's worktrees when it settles (by default they are removed; its branches stay until it is merged, cancelled or rejected).",
      ),
  })
  .prefault({});
export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;

/** How goals are planned; the CLI/Action switch (on by default) says whether an agent plans at all. */
export const plannerConfigSchema = z
  .strictObject({
    agent: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The agent that plans goals (a preset, script:PATH or a custom agent); default: the agent the goal runs with.',
      ),
  })
  .prefault({});
export type PlannerConfig = z.infer<typeof plannerConfigSchema>;

/**
 * What a gated merge requires of CI besides omk's own check: `auto` the base's required checks, or
 * (protection unreadable, or requiring none) at least one successful check; `none` nothing
 * (failing or pending checks still block); a list: these checks, on top of the protection's.
 */
export const requireChecksSchema = z
  .union([
    z.enum(['auto', 'none']),
    z
      .array(z.string().trim().min(1, { error: 'a check name may not be empty' }).max(255))
      .min(1, { error: 'list at least one check name (e.g. [ci]), or use auto or none' })
      .max(64),
  ])
  .describe('auto | none | a list of check names (e.g. [build, test]).');
export type RequireChecks = z.infer<typeof requireChecksSchema>;

export const mergeConfigSchema = z
  .strictObject({
    requireChecks: requireChecksSchema
      .default('auto')
      .describe(
        "What a gated merge requires of CI besides omk/proof: auto (the protected base's required checks, or at least one successful check when protection cannot be read), none, or a list of check names.",
      ),
  })
  .prefault({});
export type MergeConfig = z.infer<typeof mergeConfigSchema>;

/** The fewest and the most bytes `logs.maxBytes` may keep of one run's output. */
export const LOG_MAX_BYTES_MIN = 1024;
export const LOG_MAX_BYTES_MAX = 1024 * 1024 * 1024;

/** How much of each agent transcript, gate log and install/setup log is kept; the head and tail stay, the cut is noted. */
export const logsConfigSchema = z
  .strictObject({
    maxBytes: z
      .number()
      .int({ error: 'must be a whole number of bytes' })
      .min(LOG_MAX_BYTES_MIN, { error: `must be at least ${LOG_MAX_BYTES_MIN} bytes` })
      .max(LOG_MAX_BYTES_MAX, { error: `must be at most ${LOG_MAX_BYTES_MAX} bytes (1 GiB)` })
      .optional()
      .describe(
        "The most bytes one agent transcript, gate log or install/setup log keeps of a run's output: its first and last halves, with a line recording the cut. Default: $OMK_LOG_MAX_BYTES, else 8388608 (8 MiB).",
      ),
  })
  .prefault({});
export type LogsConfig = z.infer<typeof logsConfigSchema>;

// The agents section is owned by the agents module; refuse unknown keys at its top level too.
const strictAgentsSchema = agentsConfigSchema.unwrap().strict().default({ custom: {}, settings: {} });

export const configSchema = z.strictObject({
  version: z
    .literal(CONFIG_VERSION, { error: `must be ${CONFIG_VERSION}` })
    .default(CONFIG_VERSION)
    .describe('Config format version.'),
  gates: gatesConfigSchema,
  workspace: workspaceConfigSchema,
  agents: strictAgentsSchema,
  planner: plannerConfigSchema,
  merge: mergeConfigSchema,
  logs: logsConfigSchema,
  sandbox: sandboxConfigSchema,
});
export type OmkConfig = z.infer<typeof configSchema>;

export function defaultConfig(): OmkConfig {
  return configSchema.parse({});
}

/** JSON Schema (draft 2020-12) of the file as written, for editors and yaml-language-server. */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return { $schema, title: 'omk configuration (.omk/config.yml)', ...rest };
}
