import type { GateSpec } from './port.js';

/**
 * What a gate's toolchain must have before the gate can start, beyond its executable being found
 * (tool-lookup.ts): a go that can read the module's go.mod, the pytest plugins the project's
 * `addopts` names. One rule for `omk doctor`, which asks before any gate runs, and for a run,
 * which reads the same causes from a gate's output (availability.ts): the words and the way out
 * are built here for both, so the two cannot disagree.
 */

/** The first Go whose go line is a requirement (and that reads `go 1.21.0` and `toolchain` lines). */
const GO_121 = '1.21';

/** The reasons a go cannot read go.mod, as the run words them from the go command's output. */
export function goInvalidVersionReason(goLine: string): string {
  return `go: this go cannot read go.mod: invalid go version '${goLine}' (a three-part go line needs Go ${GO_121} or newer)`;
}
export function goUnknownToolchainReason(): string {
  return `go: this go cannot read go.mod: unknown directive: toolchain (a toolchain line needs Go ${GO_121} or newer)`;
}
export function goRequiresReason(required: string, running: string): string {
  return `go: go.mod requires go >= ${required}, this go is ${running}`;
}

/** A pytest plugin's module, as `python -c 'import …'` names it, by the package that installs it. */
export const PYTEST_PLUGIN_MODULES: Readonly<Record<string, string>> = {
  'pytest-cov': 'pytest_cov',
  'pytest-xdist': 'xdist',
  'pytest-timeout': 'pytest_timeout',
  'pytest-benchmark': 'pytest_benchmark',
  'pytest-rerunfailures': 'pytest_rerunfailures',
  'pytest-randomly': 'pytest_randomly',
  hypothesis: 'hypothesis',
  'pytest-asyncio': 'pytest_asyncio',
  'pytest-mypy': 'pytest_mypy',
  'pytest-html': 'pytest_html',
  syrupy: 'syrupy',
};

/**
 * The plugins that add the pytest options projects put in `addopts` most, by option (a name
 * ending in `-` stands for every option it starts). A project's addopts is read from its
 * committed config whatever is installed, so a checkout without its test extras fails there.
 */
export const PYTEST_PLUGIN_OPTIONS: Readonly<Record<string, string>> = {
  '--cov': 'pytest-cov',
  '--cov-': 'pytest-cov',
  '--no-cov': 'pytest-cov',
  '-n': 'pytest-xdist',
  '--numprocesses': 'pytest-xdist',
  '--dist': 'pytest-xdist',
  '--maxprocesses': 'pytest-xdist',
  '--timeout': 'pytest-timeout',
  '--timeout-method': 'pytest-timeout',
  '--benchmark-': 'pytest-benchmark',
  '--reruns': 'pytest-rerunfailures',
  '--reruns-delay': 'pytest-rerunfailures',
  '--randomly-': 'pytest-randomly',
  '--hypothesis-': 'hypothesis',
  '--asyncio-mode': 'pytest-asyncio',
  '--mypy': 'pytest-mypy',
  '--html': 'pytest-html',
  '--snapshot-update': 'syrupy',
};

/** The plugin that adds a pytest option (`--cov=m` → pytest-cov); null: not one omk knows. */
export function pluginOf(option: string): string | null {
  const table = PYTEST_PLUGIN_OPTIONS;
  const name = option.split('=')[0] ?? option;
  const exact = table[name];
  if (exact !== undefined) return exact;
  const prefix = Object.keys(table).find((key) => key.endsWith('-') && name.startsWith(key));
  return prefix === undefined ? null : (table[prefix] ?? null);
}

/**
 * How to get what a gate that cannot start needs, when it is more than its executable on PATH,
 * read from the reason this module words (a run's gate note, a doctor's detail); null: the tool itself.
 */
export function neededInstall(reason: string): string | null {
  const requires = /go\.mod requires go >= (\S+),/.exec(reason)?.[1];
  const invalid = /invalid go version '([^'\s]+)'/.exec(reason)?.[1];
  const go = requires ?? invalid ?? (reason.includes('unknown directive: toolchain') ? GO_121 : undefined);
  if (reason.startsWith('go: ') && go !== undefined) {
    return `Install go >= ${go} where omk runs the gates (first on PATH: go.mod asks for it, the go there is older)`;
  }
  const plugin =
    /^(\S+): (?:addopts in .* an option of|pytest does not know .* the plugins? that adds? (?:it|them))/.exec(
      reason,
    )?.[1];
  // `python -m <module>` whose python lacks the module (a run's `No module named`, doctor's probe).
  const module = /^([\w.-]+): no module named \1\b/.exec(reason)?.[1];
  const python = plugin ?? module;
  if (python !== undefined && python.startsWith('-') === false && /^[\w.-]+$/.test(python)) {
    return `Install ${python} into the python the gates run (the checkout's virtualenv if it has one: python -m pip install ${python}; or the project's test extras)`;
  }
  if (reason.startsWith('yarn: the project is not installed')) {
    return 'Let omk install the project in each worktree (workspace.install: true, the default: yarn install --immutable), or install it in workspace.setup';
  }
  return null;
}

