import { basename } from 'node:path';
import type { ProcessResult } from '../ports.js';

/**
 * Exit codes a POSIX shell gives when it cannot run a command: 126 found but not executable, 127
 * not found. Package-manager scripts (`npm test` → `sh: 1: ts-scripts: not found`) exit with them.
 */
export const CANNOT_START_EXIT_CODES: readonly number[] = [126, 127];

/**
 * What shells print when the gate's own executable is missing, with `{tool}` for its name:
 * dash (`sh: 1: ruff: not found`), bash (`bash: ruff: command not found`), zsh
 * (`zsh: command not found: ruff`). Matched only for the gate's own executable and on a whole line,
 * so a test that prints "not found" about something else never makes a gate unavailable.
 */
export const NOT_FOUND_LINE_PATTERNS: readonly string[] = [
  '^(?:.*: )?(?:line \\d+: )?{tool}: (?:command )?not found$',
  '^(?:.*: )?command not found: {tool}$',
];

/** Where a shell names the command it could not run, whatever it is (used only with exit 126/127). */
const ANY_NOT_FOUND = /^(?:.*?: )?(?:\d+: |line \d+: )?([^\s:]+): (?:command )?not found$/m;
const ANY_NOT_EXECUTABLE = /^(?:.*?: )?(?:\d+: |line \d+: )?([^\s:]+): Permission denied$/m;

/** `python3 -m pytest` without pytest: the interpreter starts, the gate's own module does not. */
export const NO_MODULE_PATTERN = '^(?:.*: )?No module named {tool}$';

export interface Unavailability {
  /** The program that could not start (as best known). */
  tool: string;
  /** Why, in words, for the tail, the log and the proof; always `<tool>: ...`. */
  reason: string;
}

/** The tool an `unavailable` gate's tail names: its note starts `[omk] <tool>: `. */
export function unavailableTool(tail: string): string | null {
  return /^\[omk\] ([^\s:]+): /.exec(tail)?.[1] ?? null;
}

/** The gate's own executable: argv[0], or the module of `python -m <module>`. */
export function gateTool(argv: readonly string[]): { executable: string; module: string | null } {
  const executable = basename(argv[0] ?? '');
  const moduleFlag = argv.indexOf('-m');
  const module = /^python[\d.]*$/.test(executable) && moduleFlag === 1 ? (argv[2] ?? null) : null;
  return { executable, module };
}

/**
 * Whether a finished run shows that the gate could not start at all (its tool is not installed or
 * not executable), as opposed to a check that ran and failed. Null: it started.
 */
export function cannotStart(argv: readonly string[], result: ProcessResult): Unavailability | null {
  const { executable, module } = gateTool(argv);
  if (result.spawnError !== null) {
    const tool = executable || '(empty argv)';
    return { tool, reason: `${tool}: could not start (${result.spawnError})` };
  }
  if (result.exitCode !== null && CANNOT_START_EXIT_CODES.includes(result.exitCode)) {
    const exit = `(exit ${result.exitCode})`;
    const missing = ANY_NOT_FOUND.exec(result.tail)?.[1] ?? null;
    if (missing !== null) return { tool: missing, reason: `${missing}: command not found ${exit}` };
    const denied = result.exitCode === 126 ? (ANY_NOT_EXECUTABLE.exec(result.tail)?.[1] ?? null) : null;
    if (denied !== null) return { tool: denied, reason: `${denied}: not executable ${exit}` };
    const what = result.exitCode === 126 ? 'is not executable' : 'was not found';
    return { tool: executable, reason: `${executable}: a command it runs ${what} ${exit}` };
  }
  if (result.exitCode === 0 || result.exitCode === null) return null;
  const rust = rustToolMissing(argv, executable, result);
  if (rust !== null) return rust;
  const go = goTooOld(executable, result);
  if (go !== null) return go;
  if (executable !== '' && matchesLine(NOT_FOUND_LINE_PATTERNS, executable, result.tail)) {
    return { tool: executable, reason: `${executable}: command not found (exit ${result.exitCode})` };
  }
  if (module !== null && matchesLine([NO_MODULE_PATTERN], module, result.tail)) {
    return { tool: module, reason: `${module}: no module named ${module} (exit ${result.exitCode})` };
  }
  return null;
}

/**
 * cargo without the gate's subcommand (`cargo clippy`, clippy not installed): cargo says
 * "error: no such command: `clippy`" ("no such subcommand" before 1.54) and exits 101.
 */
