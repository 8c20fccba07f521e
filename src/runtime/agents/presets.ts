import type { PROMPT_DELIVERY } from './config.js';
import type { PresetLogin } from './credentials.js';
import type { HomeEntry } from './home.js';
import type { UsageParserName } from './usage.js';

export type PromptDelivery = (typeof PROMPT_DELIVERY)[number];

/**
 * A known agent CLI, run headless. Each preset states its argv template and overrides only what
 * differs from the defaults (prompt as an argument, no credentials, no usage parsing).
 * Placeholders: `{prompt}`, `{promptFile}`, `{cwd}` (see command-agent.ts).
 */
export interface AgentPreset {
  readonly name: string;
  readonly description: string;
  readonly argv: readonly string[];
  readonly prompt: PromptDelivery;
  /** Credential variables the CLI reads; passed through when set (never a GitHub token). */
  readonly envNames: readonly string[];
  readonly usage: UsageParserName;
  /**
   * Whether the CLI prints something as soon as it starts: `prints` (a banner or a first event:
   * silence means it waits for someone, so agents.startupSilence applies, 60s by default),
   * `quiet` (nothing until it is done, like claude's single JSON result: silence means nothing,
   * so only a startupSilence set for this agent by name applies), or `unknown`.
   */
  readonly startup: 'prints' | 'quiet' | 'unknown';
  /** The CLI version this argv was checked against (its help read, run without credentials). */
  readonly testedVersion?: string;
  /**
   * The CLI's login and settings, copied from the user's HOME into the agent's own HOME before
   * each run (the agent never sees the user's HOME as its own). Nothing else is copied.
   */
  readonly home: readonly HomeEntry[];
  /** The oldest CLI version whose help lists every flag the chosen argv passes. */
  readonly minVersion?: string;
  /**
   * Argvs for older CLI versions, oldest first: the first whose `below` is above the installed
   * version (read from `--version`) replaces `argv`. A version that cannot be read gets `argv`.
   */
  readonly olderArgv?: readonly { below: string; argv: readonly string[]; why: string }[];
  /** Where the CLI keeps its login, and whether a run without any stops before it starts. */
  readonly login?: PresetLogin;
}

type PresetSpec = Pick<AgentPreset, 'name' | 'description' | 'argv'> & Partial<AgentPreset>;

function preset(spec: PresetSpec): AgentPreset {
  return { prompt: 'arg', envNames: [], usage: 'none', startup: 'unknown', home: [], ...spec };
}

function files(...paths: string[]): HomeEntry[] {
  return paths.map((path) => ({ path }));
}

