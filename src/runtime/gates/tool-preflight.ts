import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { fileState, findOnPath } from '../doctor/path-lookup.js';
import { VENV_DIRS } from '../workspace/plan.js';
import { gateTool } from './availability.js';
import type { GateSpec } from './port.js';

export interface MissingTool {
  gate: string;
  tool: string;
}

/**
 * The first required gate whose own executable is nowhere its run could find it, looked up without
 * running anything: a bare name on the gates' PATH (the checkout's virtualenv first, as a
 * worktree's gates get it), a path as a file in the checkout. What it cannot see (a module of
 * `python -m`, a tool a package script calls) is left to the check of the gates on the base.
 */
export async function missingRequiredTool(
  gates: readonly GateSpec[],
  root: string,
  gateEnv: Readonly<Record<string, string>>,
): Promise<MissingTool | null> {
  const venvBins = VENV_DIRS.map((dir) => join(root, dir, 'bin'));
  const env = { PATH: [...venvBins, gateEnv.PATH ?? ''].join(delimiter) };
  for (const gate of gates.filter((each) => each.required)) {
    const command = gate.argv[0] ?? '';
    if (command === '') continue;
    const found = command.includes('/')
      ? (await fileState(isAbsolute(command) ? command : resolve(root, command))) === 'ok'
      : (await findOnPath(command, env)) !== null;
    if (!found) return { gate: gate.name, tool: gateTool(gate.argv).executable };
  }
  return null;
}
