import { isAbsolute, join, resolve } from 'node:path';
import type { FileState } from '../doctor/types.js';
import { VENV_DIRS } from '../workspace/plan.js';
import type { NodeManifest } from './node-manifest.js';
import { type ScriptTool, scriptTool } from './package-script.js';
import type { GateSpec } from './port.js';

/**
 * What the look-up asks the file system. Injected: the doctor passes its probes (faked in its
 * tests), a run's preflight the real lookups over the gates' environment.
 */
export interface ToolProbes {
  /** The first executable `command` in `firstDirs`, then on the gates' PATH; null: none. */
  findOnPath(command: string, firstDirs: readonly string[]): Promise<string | null>;
  /** Whether a path is an executable regular file. */
  fileState(path: string): Promise<FileState>;
}

export interface ToolLookupInput {
  /** The checkout: its virtualenvs, its node_modules, the start of a relative gate command. */
  root: string;
  /** The scripts of the package.json the gates run (the base's); null: none. */
  scripts: Readonly<Record<string, string>> | null;
  /**
   * Why the gates' node_modules will not be the checkout's (a run installs its own in each
   * worktree): a script's tool missing from the checkout's is then not blamed. Null: it will be.
   * Asked only when such a tool is missing (finding out runs `git status`).
   */
  ownInstall?: (() => Promise<string | null>) | null;
  /** The PATH as the caller's words name it (a run's preflight: "the gates' PATH"); default `PATH`. */
  pathName?: string;
  /**
   * The package.json the gates run (the base's): a script's tool it declares and node_modules
   * lacks is a stale or partial install, and the way out is the project's install, not PATH.
   */
  manifest?: NodeManifest | null;
}

/** Where a package script's first command was looked for, and what was found. */
export type ScriptToolLookup = ScriptTool &
  (
    | { status: 'found'; at: string }
    | { status: 'unchecked'; why: string }
    | {
        status: 'missing';
        where: string;
        /** The project's install (by its lock file) when package.json declares the tool. */
        install?: string;
      }
  );

/** The gate's own command (`at`: where it is), and, for a package-manager gate, its script's tool. */
export type GateToolLookup =
  | { command: string; status: 'found'; at: string; script: ScriptToolLookup | null }
  | { command: string; status: 'missing'; where: string };

/**
 * Whether a gate's tool is where its run would find it, looked up without running anything: the
 * one rule of `omk doctor` and of a run's preflight. A bare name on the gates' PATH, the checkout's
 * virtualenvs first (as a worktree's gates get them); a path as a file in the checkout (gates run
 * in a copy of it); and through `npm|pnpm|yarn run <script>` to the script's first command, which
 * npm finds in node_modules/.bin, then on PATH. Before the dependencies are installed (no
 * node_modules) or when the run installs its own, that tool is not blamed: the install provides it.
 */
export async function lookUpGateTool(
  gate: Pick<GateSpec, 'argv'>,
  input: ToolLookupInput,
  probes: ToolProbes,
): Promise<GateToolLookup> {
  const command = gate.argv[0] ?? '';
  const at = await find(command, input.root, probes, venvBins(input.root));
  if (at === null) {
    const where = command.includes('/') ? 'is missing or not executable' : 'was not found on PATH';
    return { command, status: 'missing', where };
  }
  const script = input.scripts === null ? null : scriptTool(gate.argv, input.scripts);
  return {
    command,
    status: 'found',
    at,
    script: script === null ? null : await lookUpScriptTool(script, input, probes),
  };
}

/** `ask`, asked once: the look-ups of a gate list share one answer. */
export function once<T>(ask: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= ask();
    return answer;
  };
}

/** A tool found missing: where it was looked for, and the project's install when that brings it. */
export interface MissingToolLookup {
  tool: string;
  where: string;
  install?: string;
}

/** The tool a lookup found missing, with where it was looked for; null: none is. */
export function missingToolOf(lookup: GateToolLookup): MissingToolLookup | null {
  if (lookup.status === 'missing') return { tool: lookup.command, where: lookup.where };
  const script = lookup.script;
  if (script?.status !== 'missing') return null;
  const missing: MissingToolLookup = { tool: script.tool, where: script.where };
  if (script.install !== undefined) missing.install = script.install;
  return missing;
}

/**
 * The project's install when package.json declares `tool` (a package's name; a tool whose bin is
 * named otherwise, like typescript's tsc, is not matched): with node_modules present and the tool
 * not in it, the install is stale or partial, and installing again brings it. Null: not declared.
 */
export function declaredInstall(tool: string, manifest: NodeManifest | null | undefined): string | null {
  return manifest?.declared.has(tool) === true ? manifest.install : null;
}

function venvBins(root: string): string[] {
  return VENV_DIRS.map((dir) => join(root, dir, 'bin'));
}

async function find(
  command: string,
  root: string,
  probes: ToolProbes,
  firstDirs: readonly string[],
): Promise<string | null> {
  if (command === '') return null;
  if (!command.includes('/')) return probes.findOnPath(command, firstDirs);
  const path = isAbsolute(command) ? command : resolve(root, command);
  return (await probes.fileState(path)) === 'ok' ? path : null;
}

async function lookUpScriptTool(
  script: ScriptTool,
  input: ToolLookupInput,
  probes: ToolProbes,
): Promise<ScriptToolLookup> {
  const { tool } = script;
  if (tool.includes('/')) {
    const at = await find(tool, input.root, probes, []);
    return at === null
      ? { ...script, status: 'missing', where: 'is missing or not executable' }
      : { ...script, status: 'found', at };
  }
  const local = join(input.root, 'node_modules', '.bin', tool);
  if ((await probes.fileState(local)) === 'ok') return { ...script, status: 'found', at: local };
  const onPath = await probes.findOnPath(tool, []);
  if (onPath !== null) return { ...script, status: 'found', at: onPath };
  if ((await probes.fileState(join(input.root, 'node_modules'))) === 'missing') {
    return { ...script, status: 'unchecked', why: 'no node_modules, dependencies not installed' };
  }
  const why = input.ownInstall == null ? null : await input.ownInstall();
  if (why !== null) return { ...script, status: 'unchecked', why };
  const where = `is neither in node_modules/.bin nor on ${input.pathName ?? 'PATH'}`;
  const install = declaredInstall(tool, input.manifest);
  return install === null
    ? { ...script, status: 'missing', where }
    : { ...script, status: 'missing', where: `${where}, though package.json declares it`, install };
}
