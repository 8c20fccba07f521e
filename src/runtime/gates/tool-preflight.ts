import { basename, delimiter } from 'node:path';
import type { WorkspaceConfig } from '../config/schema.js';
import { fileState, findOnPath } from '../doctor/path-lookup.js';
import type { RepoPort } from '../ports.js';
import { nodeModulesStep } from '../workspace/plan.js';
import type { DetectContext } from './detector.js';
import type { GateSpec } from './port.js';
import { lookUpGateTool, missingToolOf, type ToolLookupInput, type ToolProbes } from './tool-lookup.js';
import { type RequirementProbes, unmetRequirement } from './toolchain-requirements.js';

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
 * the gates on the base. With `toolchain` (the host can run the probes), a found tool is also asked
 * what `omk doctor` asks (toolchain-requirements.ts): a go too old for go.mod, a pytest plugin
 * addopts names and the gates' python lacks.
 */
export async function missingRequiredTool(
  gates: readonly GateSpec[],
  input: ToolLookupInput,
  gateEnv: Readonly<Record<string, string>>,
  toolchain: RequirementProbes | null = null,
): Promise<MissingTool | null> {
  const probes: ToolProbes = {
    findOnPath: (command, firstDirs) =>
      findOnPath(command, { PATH: [...firstDirs, gateEnv.PATH ?? ''].join(delimiter) }),
    fileState,
  };
  for (const gate of gates.filter((each) => each.required)) {
    if ((gate.argv[0] ?? '') === '') continue;
    const lookup = await lookUpGateTool(gate, { ...input, pathName: "the gates' PATH" }, probes);
    const missing = missingToolOf(lookup);
    if (missing === null) {
      const unmet =
        toolchain === null || lookup.status !== 'found'
          ? null
          : await unmetRequirement(gate, lookup.at, toolchain);
      if (unmet !== null)
        return { gate: gate.name, tool: unmet.tool, where: `cannot start it: ${unmet.reason}` };
      continue;
    }
    if (lookup.status === 'found' && lookup.script !== null) {
      const { script } = lookup.script;
      const where = `(the first command of scripts.${script}) ${missing.where}`;
      return { gate: gate.name, tool: missing.tool, where };
    }
    const where = lookup.command.includes('/')
      ? 'is missing or not executable in the checkout'
      : "is not on the gates' PATH";
    return { gate: gate.name, tool: basename(lookup.command), where };
  }
  return null;
}

/**
 * Why a goal's worktrees will not get the checkout's node_modules, as the preparer decides
 * (workspace/plan.ts, adapters/workspace/preparer.ts): `workspace.setup` prepares them, or a
 * manifest of the base (package.json, its lockfile) differs in the checkout, so each worktree
 * installs its own, or the project is Yarn Plug'n'Play (each worktree installs). Null: they get a
 * copy of the checkout's, lacking what it lacks: a stale node_modules is copied as it is, so a tool
 * it misses is one the check on the base would miss.
 */
export async function ownInstallOf(
  repo: Pick<RepoPort, 'inspect'>,
  root: string,
  base: DetectContext,
  workspace: WorkspaceConfig,
): Promise<string | null> {
  const step = nodeModulesStep(base, workspace);
  if (step === 'setup') return 'workspace.setup prepares the worktrees';
  if (step === null || step.install === null) return null;
  if (step.pnp) {
    return `Yarn Plug'n'Play: each worktree runs ${step.install.join(' ')} (its .pnp.cjs), not the checkout's node_modules`;
  }
  const { changes = [] } = await repo.inspect(root, { changes: true });
  const differs = step.manifests.find((file) => changes.includes(file));
  return differs === undefined
    ? null
    : `${differs} differs from the base commit, so the run installs the dependencies`;
}