export const AGENT_PRESETS: readonly AgentPreset[] = [
  preset({
    name: 'claude',
    description:
      'Claude Code in print mode; edits in the worktree and shell commands allowed, usage and cost from its JSON result',
    // acceptEdits keeps file edits inside the worktree and Bash lets it run the project's tests.
    // Not bypassPermissions: Claude Code refuses it as root ("cannot be used with root/sudo
    // privileges"), which is how many CI containers run.
    argv: [
      'claude',
      '-p',
      '{prompt}',
      '--output-format',
      'json',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      'Bash',
    ],
    envNames: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
    usage: 'claude',
    testedVersion: '2.1.197',
    // On macOS the login is in the keychain, and claude says "Not logged in" at once itself.
    login: {
      how: 'run `claude` once in a terminal and log in with /login',
      files: [{ path: '.claude/.credentials.json' }],
      preflight: 'note',
    },
    // `--output-format json` prints one result when it is done, nothing before.
    startup: 'quiet',
    // ~/.claude/projects holds every past session: not copied.
    home: files('.claude.json', '.claude/.credentials.json', '.claude/settings.json'),
  }),
  preset({
    name: 'codex',
    description: 'OpenAI Codex CLI `exec` (workspace-write sandbox), token counts from its JSONL events',
    // `exec` never asks for approval; the sandbox lets it write the worktree only. (`--full-auto`
    // is gone since Codex CLI 0.171: "unexpected argument".)
    // --skip-git-repo-check: the planning run's folder is not a git repository, and codex refuses
    // one without it ("Not inside a trusted directory").
    argv: ['codex', 'exec', '--sandbox', 'workspace-write', '--skip-git-repo-check', '--json', '{prompt}'],
    envNames: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
    home: files('.codex/auth.json', '.codex/config.toml'),
    usage: 'codex',
    testedVersion: '0.171.0',
    // Every flag is in `codex exec --help` from 0.20.0 (the oldest read) to 0.171.0.
    minVersion: '0.20.0',
    // Without a login codex retries its provider for minutes instead of saying so; a config.toml
    // may name a provider of its own that needs no login.
    login: {
      how: 'run `codex login` once in a terminal',
      files: [{ path: '.codex/auth.json' }, { path: '.codex/config.toml' }],
      preflight: 'stop',
    },
    // `--json` prints a thread.started event at once.
    startup: 'prints',
  }),
  preset({
    name: 'gemini',
    description: 'Gemini CLI headless, tool calls auto-approved, token counts from its JSON stats',
    // Without --skip-trust an untrusted folder (every new worktree) turns --yolo back into
    // "default" approval, which a headless run cannot answer.
    argv: ['gemini', '-p', '{prompt}', '--output-format', 'json', '--skip-trust', '--yolo'],
    envNames: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'],
    home: files('.gemini/oauth_creds.json', '.gemini/settings.json', '.gemini/google_accounts.json'),
    usage: 'gemini',
    testedVersion: '0.61.0',
    minVersion: '0.20.0',
    olderArgv: [
      {
        below: '0.40.0',
        argv: ['gemini', '-p', '{prompt}', '--output-format', 'json', '--yolo'],
        why: 'no --skip-trust before 0.40 (yargs refuses an unknown argument)',
      },
    ],
    // Without credentials it exits 41 at once, naming the variables.
    login: {
      how: 'run `gemini` once in a terminal and choose how to log in',
      files: [{ path: '.gemini/oauth_creds.json' }],
      preflight: 'note',
    },
    // Prints "YOLO mode is enabled." at once.
    startup: 'prints',
  }),
  preset({
    name: 'kimi',
    description: 'Kimi CLI print mode (non-interactive, tool calls auto-approved)',
    argv: ['kimi', '--print', '-p', '{prompt}'],
    envNames: ['KIMI_API_KEY', 'MOONSHOT_API_KEY'],
    home: files('.kimi'),
  }),
  preset({
    name: 'aider',
    description: 'aider with the prompt from a file; omk commits, so aider does not (nor edits .gitignore)',
    argv: ['aider', '--yes-always', '--no-auto-commits', '--no-gitignore', '--message-file', '{promptFile}'],
    prompt: 'file',
    envNames: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'],
    usage: 'aider',
    home: files('.aider.conf.yml'),
    // Prints its banner at once.
    startup: 'prints',
  }),
  preset({
    name: 'opencode',
    description:
      'opencode `run`, permissions auto-approved unless denied, JSON events for token counts and cost',
    // A permission question would wait for an answer no one gives; --auto still honours denies.
    argv: ['opencode', 'run', '--format', 'json', '--auto', '{prompt}'],
    envNames: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY', 'OPENROUTER_API_KEY'],
    home: [
      { path: '.local/share/opencode/auth.json', xdg: 'XDG_DATA_HOME', underXdg: 'opencode/auth.json' },
      { path: '.config/opencode', xdg: 'XDG_CONFIG_HOME', underXdg: 'opencode' },
    ],
    usage: 'opencode',
    testedVersion: '1.18.33',
    // Without a login it uses its own free provider (opencode zen), so none is required.
    login: {
      how: 'run `opencode auth login` once in a terminal',
      files: [
        { path: '.local/share/opencode/auth.json', xdg: 'XDG_DATA_HOME', underXdg: 'opencode/auth.json' },
      ],
      preflight: 'note',
    },
    // `--format json` streams events (a hang with no provider is silent).
    startup: 'prints',
  }),
];

export function findPreset(name: string): AgentPreset | undefined {
  return AGENT_PRESETS.find((p) => p.name === name);
}

/** The first `x.y.z` (or `x.y`) in a version line, as numbers; null when there is none. */
export function parseVersion(line: string | null): number[] | null {
  const match = line === null ? null : /(?<![\d.])(\d+)\.(\d+)(?:\.(\d+))?/.exec(line);
  if (match === null) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Whether version `a` sorts before `b` (numerically, part by part). */
export function versionBelow(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * The argv for the installed CLI: the preset's own, or the first older one whose `below` is above
 * `versionLine` (the CLI's `--version` output). Unknown versions get the preset's own argv, which
 * a CLI that refuses it reports as an environment failure naming the flag.
 */
export function presetArgv(
  preset: Pick<AgentPreset, 'argv' | 'olderArgv'>,
  versionLine: string | null,
): { argv: readonly string[]; why: string | null } {
  const version = parseVersion(versionLine);
  if (version === null) return { argv: preset.argv, why: null };
  for (const older of preset.olderArgv ?? []) {
    const below = parseVersion(older.below);
    if (below !== null && versionBelow(version, below)) return { argv: older.argv, why: older.why };
  }
  return { argv: preset.argv, why: null };
}