/** The programs the requirement check runs (adapters/doctor/toolchain-probes.ts). */
export interface ToolchainProbes {
  /** `<go> version`'s output, run outside any module; null: it did not answer. */
  goVersion(go: string): Promise<string | null>;
  /** Which of `modules` `<python>` cannot import (one run); null: it could not be asked. */
  missingPythonModules(python: string, modules: readonly string[]): Promise<string[] | null>;
}

/** What the requirement check asks the world: the doctor's probes, a run's preflight's. */
export interface RequirementProbes extends ToolchainProbes {
  /** A file of the tree the gates run (HEAD's, the base's), or null: none. */
  readFile(path: string): Promise<string | null>;
}

/** Why a gate whose executable was found still cannot start: `<tool>: …`, as a run words it. */
export interface UnmetRequirement {
  tool: string;
  reason: string;
}

/**
 * What the gate's toolchain lacks, found without running the gate: go.mod asking for a newer go
 * than `at` (the go a gate runs), or addopts naming a plugin `at` (the python a gate runs) cannot
 * import. Null: nothing, or nothing could be told (the answers a probe could not give are not blamed).
 */
export async function unmetRequirement(
  gate: Pick<GateSpec, 'argv'>,
  at: string,
  probes: RequirementProbes,
): Promise<UnmetRequirement | null> {
  const executable = (gate.argv[0] ?? '').split('/').pop() ?? '';
  if (executable === 'go') return goUnmet(at, probes);
  const asModule = /^python[\d.]*$/.test(executable) && gate.argv[1] === '-m' && gate.argv[2] === 'pytest';
  if (asModule || executable === 'pytest' || executable === 'py.test')
    return pytestUnmet(at, probes, asModule);
  return null;
}

interface GoMod {
  go: string | null;
  toolchain: string | null;
}

/** The go and toolchain lines of a go.mod (comments dropped). */
export function readGoMod(text: string): GoMod {
  const line = (directive: string) =>
    new RegExp(`^\\s*${directive}\\s+([^\\s/]+)\\s*(?://.*)?$`, 'm').exec(text)?.[1] ?? null;
  return { go: line('go'), toolchain: line('toolchain') };
}

/** `go version go1.21.4 linux/amd64` → 1.21.4; null: not a release's answer (a devel build). */
export function goVersionOf(output: string): string | null {
  return /\bgo version go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)\b/.exec(output)?.[1] ?? null;
}