const CARGO_NO_COMMAND = /^error: no such (?:sub)?command: `([^`\s]+)`/m;
/** A rustup proxy whose component is missing: "error: 'cargo-clippy' is not installed for the toolchain '…'". */
const RUSTUP_NOT_INSTALLED = /^error: '([^'\s]+)' is not installed for the toolchain/m;
/** rustup's components, by the executable a gate runs. */
const RUSTUP_COMPONENTS: Readonly<Record<string, string>> = {
  'cargo-clippy': 'clippy',
  'clippy-driver': 'clippy',
  'cargo-fmt': 'rustfmt',
  rustfmt: 'rustfmt',
};

function rustToolMissing(
  argv: readonly string[],
  executable: string,
  result: ProcessResult,
): Unavailability | null {
  if (executable !== 'cargo' && !(executable in RUSTUP_COMPONENTS)) return null;
  const command = CARGO_NO_COMMAND.exec(result.tail)?.[1];
  const subcommand = command !== undefined && argv.slice(1).includes(command) ? command : null;
  const tool = subcommand === null ? RUSTUP_NOT_INSTALLED.exec(result.tail)?.[1] : `cargo-${subcommand}`;
  if (tool === undefined) return null;
  const what = subcommand === null ? 'not installed for the toolchain' : `cargo has no ${subcommand} command`;
  const component = RUSTUP_COMPONENTS[tool];
  const how = component === undefined ? '' : `; with rustup: rustup component add ${component}`;
  return { tool, reason: `${tool}: ${what} (exit ${result.exitCode ?? '-'})${how}` };
}

/** go before 1.21 on a `go 1.21.0`-style line: the go command stops before it runs anything. */
const GO_INVALID_VERSION =
  /^go: errors parsing go\.mod:\n\S*go\.mod:\d+: invalid go version '([^'\s]+)': must match format/m;
/** Go 1.21 and later on a newer go line, with no toolchain to switch to (GOTOOLCHAIN=local). */
const GO_REQUIRES = /^go: go\.mod requires go >= (\S+) \(running go ([^;)\s]+)/m;

/**
 * A go that cannot read the module's go.mod at all, because the module asks for a newer go: the
 * machine's toolchain is the problem, not the code, and no agent's change fixes it.
 */
function goTooOld(executable: string, result: ProcessResult): Unavailability | null {
  if (executable !== 'go') return null;
  const exit = `(exit ${result.exitCode ?? '-'})`;
  const invalid = GO_INVALID_VERSION.exec(result.tail)?.[1];
  if (invalid !== undefined) {
    return {
      tool: 'go',
      reason: `go: this go cannot read go.mod: invalid go version '${invalid}' (a three-part go line needs Go 1.21 or newer) ${exit}`,
    };
  }
  const requires = GO_REQUIRES.exec(result.tail);
  if (requires === null) return null;
  return {
    tool: 'go',
    reason: `go: go.mod requires go >= ${requires[1]}, this go is ${requires[2]} ${exit}`,
  };
}

function matchesLine(patterns: readonly string[], tool: string, output: string): boolean {
  const escaped = tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return patterns.some((pattern) => new RegExp(pattern.replaceAll('{tool}', escaped), 'm').test(output));
}

/**
 * The two ways out of an unavailable gate, with the exact `.omk/config.yml` entry: a gate of a kind
 * the goal requires is turned off (the goal then stops requiring the kind), except `test`, which a
 * goal cannot be ready without, so it is pointed at a command that is installed; a gate required
 * only by its own flag is made optional. One line, in YAML flow style, so it survives every surface.
 */
export function unavailableAdvice(
  gate: { name: string; kind: string },
  tool: string,
  oracleKinds: readonly string[],
): string {
  const name = JSON.stringify(gate.name);
  const entry = !oracleKinds.includes(gate.kind)
    ? `{ name: ${name}, required: false }`
    : gate.kind === 'test'
      ? `{ name: ${name}, run: ["<a test command that is installed>"] }`
      : `{ name: ${name}, enabled: false }`;
  const effect = !oracleKinds.includes(gate.kind)
    ? 'make the gate optional'
    : gate.kind === 'test'
      ? 'give the gate a command that is installed (a goal cannot be ready without a test gate)'
      : `turn the gate off (the goal then does not require ${gate.kind})`;
  return `Install ${tool} where omk runs the gates (on PATH), or ${effect} in .omk/config.yml: gates: { list: [ ${entry} ] }`;
}
