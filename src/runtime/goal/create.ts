import { basename } from 'node:path';
import { appendCheckpoint, currentSpent, readCheckpoints } from '../budget/ledger.js';
import { ZERO_SPENT } from '../budget/schema.js';
import { addSpend } from '../controller/scheduler.js';
import { AgentUnavailableError } from '../errors.js';
import { EventLog } from '../events/log.js';
import type { EventInput } from '../events/schema.js';
import type { GateSpec } from '../gates/port.js';
import { allowedProtectedPaths } from '../graph/protected.js';
import type { TaskGraph } from '../graph/schema.js';
import { validateTaskGraph } from '../graph/validate.js';
import { renderPrd, renderTechnicalPlan, renderTestSpec } from '../plan/documents.js';
import type { Planner, PlanProposal } from '../plan/planner.js';
import { findDefinitions, goalIdentifiers, goalWords } from '../plan/symbols.js';
import type { RepoPort } from '../ports.js';
import { rebuildProof } from '../proof/assemble.js';
import { recordedAgent } from '../proof/machine-paths.js';
import type { Proof } from '../proof/schema.js';
import type { CreateGoalRequest } from '../requests.js';
import { appendDecisions, type DecisionInput, readDecisions } from '../state/decisions.js';
import { writeJsonAtomic } from '../state/versioned.js';
import { holdGoal } from './controller-hold.js';
import { writeFailure } from './failure.js';
import { gateDecisions, gatesRequiredEvent, type PlannedGates, reconcileOracle } from './gate-plan.js';
import { newGoalId } from './ids.js';
import { decideOracle, reclassifyOracle } from './intake.js';
import type { GoalRecord, Oracle } from './schema.js';
import type { GoalStore } from './store.js';

export interface CreateDeps {
  store: GoalStore;
  repo: RepoPort;
  planner: Planner;
  randomHex: () => string;
  /**
   * The gates the goal's worktrees will run: detected at its base commit (the checkout's files
   * when it has none) and configured. Absent: the plan keeps the class's gate kinds as they are,
   * and execution reconciles them.
   */
  detectGates?: (root: string, baseSha: string | null) => Promise<readonly GateSpec[]>;
}

export interface CreatedGoal {
  goal: GoalRecord;
  graph: TaskGraph;
  proof: Proof;
  /** Why this planner planned (the planner's first note: the agent's attempt, a fallback's reason); null when nothing was planned. */
  plannerWhy: string | null;
  /** The gates the plan will run and the kinds it found absent; null when they were not detected. */
  gates: PlannedGates | null;
}

const BRIEF_PLANNER_WHY_CHARS = 160;

/** `plannerWhy` for one line of output; the whole of it is in technical-plan.md and decisions.jsonl. */
export function briefPlannerWhy(why: string): string {
  const chars = [...why];
  if (chars.length <= BRIEF_PLANNER_WHY_CHARS) return why;
  return `${chars.slice(0, BRIEF_PLANNER_WHY_CHARS).join('').trimEnd()}… (all of it in technical-plan.md)`;
}

/**
 * Intake and planning: creates the goal directory with every document, the validated task graph
 * and a proof built from what exists so far. `mode: 'plan'` leaves the goal `planned`; `run`
 * settles it at the proof's status.
 *
 * A run holds the goal's controller lease while it plans (goal.json `controller`, its heartbeat
 * renewed): a run killed during planning leaves a `planned` goal whose controller went stale,
 * which `resume --auto` finishes. `plan` records no controller, so a goal planned on purpose is
 * never started by anyone but the person who planned it.
 */
