import type { Agent } from '../agents/port.js';
import { resolveAgent } from '../agents/registry.js';
import { boundedAgent } from '../config/bounded-runs.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { AgentUnavailableError } from '../errors.js';
import { EventLog } from '../events/log.js';
import { readCommittedTree } from '../gates/committed.js';
import { detectGates, detectGatesIn } from '../gates/detect.js';
import { readScripts } from '../gates/detect-node.js';
import { type DetectContext, MAX_READ_BYTES } from '../gates/detector.js';
import { gateEnvironment } from '../gates/env.js';
import { nodeManifest } from '../gates/node-manifest.js';
import { scriptOf } from '../gates/package-script.js';
import type { GateSpec } from '../gates/port.js';
import { once } from '../gates/tool-lookup.js';
import { type MissingTool, missingRequiredTool, ownInstallOf } from '../gates/tool-preflight.js';
import { planGoal } from '../goal/create.js';
import type { GoalRecord } from '../goal/schema.js';
import { createAgentPlanner, plannerWorkDir } from '../plan/agent-planner.js';
import type { PlanInput, Planner, PlanProposal } from '../plan/planner.js';
import { indexExports, type RepoFacts } from '../plan/repo-map.js';
import type { CreateGoalRequest } from '../requests.js';
import { confinedAgent } from '../sandbox/confined-runs.js';
import { decideSandbox, mayStartAgent, networkRequestOf, sandboxFromEnv } from '../sandbox/decide.js';
import type { SandboxDecision } from '../sandbox/port.js';
import { createScrub, secretValues } from '../secrets/scrub.js';
import { scrubbedAgent } from '../secrets/scrubbed-runs.js';
import { privateStateDir } from '../state/paths.js';
import { type AgentChoice, hostSandbox, type PreparedAgent } from './agent.js';
import { untrustedCustomAgent, untrustedCustomAgentError } from './agent-trust.js';
import type { AppDeps } from './deps.js';

// Which planner plans a new goal. The agent-backed planner is on by default when the goal has an
// agent (the run's agent, or planner.agent from .omk/config.yml); the request's switch turns it
// off. The demo agent plans only when `planner.agent` names it (the demo's fixture does): as a
// goal's agent it leaves planning to the heuristic, so `--agent demo` goals keep their plans.

/** The most a planning run may take; a goal with a time budget gives it a quarter of that. */
const PLANNING_TIMEOUT_MS = 5 * 60_000;
const MIN_PLANNING_TIMEOUT_MS = 5_000;

function planningTimeout(input: PlanInput): number {
  const share = input.budget.timeMs === null ? PLANNING_TIMEOUT_MS : Math.floor(input.budget.timeMs / 4);
  return Math.min(PLANNING_TIMEOUT_MS, Math.max(MIN_PLANNING_TIMEOUT_MS, share));
}

/** The planner's proposal with a note in front: why this planner planned. */
function noting(planner: Planner, note: string): Planner {
  return {
    name: planner.name,
    ...(planner.classifies === undefined ? {} : { classifies: planner.classifies }),
    async plan(input: PlanInput): Promise<PlanProposal> {
      const proposal = await planner.plan(input);
      return { ...proposal, notes: [note, ...proposal.notes] };
    },
  };
}

async function repoFacts(
  deps: Pick<AppDeps, 'repo' | 'store'>,
  root: string,
  config: LoadedConfig,
  input: PlanInput,
): Promise<RepoFacts> {
  const { baseSha } = (await deps.store.read(input.goalId)).repo;
  // The planning agent is told of the base commit's files and symbols, what its worktrees hold.
  const [sizes, exports] = await Promise.all([
    deps.repo.fileSizes(root),
    indexExports(deps.repo, root, baseSha ?? undefined),
  ]);
  // The gates the goal's worktrees will run: detected from its base commit, as the controller does.
  const detected =
    baseSha === null
      ? detectGates(root, input.repoFiles, config.config)
      : await gatesAtCommit(deps.repo, root, baseSha, config);
  const gates = detected.map((gate) => `${gate.name}: ${gate.argv.join(' ')}`);
  return { files: input.repoFiles, sizes, exports, gates };
}

/**
 * The gates a goal's worktrees will run, as the controller detects them (composeController): from
 * the base commit's files and the checkout's config. A config the run was already given is used
 * as it is; else it is read (a plan refused a broken one before the goal existed).
 */
