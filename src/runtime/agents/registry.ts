import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { quoteUntrusted } from '../graph/paths.js';
import type { AgentsConfig } from './config.js';
import { findCredentials } from './credentials.js';
import { checkedHomeEntries } from './home.js';
import type { Agent, AgentCommand, AgentLauncher } from './port.js';
import { AGENT_PRESETS, type AgentPreset, findPreset, presetArgv } from './presets.js';

export interface ResolveAgentOptions {
  /** Repository root: `script:` paths are relative to it. */
  repoRoot: string;
  config: AgentsConfig;
  /** The host environment; agents receive only an allowlisted part of it. */
  env: Readonly<Record<string, string | undefined>>;
  /** Builds the chosen agent (the front door's process adapter; a recorder in tests). */
  launcher: AgentLauncher;
  /**
   * The preset CLI's `--version` output when it was read (see prepareAgent): picks the argv for
   * that version. Absent or null: the preset's own argv.
   */
  cliVersion?: string | null;
}

const SCRIPT_PREFIX = 'script:';
/** A CLI that has printed nothing a minute after starting is waiting for someone (a login prompt). */
export const DEFAULT_STARTUP_SILENCE_MS = 60_000;
/** agents.networkStall for presets when nothing is configured. */
export const DEFAULT_NETWORK_STALL_MS = 120_000;
// Agent specs as every front door takes them (a flag, an input, the app's setting): no syntax.
const EXAMPLES = 'for example claude, or script:./fix.sh';

/**
 * An agent from its spec: the built-in demo agent, or the command `agentCommand` chooses, built by
 * the launcher the front door passed in.
 */
export function resolveAgent(spec: string, options: ResolveAgentOptions): Agent {
  if (spec.trim() === 'demo') return options.launcher.demo();
  return options.launcher.command(agentCommand(spec, options), options.env);
}

/**
 * The command a spec other than `demo` runs. Order: `script:<path>`, a custom name from
 * .omk/config.yml (which may deliberately redefine a preset, say to point at another binary), then
 * a preset.
 */
function agentCommand(
  spec: string,
  options: Pick<ResolveAgentOptions, 'repoRoot' | 'config' | 'cliVersion' | 'env'>,
): AgentCommand {
  const name = spec.trim();
  const settings = options.config.settings[name];
  const startupSilenceMs = startupSilence(name, options.config);
  const networkStallMs = networkStall(name, options.config);
  if (name.startsWith(SCRIPT_PREFIX)) {
    return {
      name,
      label: `script ${name.slice(SCRIPT_PREFIX.length).trim()}`,
      argv: [checkedScript(name, options.repoRoot), ...(settings?.extraArgs ?? [])],
      prompt: 'stdin',
      envNames: settings?.env ?? [],
      home: checkedHomeEntries(settings?.home ?? [], options.env, name),
      usage: 'json',
      startupSilenceMs,
      networkStallMs,
    };
  }
  const custom = options.config.custom[name];
  if (custom !== undefined) {
    return {
      name,
      label: `custom agent ${name} (${custom.argv[0] ?? '?'})`,
      argv: custom.argv,
      prompt: custom.prompt,
      envNames: custom.env,
      home: checkedHomeEntries(custom.home, options.env, name),
      usage: custom.usage,
      startupSilenceMs,
      networkStallMs,
    };
  }
  const preset = findPreset(name);
  if (preset !== undefined) {
    const { argv } = presetArgv(preset, options.cliVersion ?? null);
    const login = preset.login === undefined ? null : findCredentials(preset, options.env);
    return {
      name,
      label: `${name} (${preset.argv[0] ?? name} CLI)`,
      argv: [...argv, ...(settings?.extraArgs ?? [])],
      prompt: preset.prompt,
      envNames: [...preset.envNames, ...(settings?.env ?? [])],
      home: [...preset.home, ...checkedHomeEntries(settings?.home ?? [], options.env, name)],
      usage: preset.usage,
      startupSilenceMs,
      networkStallMs,
      ...(login?.missing == null
        ? {}
        : { missingLogin: `no login was found for it either (${login.missing}): ${login.how}` }),
    };
  }
  throw unknownAgent(spec, options.config);
}

