import { boundedAgent, boundedPreparer, boundedVerify, withGateHome } from '../config/bounded-runs.js';
import type { LoadedConfig } from '../config/load.js';
import type { ControllerDeps } from '../controller/context.js';
import type { RateLimitWaiting, Sleep } from '../controller/rate-limit.js';
import { type CommittedTree, readCommittedTree } from '../gates/committed.js';
import { detectGatesIn } from '../gates/detect.js';
import { createDetectContext } from '../gates/detector.js';
import { gateEnvironment } from '../gates/env.js';
import { ownSourcesVerify } from '../gates/own-sources.js';
import type { GateSpec } from '../gates/port.js';
import type { GoalRecord } from '../goal/schema.js';
import { cacheWritingPreparer, cacheWritingVerify } from '../integrity/cache-writers.js';
import { CARGO_LOCK_MAX_BYTES, cargoLockCrates, cargoLockFiles } from '../integrity/crate-sources.js';
import { integrationCache } from '../integrity/integration-cache.js';
import { GO_SUM_MAX_BYTES, goSumFiles, goSumModules } from '../integrity/module-sources.js';
import {
  confinedAgent,
  confinedPreparer,
  confinedVerify,
  ownDownloadsPreparer,
} from '../sandbox/confined-runs.js';
import type { Confinement } from '../sandbox/port.js';
import { createScrub, createTokenTest, secretValues } from '../secrets/scrub.js';
import { scrubbedAgent, scrubbedVerify, scrubbedWorkspaces } from '../secrets/scrubbed-runs.js';
import {
  goalCacheDir,
  goalPaths,
  integrationCacheDir,
  privateStateDir,
  sharedCacheDir,
  workspacesDir,
} from '../state/paths.js';
import { planPreparation } from '../workspace/plan.js';
import { preparedWorkspaces } from '../workspace/prepared-files.js';
import type { PreparedAgent } from './agent.js';
import type { AppDeps } from './deps.js';

/**
 * A controller for one goal on this host: the prepared agent, the gates detected in the goal's base
 * commit and configured, slice checkouts under the state root, gates with an allowlisted environment.
 */
export async function composeController(
  deps: AppDeps,
  goal: GoalRecord,
  prepared: PreparedAgent,
): Promise<ControllerDeps> {
  const root = goal.repo.root;
  const { config } = prepared.config;
  const tree = await baseTree(deps, goal, prepared.config);
  const files = tree.files;
  if (tree.configChanged !== null) {
    // The config is the checkout's, edits included (agents, sandbox and gates are the user's to
    // tune without a commit); the gates' project files are the commit's. Said, so neither surprises.
    const { path, committed } = tree.configChanged;
    const base = goal.repo.baseSha?.slice(0, 12) ?? 'HEAD';
    deps.reporter.warn(
      `${path} ${committed ? `differs from the one committed at ${base}` : `is not committed at ${base}`}: this run uses your checkout's copy as it is; the project files its gates are detected from are read as committed. Commit it to make it part of the goal's history.`,
    );
  }
  const cacheDir = goalCacheDir(deps.store.deps.stateRoot, goal.id);
  const scrub = createScrub(secretValues(deps.env));
  const keep = (path: string) => deps.store.keepArtifact(path);
  // Confined, a gate or an install writes its worktree, a private temp and the goal's build cache
  // only (a gate not its download caches, which installs fill and read), an agent its worktree and
  // a private temp only (the cache decides its gates' verdicts: a test binary planted there passes
  // for the committed code's), and each still reads the goal directory (the prompt file) wherever
  // the host hides more.
  const confine: Confinement | null = prepared.sandbox.active
    ? {
        writable: [cacheDir],
        readable: [goalPaths(deps.store.deps.stateRoot, goal.id).dir],
        hidden: [privateStateDir(deps.store.deps.stateRoot)],
        ...(prepared.sandbox.allowedHosts === undefined
          ? {}
          : { allowedHosts: prepared.sandbox.allowedHosts }),
      }
    : null;
  // The network: agents the policy's (their model's API), gates the policy's unless a gate says
  // otherwise (where the host can isolate one), installs always open (they download packages).
  const network = prepared.sandbox.network ?? { agents: 'open', gates: 'open' };
  const confinedRuns =
    confine === null
      ? prepared.agent
      : confinedAgent(prepared.agent, { ...confine, writable: [], network: network.agents });
  const agent = boundedAgent(confinedRuns, config.logs.maxBytes);
  // Gates and installs write the cache on purpose: an agent run's check of it waits for none to run.
  // Confined, a gate writes one cache: the slices' gates theirs, the base's and the integrated
  // tree's the integration's own (integrity/integration-cache.ts).
  const workspaces = deps.execution.workspaces({ forceFallback: goal.options.sliceExecution === 'branch' });
  // A cargo gate builds its own worktree's code, not the last one built into the shared target.
  const dateTracked = workspaces.dateTrackedNow?.bind(workspaces);
  const ownSources =
    dateTracked === undefined ? deps.execution.verify : ownSourcesVerify(deps.execution.verify, dateTracked);
  const verifyWriting = (cache: string) =>
    scrubbedVerify(
      withGateHome(
        boundedVerify(
          cacheWritingVerify(
            confine === null
              ? ownSources
              : confinedVerify(
                  ownSources,
                  {
                    ...confine,
                    writable: [cache],
                    network: network.gates,
                  },
                  cache,
                ),
            cache,
          ),
          config.logs.maxBytes,
        ),
        config.gates.home,
      ),
      scrub,
      deps.store.files,
      keep,
    );
  const ownCache = integrationCacheDir(deps.store.deps.stateRoot, goal.id);
  // Installs write the cache too, confined the one of their worktree's gates: the slices' theirs,
  // the base's and the integrated tree's the integration's own, download caches included (there
  // confined or not: a slice's install runs the code of the tree it prepares).
  const preparerWriting = (cache: string) => {
    const preparer =
      cache === cacheDir ? deps.execution.preparer : ownDownloadsPreparer(deps.execution.preparer, cache);
    return boundedPreparer(
      cacheWritingPreparer(
        confine === null
          ? preparer
          : confinedPreparer(preparer, { ...confine, writable: [cache], network: 'open' }, cache),
        cache,
      ),
      config.logs.maxBytes,
    );
  };
  const detected = detectGatesIn(tree.context, config);
  return {
    store: deps.store,
    workspaces: scrubbedWorkspaces(
      preparedWorkspaces(workspaces, deps.store.files, deps.store.paths(goal.id).prepareArtifacts),
      scrub,
      deps.store.files,
      keep,
    ),
    agent: scrubbedAgent(agent, scrub, deps.store.files, keep),
    verify: verifyWriting(cacheDir),
    integrationCache: integrationCache({
      goalCache: cacheDir,
      dir: ownCache,
      verify: verifyWriting(ownCache),
      preparer: preparerWriting(ownCache),
      copy: deps.execution.copyCache ?? (async () => false),
      integrity: deps.execution.integrity,
      remove: (dir) => deps.execution.cleaner.removeCache(dir),
      confined: confine !== null,
      info: (message) => deps.reporter.info(message),
      warn: (message) => deps.reporter.warn(message),
    }),
    sandbox: prepared.sandbox,
    integrity: deps.execution.integrity,
    home: deps.env.HOME ?? null,
    holdsToken: createTokenTest(secretValues(deps.env)),
    // A gate's own network applies only where the host isolates one (else all share the host's).
    gates: prepared.sandbox.isolatesNetwork === true ? detected : detected.map(withoutOwnNetwork),
    committed: deps.repo,
    gateEnv: gateEnvironment(deps.env),
    ...(await baseDependencies(deps, goal, files)),
    preparer: preparerWriting(cacheDir),
    preparation: planPreparation({
      repoRoot: root,
      files,
      context: tree.context,
      config,
      cacheDir,
      sharedCacheDir: sharedCacheDir(deps.store.deps.stateRoot),
    }),
    reporter: deps.reporter,
    steps: deps.words.steps,
    workspaceRoot: workspacesDir(deps.store.deps.stateRoot),
    ...(deps.publishBranch === undefined ? {} : { publishBranch: deps.publishBranch }),
    ...(deps.keptBundles === undefined ? {} : { keptBundles: deps.keptBundles }),
    // The Action's state and the bot's branches live on the remote: a run's checkout is fresh.
    ...(deps.shared === undefined && deps.publishBranch === undefined ? {} : { branchesFromRemote: true }),
    ...rateLimitOf(config.agents.rateLimitWait, deps.sleep),
  };
}

