import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { shownText } from '../graph/branches.js';
import { CONFIG_VERSION, configSchema, type OmkConfig } from './schema.js';

/** Looked up in this order; the first that exists wins. */
export const CONFIG_FILES = ['.omk/config.yml', '.omk/config.yaml'] as const;

// A config file is a few dozen lines; anything this big is a mistake, not a config.
const MAX_CONFIG_BYTES = 256 * 1024;

export interface LoadedConfig {
  config: OmkConfig;
  /** The file read, or null when there is none and defaults apply. */
  path: string | null;
  /** The text read from `path`, so a caller comparing it with the committed one need not open it again. */
  text?: string;
}

/**
 * Complete, valid documents shown as "for example" after an error, chosen by the field that is
 * wrong (segments without list indexes). Each one is checked by a test to parse cleanly.
 */
export const CONFIG_EXAMPLES: Readonly<Record<string, string>> = {
  '': [
    'version: 1',
    'gates:',
    '  detect: true        # false: only the gates listed below',
    '  timeout: 10m        # default per-gate timeout (s, m or h)',
    '  list:',
    '    - name: test',
    '      kind: test',
    '      run: ["npm", "test"]',
    '      timeout: 5m',
    '    - name: lint',
    '      required: false   # override a detected gate by name',
    'workspace:',
    '  install: true       # npm ci in a worktree when the checkout has no reusable node_modules',
    'agents:',
    '  default: claude',
  ].join('\n'),
  version: `version: ${CONFIG_VERSION}`,
  gates: ['version: 1', 'gates:', '  detect: true', '  timeout: 10m'].join('\n'),
  'gates.timeout': [
    'version: 1',
    'gates:',
    '  timeout: 10m   # a number with s, m or h: 90s, 10m, 1h30m',
  ].join('\n'),
  'gates.list': [
    'version: 1',
    'gates:',
    '  list:',
    '    - name: e2e',
    '      kind: test',
    '      run: ["npm", "run", "e2e"]',
    '      required: false',
  ].join('\n'),
  'gates.list.run': [
    'version: 1',
    'gates:',
    '  list:',
    '    - name: test',
    '      run: ["npm", "test"]   # an argv array: omk never runs a shell',
  ].join('\n'),
  'gates.list.timeout': ['version: 1', 'gates:', '  list:', '    - name: test', '      timeout: 5m'].join(
    '\n',
  ),
  workspace: ['version: 1', 'workspace:', '  install: false', '  timeout: 15m'].join('\n'),
  'workspace.setup': [
    'version: 1',
    'workspace:',
    '  setup:                 # run in each new worktree instead of detection',
    '    - ["npm", "ci"]      # each command an argv array: omk never runs a shell',
    '    - ["npm", "run", "build"]',
  ].join('\n'),
  sandbox: ['version: 1', 'sandbox: auto   # auto (bubblewrap when this host has it), required or off'].join(
    '\n',
  ),
  agents: [
    'version: 1',
    'agents:',
    '  default: my-agent',
    '  custom:',
    '    my-agent:',
    '      argv: ["my-agent", "--prompt-file", "{promptFile}"]',
  ].join('\n'),
};

export async function loadConfig(repoRoot: string): Promise<LoadedConfig> {
  for (const relative of CONFIG_FILES) {
    const path = join(repoRoot, relative);
    const text = await readConfigText(path);
    if (text === null) continue;
    return { config: parseConfig(text, path), path, text };
  }
  return { config: configSchema.parse({}), path: null };
}

/** A config file a host names itself (the Action's config-path), or why it cannot be one. */
export type NamedConfig =
  | { ok: true; loaded: LoadedConfig }
  | { ok: false; problem: 'missing' | 'not_a_file' | 'too_large' | 'outside'; path: string };

// Controls, separators, bidi and zero-width characters: a path that holds one is not shown raw.
const HIDDEN_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters refused.
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;

/**
 * Why `path` cannot name a config file inside the repository, or null: one rule for every host
 * that lets a user name one (the Action's config-path), for dry and real runs alike. The file
 * must be relative, stay inside the repository once normalized, and hold no hidden character.
 */
export function configPathProblem(path: string): string | null {
  if (path === '') return 'it is empty';
  if (HIDDEN_CHARACTER.test(path)) return 'it contains a control or invisible character';
  if (isAbsolute(path)) return 'it is an absolute path: name a file inside the repository';
  const normal = normalize(path);
  if (normal === '..' || normal.startsWith(`..${sep}`)) return 'it leads outside the repository';
  return null;
}

/**
 * The config at `relativePath` under `repoRoot` instead of the repository's own: a file of at
 * most 256 KB inside the repository (symbolic links resolved), as for `.omk/config.yml`; messages
 * name it as given, escaped.
 */
export async function loadNamedConfig(repoRoot: string, relativePath: string): Promise<NamedConfig> {
  const path = resolve(repoRoot, relativePath);
  if (configPathProblem(relativePath) !== null) return { ok: false, problem: 'outside', path };
  const info = await stat(path).catch(() => null);
  if (info === null) return { ok: false, problem: 'missing', path };
  const [root, real] = await Promise.all([realpath(repoRoot), realpath(path)]);
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { ok: false, problem: 'outside', path };
  }
  if (!info.isFile()) return { ok: false, problem: 'not_a_file', path };
  if (info.size > MAX_CONFIG_BYTES) return { ok: false, problem: 'too_large', path };
  return {
    ok: true,
    loaded: { config: parseConfig(await readFile(path, 'utf8'), shownText(relativePath)), path },
  };
}

async function readConfigText(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError(`${path} is not a file.`);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(`${path} is ${info.size} bytes; a config file may be at most 256 KB.`);
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read ${path}.`, { cause: error });
  }
}

/** Parses the text of a config file; `source` names the file in every message. */
export function parseConfig(text: string, source: string): OmkConfig {
  const raw = parseYaml(text, source);
  const version =
    typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > CONFIG_VERSION) {
    throw new ConfigError(
      `${source}: version ${version} is newer than this omk understands (up to version ${CONFIG_VERSION}).`,
      { hint: 'The file was written for a newer omk. Upgrade omk to use it.' },
    );
  }
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new ConfigError(`${source} is invalid:\n${z.prettifyError(result.error)}`, {
    hint: `Fix ${source}, for example:\n${exampleFor(first?.path ?? [])}`,
    cause: result.error,
  });
}

function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    throw new ConfigError(`${source} is not valid YAML: ${error.message}`, {
      hint: `Check indentation and quoting. A valid file looks like:\n${CONFIG_EXAMPLES['']}`,
      cause: error,
    });
  }
  try {
    // Bounded alias expansion: a "billion laughs" document must not exhaust memory.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ConfigError(`${source} could not be read as data: ${(cause as Error).message}`, { cause });
  }
}

/** The example for the deepest known prefix of the failing field. */
export function exampleFor(path: readonly PropertyKey[]): string {
  const segments = path.filter((part): part is string => typeof part === 'string');
  for (let length = segments.length; length > 0; length -= 1) {
    const example = CONFIG_EXAMPLES[segments.slice(0, length).join('.')];
    if (example !== undefined) return example;
  }
  return CONFIG_EXAMPLES[''] ?? '';
}