/**
 * How long the agent may say nothing after starting, or null for no limit. A limit set for the
 * agent by name always applies; the general one (60s unless configured) only where silence means
 * something: not for a preset that is quiet until done (claude), and by default only for presets
 * known to print at once, never for a script or a custom command that may well be quiet.
 */
function startupSilence(name: string, config: AgentsConfig): number | null {
  const own = config.settings[name]?.startupSilence;
  if (own !== undefined) return own;
  const preset = config.custom[name] === undefined ? findPreset(name) : undefined;
  if (preset?.startup === 'quiet') return null;
  if (config.startupSilence !== undefined) return config.startupSilence;
  return preset?.startup === 'prints' ? DEFAULT_STARTUP_SILENCE_MS : null;
}

/**
 * How long an agent may print nothing but network failures before it is stopped as unable to reach
 * its provider: the agent's own setting, else agents.networkStall, else 2 minutes for a preset
 * (whose CLIs retry a network they cannot reach for good) and no limit for scripts and custom
 * commands (whose output omk does not know).
 */
function networkStall(name: string, config: AgentsConfig): number | null {
  const own = config.settings[name]?.networkStall;
  if (own !== undefined) return own;
  if (config.networkStall !== undefined) return config.networkStall;
  const preset = config.custom[name] === undefined ? findPreset(name) : undefined;
  return preset === undefined ? null : DEFAULT_NETWORK_STALL_MS;
}

/** The preset a spec runs, or undefined for demo, scripts and custom agents (even one named like a preset). */
export function presetOf(spec: string, config: AgentsConfig): AgentPreset | undefined {
  const name = spec.trim();
  return config.custom[name] === undefined ? findPreset(name) : undefined;
}

/** The presets, for docs and `omk doctor`. */
export function listAgentPresets(): { name: string; argv: string[]; description: string }[] {
  return AGENT_PRESETS.map((p) => ({ name: p.name, argv: [...p.argv], description: p.description }));
}

/**
 * What `omk doctor` should find for this spec: a command name to look up on PATH, an absolute
 * script path, or null for the built-in demo agent. Does not check that it exists.
 */
export function agentExecutable(
  spec: string,
  options: Pick<ResolveAgentOptions, 'repoRoot' | 'config'>,
): string | null {
  const name = spec.trim();
  if (name === 'demo') return null;
  if (name.startsWith(SCRIPT_PREFIX)) return scriptPath(name, options.repoRoot);
  const custom = options.config.custom[name];
  if (custom !== undefined) return custom.argv[0] ?? null;
  const preset = findPreset(name);
  if (preset !== undefined) return preset.argv[0] ?? null;
  throw unknownAgent(spec, options.config);
}

function scriptPath(spec: string, repoRoot: string): string {
  const raw = spec.slice(SCRIPT_PREFIX.length).trim();
  if (raw === '') {
    throw new ConfigError("the agent 'script:' needs a path to an executable", { hint: EXAMPLES });
  }
  return isAbsolute(raw) ? raw : resolve(repoRoot, raw);
}

function checkedScript(spec: string, repoRoot: string): string {
  const path = scriptPath(spec, repoRoot);
  const shown = quoteUntrusted(path);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw new ConfigError(`agent script ${shown} does not exist`, {
      hint: `script paths are relative to the repository root (${repoRoot}); ${EXAMPLES}`,
      cause: error,
    });
  }
  if (!isFile) throw new ConfigError(`agent script ${shown} is not a file`, { hint: EXAMPLES });
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new ConfigError(`agent script ${shown} is not executable`, {
      hint: `make it executable (chmod +x) and give it a #! line`,
      cause: error,
    });
  }
  return path;
}

function unknownAgent(spec: string, config: AgentsConfig): ConfigError {
  const names = [...AGENT_PRESETS.map((p) => p.name), ...Object.keys(config.custom), 'demo', 'script:<path>'];
  const unique = [...new Set(names)];
  return new ConfigError(
    `unknown agent ${quoteUntrusted(spec)}; valid agents: ${unique.join(', ')} (${EXAMPLES})`,
    {
      hint: 'define your own command under agents.custom in .omk/config.yml',
    },
  );
}
