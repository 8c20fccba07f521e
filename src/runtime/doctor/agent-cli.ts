import type { AgentPreset } from '../agents/presets.js';

/**
 * What `omk doctor --agent <preset>` asks the CLI itself: its version, and whether its help
 * still lists every flag the preset passes (a renamed flag fails every run with "unexpected
 * argument", which doctor can say before a goal spends anything).
 */
export interface PresetCliReport {
  /** The first line of `--version` output that holds a version number, or null. */
  version: string | null;
  /** The help command read, as typed (`codex exec --help`). */
  helpCommand: string;
  /** The preset's flags that the help does not mention. */
  missingFlags: string[];
}

/** `[exe, ...subcommands, '--help']`: the help of the subcommand the preset runs (`codex exec`). */
export function helpArgv(argv: readonly string[]): string[] {
  const [executable = '', ...rest] = argv;
  const subcommands: string[] = [];
  for (const arg of rest) {
    if (arg.startsWith('-') || arg.includes('{')) break;
    subcommands.push(arg);
  }
  return [executable, ...subcommands, '--help'];
}

/** The flags in a preset's argv (`-p`, `--output-format`, ...), each once. */
export function presetFlags(argv: readonly string[]): string[] {
  return [...new Set(argv.slice(1).filter((arg) => /^--?[A-Za-z]/.test(arg)))];
}

/**
 * The flags `help` does not list. A flag counts as listed when it appears as a whole word:
 * `--allowedTools, --allowed-tools <tools...>`, `-p, --prompt`, `--sandbox <MODE>`, `[--yolo]`.
 */
export function flagsMissingFrom(help: string, flags: readonly string[]): string[] {
  return flags.filter((flag) => {
    const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return !new RegExp(`(?:^|[\\s,\\[|])${escaped}(?=[\\s,=\\]|]|$)`, 'm').test(help);
  });
}

/** The first line with a version number (`codex-cli 0.171.0`, `2.1.197 (Claude Code)`). */
export function versionLine(output: string): string | null {
  const line = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /\b\d+\.\d+(?:\.\d+)?\b/.test(l) && !/^warning\b/i.test(l));
  if (line === undefined) return null;
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

export function presetCliReport(
  preset: Pick<AgentPreset, 'argv'>,
  versionOutput: string | null,
  helpOutput: string | null,
): PresetCliReport & { helpRead: boolean } {
  const help = helpArgv(preset.argv);
  return {
    version: versionOutput === null ? null : versionLine(versionOutput),
    helpCommand: help.join(' '),
    missingFlags: helpOutput === null ? [] : flagsMissingFrom(helpOutput, presetFlags(preset.argv)),
    helpRead: helpOutput !== null,
  };
}