/** The goal's base commit as gates see it; a goal without one (it cannot execute): the checkout. */
async function baseTree(deps: AppDeps, goal: GoalRecord, config: LoadedConfig): Promise<CommittedTree> {
  const { root, baseSha } = goal.repo;
  if (baseSha !== null) return readCommittedTree(deps.repo, root, baseSha, config);
  const files = await deps.repo.listFiles(root);
  return { files, context: createDetectContext(root, files), configChanged: null, detectionChanged: [] };
}

/**
 * The Go modules and registry crates the base commit's go.sum and Cargo.lock files name, read in
 * one look at the commit (a goal without a base commit: none).
 */
async function baseDependencies(
  deps: AppDeps,
  goal: GoalRecord,
  files: readonly string[],
): Promise<{ goModules: string[]; crates: string[] }> {
  const sums = goSumFiles(files);
  const locks = cargoLockFiles(files);
  const { root, baseSha } = goal.repo;
  if (baseSha === null || sums.length + locks.length === 0) return { goModules: [], crates: [] };
  const maxBytes = Math.max(GO_SUM_MAX_BYTES, CARGO_LOCK_MAX_BYTES);
  const { texts } = await deps.repo.readCommitted(root, baseSha, [...sums, ...locks], maxBytes);
  const text = (path: string) => texts.get(path) ?? '';
  return {
    goModules: goSumModules(sums.map(text).join('\n')),
    crates: locks.flatMap((path) => cargoLockCrates(text(path))),
  };
}

/** agents.rateLimitWait, and the host's sleep where it passes one (tests: instant). */
function rateLimitOf(
  maxWaitMs: number | undefined,
  sleep: Sleep | undefined,
): { rateLimit?: RateLimitWaiting } {
  if (maxWaitMs === undefined && sleep === undefined) return {};
  return {
    rateLimit: {
      ...(maxWaitMs === undefined ? {} : { policy: { maxWaitMs } }),
      ...(sleep === undefined ? {} : { sleep }),
    },
  };
}

function withoutOwnNetwork(gate: GateSpec): GateSpec {
  if (gate.network === undefined) return gate;
  const { network: _, ...rest } = gate;
  return rest;
}