export async function createGoal(
  deps: CreateDeps,
  request: CreateGoalRequest,
  mode: 'plan' | 'run',
): Promise<CreatedGoal> {
  const { store } = deps;
  const { clock } = store.deps;
  // Everything that can refuse the request happens before the first write.
  const repo = await deps.repo.inspect(request.repo);
  const oracle = decideOracle(request.goal);

  const now = clock.nowIso();
  const initial: GoalRecord = {
    version: 1,
    id: newGoalId(request.goal, request.idSuffix ?? deps.randomHex()),
    createdAt: now,
    updatedAt: now,
    revision: 0,
    goal: { text: request.rawGoal, normalized: request.goal },
    oracle,
    status: 'planned',
    resumeTo: null,
    repo: { root: repo.root, baseRef: repo.branch, baseSha: repo.headSha },
    options: {
      policy: request.policy,
      mergePolicy: request.mergePolicy,
      sliceExecution: request.sliceExecution,
      untilReady: request.untilReady,
      maxAgents: request.maxAgents,
      agent: request.agent ?? null,
      planner: { llm: request.llmPlanner, tokenBudget: request.plannerTokenBudget },
      allowGateEdits: request.allowGateEdits,
      allowWorkflowEdits: request.allowWorkflowEdits,
    },
    budget: {
      timeMs: request.budget.time ?? null,
      tokens: request.budget.tokens ?? null,
      usd: request.budget.usd ?? null,
    },
    controller: mode === 'run' ? leaseNow(store) : null,
  };
  await store.create(initial);
  store.deps.host.reached?.('goal_recorded');
  // A run holds its goal while it plans, as its controller does while it executes: another omk
  // tells it alive by that, not by goal.json, which the planning agent could write.
  const release = mode === 'run' ? await holdGoal(store, initial.id) : null;
  try {
    return await planGoal(deps, initial.id, mode).catch(async (error: unknown) => {
      // The planning agent cannot run here (not logged in, no key, no network): no goal is left
      // half made; the error says why and how to fix it, and the same command can run again.
      if (error instanceof AgentUnavailableError) await store.discard(initial.id);
      throw error;
    });
  } finally {
    await release?.();
  }
}

function decisionKey(decision: DecisionInput): string {
  return JSON.stringify([decision.kind, decision.decision, decision.reason]);
}

/** A controller lease held by this process from now. */
function leaseNow(store: GoalStore): NonNullable<GoalRecord['controller']> {
  const now = store.deps.clock.nowIso();
  return { pid: store.deps.host.pid, host: store.deps.host.hostname, startedAt: now, heartbeatAt: now };
}

/** How often a planning run renews its lease (well within CONTROLLER_LEASE_MS). */
const PLANNING_HEARTBEAT_MS = 10_000;

/**
 * Renews the goal's controller heartbeat while its planner runs. The caller holds the goal lock,
 * so the renewals write goal.json directly; stop() waits for one in flight.
 */
function keepLease(store: GoalStore, goalId: string): { stop(): Promise<void> } {
  let last: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    last = last
      .then(async () => {
        const goal = await store.read(goalId);
        if (goal.controller === null) return;
        await store.write({
          ...goal,
          controller: { ...goal.controller, heartbeatAt: store.deps.clock.nowIso() },
        });
      })
      .catch((error: unknown) => {
        store.deps.reporter.warn(`planning lease: ${error instanceof Error ? error.message : String(error)}`);
      });
  }, PLANNING_HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await last;
    },
  };
}

/**
 * Plans a goal whose record exists: at creation, and again for a run killed before its plan was
 * written (executeAndDeliver finishes it). Everything is derived from goal.json.
 */
export async function planGoal(deps: CreateDeps, goalId: string, mode: 'plan' | 'run'): Promise<CreatedGoal> {
  const { store } = deps;
  return store.withGoalLock(goalId, async () => {
    let initial = await store.read(goalId);
    // A run plans under its controller lease, also when it plans again after a kill.
    if (mode === 'run' && initial.controller === null) {
      initial = await store.write({ ...initial, controller: leaseNow(store) });
    }
    const lease = initial.controller === null ? null : keepLease(store, goalId);
    try {
      return await planLocked(deps, initial, mode, lease);
    } finally {
      await lease?.stop();
    }
  });
}

