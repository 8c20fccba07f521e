import { basename } from 'node:path';
import type { ProcessResult } from '../ports.js';
import {
  goInvalidVersionReason,
  goRequiresReason,
  goUnknownToolchainReason,
  neededInstall,
  pluginOf,
} from './toolchain-requirements.js';

export { PYTEST_PLUGIN_OPTIONS } from './toolchain-requirements.js';

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

/**
 * pnpm's own not-found, for `pnpm <tool>` and `pnpm exec <tool>` in a script (no shell prints it: pnpm
 * exits 254), with `<package> test: ` before it in a recursive run. Its error code opens the line's
 * message, so a test quoting the words has not matched.
 */
const PNPM_NOT_FOUND = /^(?:.*: )?\s*ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL\s+Command "([^"\s]+)" not found$/m;

/**
 * Yarn Berry's refusal to run a script in a project never installed (no `.pnp.cjs`, no
 * node_modules): it exits 1 before the script starts. Matched only for a gate that is `yarn …`.
 */
const YARN_NOT_INSTALLED =
  /^Usage Error: The project in \S+ doesn't seem to have been installed - running an install there might help$/m;

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

/** What a gate's note asks when nothing better than the tool itself is known to be missing. */
const ON_PATH_QUESTION = 'is it installed and on PATH?';

/**
 * An unavailable gate's note: the reason, whether it cannot start on the base either (`base12`;
 * null: not run there), and the question whether its tool is installed, only when the reason names
 * nothing else to install (a too-old go, a pytest plugin: toolchain-requirements.ts).
 */
export function unavailableNote(reason: string, base12: string | null): string {
  const ask = neededInstall(reason) === null;
  if (base12 === null) return ask ? `${reason}; ${ON_PATH_QUESTION}` : reason;
  const either = `${reason}; it cannot start on base ${base12} either`;
  return ask ? `${either}: ${ON_PATH_QUESTION}` : either;
}

/**
 * An unavailable gate's reason, from the first line of its tail, as a sentence without the note's
 * question: for messages that go on with their own advice, which names what to install.
 */
export function unavailableWhy(tail: string): string {
  const line = (tail.split('\n')[0] ?? '').replace(/^\[omk\] /, '');
  const reason = line.endsWith(ON_PATH_QUESTION)
    ? line.slice(0, -ON_PATH_QUESTION.length).replace(/[;:] $/, '')
    : line;
  return /[.?!]$/.test(reason) ? reason : `${reason}.`;
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
  const pnpmMissing = PNPM_NOT_FOUND.exec(result.tail)?.[1];
  if (pnpmMissing !== undefined) {
    return { tool: pnpmMissing, reason: `${pnpmMissing}: command not found (exit ${result.exitCode})` };
  }
  if (executable === 'yarn' && YARN_NOT_INSTALLED.test(result.tail)) {
    return {
      tool: 'yarn',
      reason: `yarn: the project is not installed (no .pnp.cjs or node_modules; yarn install makes it) (exit ${result.exitCode})`,
    };
  }
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
  if (module === 'pytest' || (module === null && PYTEST_EXECUTABLES.includes(executable))) {
    return pytestPluginMissing(result);
  }
  return null;
}

/** The executables that are pytest itself (a gate `python -m pytest` is told by its module). */
const PYTEST_EXECUTABLES: readonly string[] = ['pytest', 'py.test'];
/** pytest's usage error (exit 4), as argparse words it: `<prog>: error: unrecognized arguments: …`. */
const PYTEST_USAGE_EXIT = 4;
const PYTEST_UNRECOGNIZED = /^\S*: error: unrecognized arguments: (.+)$/m;
/** pytest 7: a usage error while it parses `filterwarnings`, then the import's own error. */
const PYTEST_FILTER_PARSING = /^ERROR: while parsing the following warning configuration:/m;
const PYTHON_NO_MODULE = /^ModuleNotFoundError: No module named '([^'\s]+)'/m;
/** pytest 8 and later: the config warning raised (filterwarnings = error), not listed in a summary. */
const PYTEST_FILTER_RAISED = /^pytest\.PytestConfigWarning: Failed to import filter module '([^'\s]+)'/m;

/**
 * `filterwarnings` naming a warning class of a module that is not installed
 * (`ignore::coverage.exceptions.CoverageWarning` without coverage): pytest stops before any test.
 */
function warningFilterModuleMissing(result: ProcessResult): Unavailability | null {
  const module =
    PYTEST_FILTER_RAISED.exec(result.tail)?.[1] ??
    (result.exitCode === PYTEST_USAGE_EXIT && PYTEST_FILTER_PARSING.test(result.tail)
      ? PYTHON_NO_MODULE.exec(result.tail)?.[1]
      : undefined);
  if (module === undefined) return null;
  const tool = module.split('.')[0] ?? module;
  return {
    tool,
    reason: `${tool}: pytest's filterwarnings names a warning class from module ${module}, which is not installed where the gates run (exit ${result.exitCode ?? '-'})`,
  };
}

