import { z } from 'zod';
import { durationSchema } from '../config/duration.js';

/** How a command agent receives its prompt. */
export const PROMPT_DELIVERY = ['file', 'stdin', 'arg'] as const;

/**
 * A user-defined agent command in .omk/config.yml. `argv` is a template: `{prompt}` (the prompt
 * text as one argument), `{promptFile}` (path of a file holding it) and `{cwd}` are replaced in
 * whole arguments; nothing is ever passed through a shell.
 */
export const customAgentSchema = z.object({
  argv: z.array(z.string().min(1)).min(1),
  prompt: z.enum(PROMPT_DELIVERY).default('file'),
  /** Extra environment variable NAMES passed through from omk's environment (never a GitHub token). */
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
  /** Files or directories of your HOME (relative to it) copied into the agent's own HOME: its login. */
  home: z.array(z.string().min(1)).default([]),
  /** How usage is read from its output: none, or a JSON object with tokens/cost fields. */
  usage: z.enum(['none', 'json']).default('none'),
});
export type CustomAgentConfig = z.infer<typeof customAgentSchema>;

export const agentsConfigSchema = z
  .object({
    /** The agent used when --agent is not given: a preset name, `script:<path>`, or a custom name. */
    default: z.string().min(1).optional(),
    /** Named custom commands, usable as --agent <name>. */
    custom: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), customAgentSchema).default({}),
    /**
     * How long an agent may print nothing at all after it starts before omk stops it as unable to
     * run here (a CLI waiting on a login prompt). Default 60s.
     */
    startupSilence: durationSchema.optional(),
    /**
     * How long an agent may print nothing but network failures (DNS, refused connections,
     * "Reconnecting…") before omk stops it as unable to reach its provider. Default 2m for presets.
     */
    networkStall: durationSchema.optional(),
    /**
     * How long omk waits in all for a rate-limited agent (HTTP 429, "rate limit exceeded") before
     * the run stops: it waits what the agent asked (`retry after 30s`), else 30s doubling, at most
     * 5m at a time, and runs it again without spending an attempt. Default 30m.
     */
    rateLimitWait: durationSchema.optional(),
    /**
     * Per-agent settings: extra arguments appended to the preset's argv, env names to pass, and
     * files of HOME to copy into the agent's own HOME.
     */
    settings: z
      .record(
        z.string(),
        z.object({
          extraArgs: z.array(z.string()).default([]),
          env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
          /** More of your HOME (relative to it) copied into the agent's own HOME, on top of a preset's login. */
          home: z.array(z.string().min(1)).default([]),
          /** Overrides agents.startupSilence for this agent. */
          startupSilence: durationSchema.optional(),
          /** Overrides agents.networkStall for this agent. */
          networkStall: durationSchema.optional(),
        }),
      )
      .default({}),
  })
  .default({ custom: {}, settings: {} });
export type AgentsConfig = z.infer<typeof agentsConfigSchema>;