/** Orders Go versions by their numbers (1.21rc2 before 1.21.0): negative when a is older. */
export function compareGoVersions(a: string, b: string): number {
  const parts = (version: string): number[] => {
    const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?/.exec(version);
    if (match === null) return [0, 0, 0, 0];
    const pre = match[4] === undefined ? 1000 : Number(match[5] ?? 0) + (match[4] === 'rc' ? 100 : 0);
    return [Number(match[1]), Number(match[2]), match[3] === undefined ? 0 : Number(match[3]), pre];
  };
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < x.length; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The go command's own rule: before Go 1.21 a newer two-part go line is advice (the build goes on),
 * while a three-part go line or a toolchain line cannot be parsed; from 1.21 the go line is the
 * least go that may build the module (the toolchain line only a preference above it).
 */
export function goModUnmet(goMod: GoMod, running: string): string | null {
  if (goMod.go === null)
    return goMod.toolchain !== null && compareGoVersions(running, GO_121) < 0
      ? goUnknownToolchainReason()
      : null;
  if (compareGoVersions(running, GO_121) < 0) {
    if (/^\d+\.\d+\.\d+/.test(goMod.go) || /^\d+\.\d+(?:rc|beta)\d+/.test(goMod.go)) {
      return goInvalidVersionReason(goMod.go);
    }
    return goMod.toolchain === null ? null : goUnknownToolchainReason();
  }
  return compareGoVersions(goMod.go, running) > 0 ? goRequiresReason(goMod.go, running) : null;
}

async function goUnmet(go: string, probes: RequirementProbes): Promise<UnmetRequirement | null> {
  const text = await probes.readFile('go.mod');
  if (text === null) return null;
  const goMod = readGoMod(text);
  if (goMod.go === null && goMod.toolchain === null) return null;
  const output = await probes.goVersion(go);
  const running = output === null ? null : goVersionOf(output);
  if (running === null) return null;
  const reason = goModUnmet(goMod, running);
  return reason === null ? null : { tool: 'go', reason };
}

/** pytest's configuration files in the order pytest picks the first, with the section it reads. */
const PYTEST_CONFIGS: readonly { file: string; section: string; toml: boolean }[] = [
  { file: 'pytest.ini', section: 'pytest', toml: false },
  { file: '.pytest.ini', section: 'pytest', toml: false },
  { file: 'pyproject.toml', section: 'tool.pytest.ini_options', toml: true },
  { file: 'pyproject.toml', section: 'tool.pytest', toml: true },
  { file: 'tox.ini', section: 'pytest', toml: false },
  { file: 'setup.cfg', section: 'tool:pytest', toml: false },
];

/** The addopts of the pytest configuration pytest would use, and where it is; null: none. */
export async function pytestAddopts(
  readFile: (path: string) => Promise<string | null>,
): Promise<{ where: string; options: string[] } | null> {
  for (const config of PYTEST_CONFIGS) {
    const text = await readFile(config.file);
    if (text === null) continue;
    const body = sectionBody(text, config.section);
    // pytest.ini is pytest's even without its section; the other files only with it.
    if (body === null && !config.file.endsWith('pytest.ini')) continue;
    const where = `${config.file} [${config.section}]`;
    const value = body === null ? null : addoptsValue(body);
    if (value === null) return { where, options: [] };
    return { where, options: config.toml ? tomlWords(value) : value.split(/\s+/).filter(Boolean) };
  }
  return null;
}

function sectionBody(text: string, section: string): string | null {
  const lines = text.split(/\r?\n/);
  const header = lines.findIndex((line) => line.trim() === `[${section}]`);
  if (header === -1) return null;
  const end = lines.findIndex((line, index) => index > header && /^\s*\[[^\]]+\]\s*$/.test(line));
  return lines.slice(header + 1, end === -1 ? undefined : end).join('\n');
}

/** The text after `addopts =`, with its continuation lines (indented in INI, until the next key). */
function addoptsValue(body: string): string | null {
  const lines = body.split('\n');
  const start = lines.findIndex((line) => /^addopts\s*[=:]/.test(line));
  if (start === -1) return null;
  const rest = lines.slice(start + 1);
  const next = rest.findIndex((line) => /^[\w.-]+\s*[=:]/.test(line));
  const value = [
    lines[start]?.replace(/^addopts\s*[=:]/, '') ?? '',
    ...rest.slice(0, next === -1 ? undefined : next),
  ];
  return value.filter((line) => !/^\s*[#;]/.test(line)).join('\n');
}

/** The words of a TOML string or array of strings (each string split as pytest splits addopts). */
function tomlWords(value: string): string[] {
  const strings = [...value.matchAll(/"""([\s\S]*?)"""|'''([\s\S]*?)'''|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'/g)];
  return strings
    .flatMap((match) => (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').split(/\s+/))
    .filter(Boolean);
}

async function pytestUnmet(
  python: string,
  probes: RequirementProbes,
  asModule: boolean,
): Promise<UnmetRequirement | null> {
  const addopts = await pytestAddopts(probes.readFile);
  const byPlugin = new Map<string, string>();
  for (const option of addopts?.options ?? []) {
    if (!option.startsWith('-')) continue;
    const plugin = pluginOf(option);
    if (plugin !== null && !byPlugin.has(plugin) && PYTEST_PLUGIN_MODULES[plugin] !== undefined) {
      byPlugin.set(plugin, option);
    }
  }
  // `python3 -m pytest` needs pytest in that python: a virtualenv without it has python3 on PATH.
  const pluginModules = [...byPlugin.keys()].map((plugin) => PYTEST_PLUGIN_MODULES[plugin] ?? plugin);
  const modules = [...(asModule ? ['pytest'] : []), ...pluginModules];
  if (modules.length === 0) return null;
  const missing = await probes.missingPythonModules(python, modules);
  if (missing === null || missing.length === 0) return null;
  if (asModule && missing.includes('pytest')) {
    return { tool: 'pytest', reason: 'pytest: no module named pytest in the python the gates run' };
  }
  const absent = [...byPlugin].filter(([plugin]) =>
    missing.includes(PYTEST_PLUGIN_MODULES[plugin] ?? plugin),
  );
  const [first] = absent;
  if (first === undefined || addopts === null) return null;
  const named = absent.map(([plugin, option]) => `${option}, an option of ${plugin}`).join('; ');
  const which = absent.length > 1 ? 'which are' : 'which is';
  return {
    tool: first[0],
    reason: `${first[0]}: addopts in ${addopts.where} names ${named}, ${which} not installed in the python the gates run`,
  };
}