export function gatesAtBase(
  deps: Pick<AppDeps, 'repo'>,
  config: LoadedConfig | null,
): (root: string, baseSha: string | null) => Promise<readonly GateSpec[]> {
  return async (root, baseSha) => {
    const loaded = config ?? (await loadConfig(root));
    if (baseSha === null) return detectGates(root, await deps.repo.listFiles(root), loaded.config);
    return gatesAtCommit(deps.repo, root, baseSha, loaded);
  };
}

/**
 * Gates detected at commit `sha` of `root` with `config`. A run's planning asks up to three times
 * (the tool lookup, the agent planner's facts, the plan's required gates), each of the same commit
 * with the same loaded config: the commit's files are read and detected once per config.
 */
const detectedAt = new WeakMap<LoadedConfig, Map<string, Promise<BaseTree>>>();

/** A commit's detection files (the worktree preparation's among them) and the gates found in them. */
interface BaseTree {
  context: DetectContext;
  gates: readonly GateSpec[];
}

function gatesAtCommit(
  repo: AppDeps['repo'],
  root: string,
  sha: string,
  config: LoadedConfig,
): Promise<readonly GateSpec[]> {
  return treeAtCommit(repo, root, sha, config).then((tree) => tree.gates);
}

function treeAtCommit(
  repo: AppDeps['repo'],
  root: string,
  sha: string,
  config: LoadedConfig,
): Promise<BaseTree> {
  let known = detectedAt.get(config);
  if (known === undefined) {
    known = new Map();
    detectedAt.set(config, known);
  }
  const key = `${root}\0${sha}`;
  let tree = known.get(key);
  if (tree === undefined) {
    tree = readCommittedTree(repo, root, sha).then(({ context }) => ({
      context,
      gates: detectGatesIn(context, config.config),
    }));
    known.set(key, tree);
  }
  return tree;
}

/** The first required gate of the goal's base whose tool cannot be found; null: none (or unknown). */
async function missingToolAtBase(
  deps: AppDeps,
  root: string,
  headSha: string,
  config: LoadedConfig,
): Promise<MissingTool | null> {
  try {
    const { context, gates } = await treeAtCommit(deps.repo, root, headSha, config);
    const scripts = gates.some((gate) => gate.required && scriptOf(gate.argv) !== null)
      ? readScripts(context)
      : null;
    const ownInstall = once(() => ownInstallOf(deps.repo, root, context, config.config.workspace));
    const manifest = scripts === null ? null : nodeManifest(context);
    const gateEnv = gateEnvironment(deps.env);
    const probes = deps.execution.toolchain?.(gateEnv);
    // The base's files, as its gates will read them; the probes the doctor's (toolchain-requirements.ts).
    const toolchain =
      probes === undefined
        ? null
        : {
            ...probes,
            readFile: async (path: string) =>
              (await deps.repo.readCommitted(root, headSha, [path], MAX_READ_BYTES)).texts.get(path) ?? null,
          };
    return await missingRequiredTool(gates, { root, scripts, ownInstall, manifest }, gateEnv, toolchain);
  } catch {
    // A config the gates cannot be detected with is refused where gates are detected for the run.
    return null;
  }
}

/**
 * The planner for this request: the heuristic when the switch is off or no agent is named, else
 * the agent planner (falling back to the heuristic, with the reason recorded, when it cannot plan).
 */