/**
 * pytest refusing an option (exit 4): the plugin that adds it is not installed where the gates
 * run, often named by `addopts` in the project's pytest configuration (`--cov` without pytest-cov).
 * Nothing ran, on the base as on the head: it cannot start, named by the plugin when omk knows it.
 */
function pytestPluginMissing(result: ProcessResult): Unavailability | null {
  const filterModule = warningFilterModuleMissing(result);
  if (filterModule !== null) return filterModule;
  if (result.exitCode !== PYTEST_USAGE_EXIT) return null;
  const options = PYTEST_UNRECOGNIZED.exec(result.tail)?.[1]?.trim();
  if (options === undefined || options === '') return null;
  const words = options.split(/\s+/);
  const plugins = [...new Set(words.map((word) => pluginOf(word)).filter((plugin) => plugin !== null))];
  const tool = plugins[0] ?? words.find((word) => word.startsWith('-')) ?? words[0] ?? 'pytest';
  const many = plugins.length > 1 || (plugins.length === 0 && words.length > 1);
  const which = plugins.length > 0 ? ` (${plugins.join(', ')})` : '';
  const them = many ? 'them' : 'it';
  return {
    tool,
    reason:
      `${tool}: pytest does not know ${options} (exit ${PYTEST_USAGE_EXIT}): the ${many ? 'plugins that add them' : 'plugin that adds it'}${which} ` +
      `${many ? 'are' : 'is'} not installed where the gates run; addopts in the pytest configuration may name ${them}`,
  };
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
/** go before 1.21 on a go.mod with a toolchain line. */
const GO_UNKNOWN_TOOLCHAIN = /^go: errors parsing go\.mod:\n\S*go\.mod:\d+: unknown directive: toolchain$/m;

/**
 * A go that cannot read the module's go.mod at all, because the module asks for a newer go: the
 * machine's toolchain is the problem, not the code, and no agent's change fixes it.
 */
function goTooOld(executable: string, result: ProcessResult): Unavailability | null {
  if (executable !== 'go') return null;
  const exit = `(exit ${result.exitCode ?? '-'})`;
  const invalid = GO_INVALID_VERSION.exec(result.tail)?.[1];
  if (invalid !== undefined) return { tool: 'go', reason: `${goInvalidVersionReason(invalid)} ${exit}` };
  if (GO_UNKNOWN_TOOLCHAIN.test(result.tail))
    return { tool: 'go', reason: `${goUnknownToolchainReason()} ${exit}` };
  const requires = GO_REQUIRES.exec(result.tail);
  if (requires === null) return null;
  return { tool: 'go', reason: `${goRequiresReason(requires[1] ?? '', requires[2] ?? '')} ${exit}` };
}

function matchesLine(patterns: readonly string[], tool: string, output: string): boolean {
  const escaped = tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return patterns.some((pattern) => new RegExp(pattern.replaceAll('{tool}', escaped), 'm').test(output));
}

/**
 * The two ways out of an unavailable gate, with the exact `.omk/config.yml` entry (the first is the
 * project's install when its package.json declares the tool, else installing it): a gate of a kind
 * the goal requires is turned off (the goal then stops requiring the kind), except `test`, which a
 * goal cannot be ready without, so it is pointed at a command that is installed; a gate required
 * only by its own flag is made optional. One line, in YAML flow style, so it survives every surface.
 */
export function unavailableAdvice(
  gate: { name: string; kind: string },
  tool: string,
  oracleKinds: readonly string[],
  /** The project's install when package.json declares the tool (tool-lookup.ts `declaredInstall`). */
  install: string | null = null,
  /** Why it cannot start, when known: a too-old go or a missing pytest plugin names what to install. */
  reason: string | null = null,
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
  return `${installWords(tool, install, reason)}, or ${effect} in .omk/config.yml: gates: { list: [ ${entry} ] }`;
}

/**
 * How to install a missing tool: the project's install when package.json declares it (node_modules
 * is stale or partial: installing it on PATH would leave the project's own pinned copy missing),
 * else the tool itself where the gates run; what a known reason asks for (toolchain-requirements.ts:
 * a newer go, a pytest plugin) before either.
 */
export function installWords(tool: string, install: string | null, reason: string | null = null): string {
  const needed = reason === null ? null : neededInstall(reason);
  if (needed !== null) return needed;
  return install === null
    ? `Install ${tool} where omk runs the gates (on PATH)`
    : `Install the project's dependencies in the checkout with \`${install}\` (package.json declares ${tool}; node_modules lacks it: a stale or partial install)`;
}