/** planGoal's work, under the goal lock. */
async function planLocked(
  deps: CreateDeps,
  initial: GoalRecord,
  mode: 'plan' | 'run',
  lease: { stop(): Promise<void> } | null,
): Promise<CreatedGoal> {
  const { store } = deps;
  const { clock } = store.deps;
  const paths = store.paths(initial.id);
  const events = new EventLog(store.files, paths.events, clock, store.deps.host);
  let { oracle } = initial;
  const repo = { root: initial.repo.root, headSha: initial.repo.baseSha };
  // The plan is of what the goal starts from: its base commit (uncommitted files are not in it).
  const repoFiles =
    repo.headSha === null
      ? await deps.repo.listFiles(repo.root)
      : await deps.repo.listCommitted(repo.root, repo.headSha);
  const request = { goal: initial.goal.normalized, maxAgents: initial.options.maxAgents };
  // What the plan requires is what the project can check: a kind it has no gate of is absent, not
  // required (as execution would decide), so the plan a user reviews says what will really run.
  const decisions: DecisionInput[] = [
    {
      kind: 'oracle',
      decision: oracle.testable
        ? `testable: ${oracle.class} (${oracle.shape})`
        : 'not testable: blocked on human',
      reason: oracle.reasons.join('; ') || 'no reasons recorded',
    },
  ];
  const detected = await plannedDetection(deps, repo, decisions);
  let gates: PlannedGates | null = null;
  if (detected !== null) ({ oracle, gates } = reconcileOracle(oracle, detected));
  const opening: EventInput[] = [
    {
      type: 'goal_created',
      // The history names no directory of the machine: the repository by its directory name (goal.json
      // keeps its path), a script agent relative to it or by its file name.
      data: {
        goal: request.goal,
        repo: basename(repo.root),
        baseSha: repo.headSha,
        options: {
          ...initial.options,
          agent: initial.options.agent === null ? null : recordedAgent(initial.options.agent, repo.root),
        },
      },
    },
    {
      type: 'oracle_decided',
      data: { testable: oracle.testable, class: oracle.class, shape: oracle.shape },
    },
    { type: 'budget_set', data: { limits: initial.budget } },
  ];
  // A run killed while it planned is planned again: the ledger opens once, and what an earlier
  // planning agent spent stays counted (a second `set` would count it from zero again).
  const ledger = await readCheckpoints(store.files, paths.budget);
  if (!ledger.checkpoints.some((checkpoint) => checkpoint.kind === 'set')) {
    await appendCheckpoint(store.files, paths.budget, clock, {
      kind: 'set',
      limits: initial.budget,
      spent: ZERO_SPENT,
      note: 'initial budget',
    });
  }

  let graph: TaskGraph = {
    version: 1,
    goalId: initial.id,
    planner: { name: 'none', version: '0' },
    tasks: [],
    rejected: [],
  };
  let notes: string[] = [];
  // A planner that asks a classifying agent plans an untestable goal too: its class decides.
  if (oracle.testable || deps.planner.classifies === true) {
    const definitions = await findDefinitions(
      deps.repo,
      repo.root,
      goalIdentifiers(request.goal),
      goalWords(request.goal),
      repo.headSha ?? undefined,
    );
    const proposal = await deps.planner.plan({
      goalId: initial.id,
      goalText: request.goal,
      oracle,
      repoFiles,
      budget: initial.budget,
      maxAgents: request.maxAgents,
      definitions,
      allowedProtectedPaths: allowedProtectedPaths(initial.options.allowWorkflowEdits),
    });
    store.deps.host.reached?.('plan_proposed');
    if (proposal.spent !== undefined) {
      // What the planning agent cost counts toward the goal's budget like any agent run.
      await appendCheckpoint(store.files, paths.budget, clock, {
        kind: 'spend',
        limits: initial.budget,
        spent: addSpend(await currentSpent(store.files, paths.budget), proposal.spent),
        note:
          proposal.planner.name === 'agent' ? 'planning agent' : 'planning agent (its reply was not used)',
      });
    }
    const classified = classification(request.goal, oracle, proposal);
    if (classified !== null) {
      oracle = classified.oracle;
      if (detected !== null) ({ oracle, gates } = reconcileOracle(oracle, detected));
      decisions.push(classified.decision);
      opening.push({
        type: 'oracle_decided',
        data: { testable: oracle.testable, class: oracle.class, shape: oracle.shape, by: 'planning agent' },
      });
    }
    // An untestable goal plans nothing: a human answers its questions first.
    const drafts = oracle.testable ? proposal.tasks : [];
    const result = validateTaskGraph(drafts, {
      maxTaskTimeMs: initial.budget.timeMs,
      allowedProtectedPaths: allowedProtectedPaths(initial.options.allowWorkflowEdits),
    });
    graph = { ...graph, planner: proposal.planner, tasks: result.tasks, rejected: result.rejected };
    notes = proposal.notes;
    decisions.push({
      kind: 'planner',
      decision: `${proposal.planner.name} planner`,
      reason: notes.join('; ') || 'default',
    });
    opening.push(
      ...result.tasks.map(
        (task): EventInput => ({ type: 'task_accepted', data: { taskId: task.id, writes: task.writes } }),
      ),
      ...result.rejected.map((r): EventInput => ({ type: 'task_rejected', data: { ...r } })),
      {
        type: 'graph_validated',
        data: { accepted: result.tasks.length, rejected: result.rejected.length },
      },
    );
  }
  if (!oracle.testable) {
    opening.push({ type: 'goal_blocked', data: { humanDecisions: oracle.humanDecisions } });
  } else if (gates !== null) {
    // What the plan requires, as execution records it again: the proof names these gates until any runs.
    opening.push(gatesRequiredEvent(oracle.requiredGates, gates.run));
  }
  if (gates !== null && oracle.testable) decisions.push(...gateDecisions(gates.notes));
  const planned: GoalRecord = { ...initial, oracle };
  // The graph and the documents are on disk before any event names them: a crash after the
  // opening events leaves a goal that `execute` can continue, not one without its task graph.
  await writeJsonAtomic(store.files, paths.taskGraph, graph);
  await store.files.writeAtomic(paths.prd, renderPrd(planned));
  await store.files.writeAtomic(paths.technicalPlan, renderTechnicalPlan(planned, graph, notes));
  await store.files.writeAtomic(paths.testSpec, renderTestSpec(planned, graph));
  // Planned again after a kill: a decision the killed run recorded word for word is not repeated.
  const recorded = new Set((await readDecisions(store.files, paths.decisions)).map(decisionKey));
  await appendDecisions(
    store.files,
    paths.decisions,
    clock,
    decisions.filter((decision) => !recorded.has(decisionKey(decision))),
  );
  store.deps.host.reached?.('plan_files_written');
  // One write: a log that has the opening events has the plan's, so a kill leaves either a goal
  // to plan again (finishPlanning) or a fully planned one.
  await events.append([
    ...opening,
    { type: 'plan_written', data: { tasks: graph.tasks.length, planner: graph.planner.name } },
  ]);

  const proof = await rebuildProof(store, planned, events);
  if (!oracle.testable) {
    await writeFailure(store.files, paths.failure, {
      status: 'blocked_on_human',
      at: clock.nowIso(),
      reason: `The goal's success cannot be tested: ${oracle.reasons.join('; ')}`,
      humanDecisions: oracle.humanDecisions,
    });
  }
  // A run's testable goal stays `planned` under the run's lease until execution takes it over: a
  // kill in between leaves a goal whose controller went stale, which `resume --auto` finishes.
  // Otherwise planning is over and the lease ends here.
  const executes = mode === 'run' && oracle.testable;
  const status = oracle.testable ? 'planned' : 'blocked_on_human';
  await lease?.stop();
  const current = await store.read(initial.id);
  const controller =
    executes && current.controller !== null ? { ...current.controller, heartbeatAt: clock.nowIso() } : null;
  const goal = await store.write({ ...current, oracle, status, controller });
  return { goal, graph, proof, plannerWhy: notes[0] ?? null, gates };
}