export async function chooseGoalPlanner(
  deps: AppDeps,
  request: Pick<CreateGoalRequest, 'repo' | 'llmPlanner' | 'plannerTokenBudget' | 'agent'>,
  prepared: PreparedAgent | null,
  asked: Pick<AgentChoice, 'sandbox' | 'network'> = {},
): Promise<Planner> {
  if (!request.llmPlanner) return noting(deps.planner, 'agent planner turned off for this goal');
  const { root, headSha } = await deps.repo.inspect(request.repo);
  let config: LoadedConfig;
  try {
    config = prepared?.config ?? (await loadConfig(root));
  } catch (error) {
    // Planning never needed the config before; a broken one is reported where it is used.
    const why = error instanceof Error ? error.message : String(error);
    return noting(deps.planner, `the config could not be read (${why}), so no agent planned this goal`);
  }
  const named = config.config.planner.agent;
  const spec = named ?? prepared?.spec ?? request.agent ?? config.config.agents.default ?? null;
  if (spec === null) return noting(deps.planner, 'no agent named for this goal, so no agent planned it');
  if (spec.trim() === 'demo' && named === undefined) {
    return noting(
      deps.planner,
      'the demo agent plans only when planner.agent names it; the heuristic planned this goal',
    );
  }
  if (prepared === null || prepared.spec !== spec) {
    // Not a fallback: a planner the host does not trust is refused, before the goal exists.
    const untrusted = untrustedCustomAgent(deps.repoCustomAgents, { repoRoot: root, config }, [spec]);
    if (untrusted !== null) throw untrustedCustomAgentError(untrusted);
  }
  let agent: Agent;
  try {
    agent =
      prepared !== null && prepared.spec === spec
        ? prepared.agent
        : resolveAgent(spec, {
            repoRoot: root,
            config: config.config.agents,
            env: deps.env,
            launcher: deps.execution.agents,
          });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return noting(deps.planner, `planner agent ${spec} cannot run (${why}); the heuristic planned this goal`);
  }
  if (prepared !== null) {
    // A run: a required gate whose tool is missing stops the goal at the check of its gates on the
    // base, before any slice's agent. Seen now, no planning agent is paid for a plan that cannot run.
    const missing = headSha === null ? null : await missingToolAtBase(deps, root, headSha, config);
    if (missing !== null) {
      return noting(
        deps.planner,
        `no planning agent ran: required gate ${missing.gate}'s tool ${missing.tool} ${missing.where}, so the goal stops at the check of its gates on the base`,
      );
    }
  }
  // Confined like a slice's agent, it may write only its working directory (the planner's own,
  // under the goal's artifacts), never the repository.
  const mode = asked.sandbox ?? sandboxFromEnv(deps.env) ?? config.config.sandbox.mode;
  const notStarted = (why: string) =>
    noting(deps.planner, `planner agent ${spec} was not started (${why}); the heuristic planned this goal`);
  let sandbox: SandboxDecision;
  try {
    sandbox =
      prepared?.sandbox ??
      (await decideSandbox(
        hostSandbox(deps),
        mode,
        deps.reporter,
        networkRequestOf(config.config, asked.network),
        await deps.execution.subreaper?.(),
        { spec, starts: true },
      ));
  } catch (error) {
    // A plan runs no slice: under auto the planner is left out, where `required` refuses the plan.
    if (mode === 'auto' && error instanceof AgentUnavailableError) return notStarted(error.message);
    throw error;
  }
  // A decision made for the run's own agent (the demo) covers no other planning agent.
  if (!mayStartAgent(sandbox, spec)) {
    return notStarted(
      `this host cannot confine agents (${sandbox.reason}), and under sandbox: auto omk runs no agent's code unconfined but its own demo's`,
    );
  }
  const planning = sandbox.active
    ? confinedAgent(agent, {
        writable: [],
        readable: [],
        hidden: [privateStateDir(deps.store.deps.stateRoot)],
        network: sandbox.network?.agents ?? 'open',
        ...(sandbox.allowedHosts === undefined ? {} : { allowedHosts: sandbox.allowedHosts }),
      })
    : agent;
  return createAgentPlanner({
    // Planning runs the same agent: its transcript is scrubbed like a slice's before anything reads it.
    agent: scrubbedAgent(
      boundedAgent(planning, config.config.logs.maxBytes),
      createScrub(secretValues(deps.env)),
      deps.store.files,
    ),
    tokenBudget: request.plannerTokenBudget,
    facts: (input) => repoFacts(deps, root, config, input),
    workDir: (goalId) => plannerWorkDir(deps.store.paths(goalId).artifacts),
    files: deps.store.files,
    timeoutMs: planningTimeout,
    fallback: deps.planner,
  });
}

/**
 * A run killed while it planned left a goal whose plan is not in its history (no task graph, or
 * a task graph and documents but no opening events): it is planned now, before it executes, by
 * the planner its request chose (the switches recorded in goal.json: the agent planner or not,
 * its token budget). The opening events are appended after everything they name is on disk, so
 * a `goal_created` in the log means the plan is complete.
 */
export async function finishPlanning(
  deps: AppDeps,
  goal: GoalRecord,
  prepared: PreparedAgent,
): Promise<void> {
  if (await planRecorded(deps, goal.id)) return;
  const request = {
    repo: goal.repo.root,
    llmPlanner: goal.options.planner.llm,
    plannerTokenBudget: goal.options.planner.tokenBudget,
    agent: prepared.spec,
  };
  const planner = await chooseGoalPlanner(deps, request, prepared);
  await planGoal({ ...deps, planner, detectGates: gatesAtBase(deps, prepared.config) }, goal.id, 'run');
}

/** Whether the goal's plan is written and its opening events are in its log. */
async function planRecorded(deps: AppDeps, goalId: string): Promise<boolean> {
  const paths = deps.store.paths(goalId);
  if (!(await deps.store.files.exists(paths.taskGraph))) return false;
  const { events } = await new EventLog(deps.store.files, paths.events, deps.store.deps.clock).read();
  return events.some((event) => event.type === 'goal_created');
}
