import { resolveAgent } from '../runtime/agents/registry.js';
import { loadConfig } from '../runtime/config/load.js';
import type { ControllerDeps } from '../runtime/controller/context.js';
import { ConfigError } from '../runtime/errors.js';
import { detectGates } from '../runtime/gates/detect.js';
import { gateEnvironment } from '../runtime/gates/env.js';
import { createGateVerifier } from '../runtime/gates/verify.js';
import type { GoalRecord } from '../runtime/goal/schema.js';
import type { GoalStore } from '../runtime/goal/store.js';
import type { RepoPort, Reporter } from '../runtime/ports.js';
import { workspacesDir } from '../runtime/state/paths.js';
import { agentLauncher } from './agents/launcher.js';
import { createGitWorkspaces } from './git/workspaces.js';
import { runProcess } from './process/run-process.js';

export interface LocalControllerInput {
  store: GoalStore;
  repo: RepoPort;
  reporter: Reporter;
  env: Readonly<Record<string, string | undefined>>;
}

/** The agent spec to use: the flag, else the goal's recorded one, else the config's default. */
export async function chooseAgentSpec(
  repoRoot: string,
  flag: string | undefined,
  recorded: string | null,
): Promise<string> {
  const spec = flag ?? recorded ?? (await loadConfig(repoRoot)).config.agents.default;
  if (!spec) {
    throw new ConfigError('No agent selected for this goal.', {
      hint: 'Pass --agent with a preset (claude, codex, gemini, kimi, aider, opencode), script:./fix.sh, or demo (the offline demo agent), or set agents.default in .omk/config.yml.',
    });
  }
  return spec;
}

/**
 * Composes a controller for work on this machine: config from the repository, detected gates, the
 * chosen agent, git worktrees under the state root. Used by the CLI and by in-process bot mode.
 */
export async function composeLocalController(
  input: LocalControllerInput,
  goal: GoalRecord,
  agentSpec: string,
): Promise<ControllerDeps> {
  const root = goal.repo.root;
  const { config } = await loadConfig(root);
  const files = await input.repo.listFiles(root);
  const agent = resolveAgent(agentSpec, {
    repoRoot: root,
    config: config.agents,
    env: input.env,
    launcher: agentLauncher,
  });
  return {
    store: input.store,
    workspaces: createGitWorkspaces({ forceFallback: goal.options.sliceExecution === 'branch' }),
    agent,
    verify: createGateVerifier(runProcess),
    gates: detectGates(root, files, config),
    gateEnv: gateEnvironment(input.env),
    reporter: input.reporter,
    workspaceRoot: workspacesDir(input.store.deps.stateRoot),
  };
}