/**
 * The gates the goal will run, for the plan to require only what the project has; null (with a
 * decision saying why) when they cannot be told now: execution reconciles them then.
 */
async function plannedDetection(
  deps: CreateDeps,
  repo: { root: string; headSha: string | null },
  decisions: DecisionInput[],
): Promise<readonly GateSpec[] | null> {
  if (deps.detectGates === undefined) return null;
  try {
    return await deps.detectGates(repo.root, repo.headSha);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    decisions.push({
      kind: 'gates',
      decision: 'gates not detected at planning',
      reason: `${why}; the class's gate kinds stay required until execution detects the gates`,
    });
    return null;
  }
}

/**
 * The planning agent's classification, applied to the heuristic oracle and recorded as a decision;
 * or, when its reply was refused, the heuristic's class recorded as the fallback. Null when no
 * agent was asked.
 */
function classification(
  goalText: string,
  heuristic: Oracle,
  proposal: PlanProposal,
): { oracle: Oracle; decision: DecisionInput } | null {
  const chosen = proposal.classification;
  const said = heuristic.testable ? heuristic.class : 'untestable';
  if (chosen !== undefined) {
    const questions = chosen.questions ?? [];
    return {
      oracle: reclassifyOracle(goalText, heuristic, chosen.class, chosen.why, questions),
      decision: {
        kind: 'classification',
        decision: `agent: ${chosen.class}${said === chosen.class ? '' : ` (the heuristic said ${said})`}`,
        reason: chosen.why + (questions.length > 0 ? `; questions: ${questions.join(' | ')}` : ''),
      },
    };
  }
  if (proposal.classificationFallback === undefined) return null;
  return {
    oracle: heuristic,
    decision: {
      kind: 'classification',
      decision: `heuristic: ${said}`,
      reason: `${proposal.classificationFallback}, so the heuristic's class stands`,
    },
  };
}
