import { basename, delimiter } from 'node:path';
import { fileState, findOnPath } from '../doctor/path-lookup.js';
import type { GateSpec } from './port.js';
import { lookUpGateTool, missingToolOf, type ToolLookupInput, type ToolProbes } from './tool-lookup.js';

export interface MissingTool {
  gate: string;
  tool: string;
  /** Where it was looked for, as a phrase after the tool's name ("is not on the gates' PATH"). */
  where: string;
}

/**
 * The first required gate whose tool is nowhere its run could find it, looked up without running
 * anything, by the rule `omk doctor` uses (tool-lookup.ts): the gate's own executable, and the
 * first command of the package script a package-manager gate runs. That one is blamed only when
 * the worktrees' node_modules will be the checkout's (`input.ownInstall` null), which holds it not:
 * what a run installs is no preflight's to guess. A module of `python -m` is left to the check of
 * the gates on the base.
 */
export async function missingRequiredTool(
  gates: readonly GateSpec[],
  input: ToolLookupInput,
  gateEnv: Readonly<Record<string, string>>,
): Promise<MissingTool | null> {
  const probes: ToolProbes = {
    findOnPath: (command, firstDirs) =>
      findOnPath(command, { PATH: [...firstDirs, gateEnv.PATH ?? ''].join(delimiter) }),
    fileState,
  };
  for (const gate of gates.filter((each) => each.required)) {
    if ((gate.argv[0] ?? '') === '') continue;
    const lookup = await lookUpGateTool(gate, input, probes);
    const missing = missingToolOf(lookup);
    if (missing === null) continue;
    if (lookup.status === 'found' && lookup.script !== null) {
      const { script } = lookup.script;
      const where = `(the first command of scripts.${script}) ${missing.where.replace(/on PATH$/, "on the gates' PATH")}`;
      return { gate: gate.name, tool: missing.tool, where };
    }
    const where = lookup.command.includes('/')
      ? 'is missing or not executable in the checkout'
      : "is not on the gates' PATH";
    return { gate: gate.name, tool: basename(lookup.command), where };
  }
  return null;
}
