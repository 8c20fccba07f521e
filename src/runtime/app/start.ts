import { CONFIG_FILES } from '../config/load.js';
import { briefPlannerWhy, type CreatedGoal, createGoal } from '../goal/create.js';
import type { TaskGraph } from '../graph/schema.js';
import type { RepoInfo } from '../ports.js';
import type { CreateGoalRequest } from '../requests.js';
import { type AgentChoice, prepareAgent } from './agent.js';
import { withCredentialsAway } from './credentials.js';
import { type AppDeps, hostConfig } from './deps.js';
import { type ExecuteOutcome, type ExecuteRequest, executeAndDeliver } from './execute.js';
import { chooseGoalPlanner, gatesAtBase } from './planning.js';

export interface StartRequest {
  create: CreateGoalRequest;
  /** plan: create and plan only; run: then execute and deliver by policy. */
  mode: 'plan' | 'run';
  agent?: AgentChoice;
  execute?: Omit<ExecuteRequest, 'goalId' | 'agent' | 'prepared'>;
  /** Called once the goal exists, before it runs (the Action saves it to the state branch). */
  onCreated?(created: CreatedGoal): Promise<void>;
}

export interface StartOutcome {
  created: CreatedGoal;
  /** null for plan, and for a goal blocked on a human decision. */
  executed: ExecuteOutcome | null;
}

/**
 * `run` and `plan`: intake and planning, then, for a run of a testable goal, execution and
 * delivery. A run refuses a missing or unknown agent before any goal state exists, and records
 * the agent it resolved, so a resume continues with the same one.
 */
export async function startGoal(deps: AppDeps, request: StartRequest): Promise<StartOutcome> {
  const repo = await deps.repo.inspect(request.create.repo, { changes: true });
  warnUncommitted(deps, repo, request.mode);
  if (request.mode === 'plan') {
    // A plan refuses the repository config a run of it would refuse, before any goal exists.
    if (request.agent?.config === undefined) await hostConfig(deps, repo.root);
    return startInspected(deps, request, repo);
  }
  // A run's planning agent, agents and gates all run with the persisted credential out of reach.
  return withCredentialsAway(deps, repo.root, () => startInspected(deps, request, repo));
}

async function startInspected(deps: AppDeps, request: StartRequest, repo: RepoInfo): Promise<StartOutcome> {
  const prepared =
    request.mode === 'plan'
      ? null
      : await prepareAgent(deps, repo.root, request.agent ?? {}, request.create.agent ?? null);
  const create = prepared === null ? request.create : { ...request.create, agent: prepared.spec };
  // Planning and intake ask about the repository this start just inspected: they get that answer
  // (two git runs each fewer), and any other path is asked about as before.
  const asked = request.create.repo;
  const known: AppDeps = {
    ...deps,
    repo: {
      ...deps.repo,
      inspect: (path) => (path === asked ? Promise.resolve(repo) : deps.repo.inspect(path)),
    },
  };
  const planner = await chooseGoalPlanner(known, create, prepared, request.agent);
  const detectGates = gatesAtBase(known, prepared?.config ?? request.agent?.config ?? null);
  const created = await createGoal({ ...known, planner, detectGates }, create, request.mode);
  const { goal, graph, plannerWhy } = created;
  if (prepared !== null) {
    const by = `${graph.planner.name} planner${plannerWhy === null ? '' : `: ${briefPlannerWhy(plannerWhy)}`}`;
    deps.reporter.info(`goal ${goal.id}: ${plannedWords(goal.oracle.testable, graph, by)}`);
  }
  await request.onCreated?.(created);
  deps.store.deps.host.reached?.('goal_planned');
  // No slice to run (each one rejected: the proof's plan_empty gap says why): nothing to execute.
  if (prepared === null || !goal.oracle.testable || graph.tasks.length === 0)
    return { created, executed: null };
  const executed = await executeAndDeliver(deps, {
    after: 'deliver',
    ...request.execute,
    goalId: goal.id,
    prepared,
  });
  return { created, executed };
}

const NAMED_CHANGES = 5;

/**
 * The checkout's omk config is the run's as it is (the controller says so when it differs from the
 * commit's): it is not among the changes a goal leaves out. An untracked `.omk/` is listed as the
 * directory.
 */
const USED_AS_IS: readonly string[] = [...CONFIG_FILES, '.omk/'];

/**
 * A goal starts from HEAD: its plan reads the commit and its worktrees hold it, so what the
 * checkout has on top of it (edits, staged or not, and untracked files) is not part of it. Said
 * once, before anything is planned or runs, by a run and a plan alike.
 */
function warnUncommitted(deps: AppDeps, repo: RepoInfo, mode: StartRequest['mode']): void {
  const changes = (repo.changes ?? []).filter((path) => !USED_AS_IS.includes(path));
  if (changes.length === 0) return;
  const named = changes.slice(0, NAMED_CHANGES).join(', ');
  const more = changes.length > NAMED_CHANGES ? ` and ${changes.length - NAMED_CHANGES} more` : '';
  const head = repo.headSha === null ? 'HEAD' : repo.headSha.slice(0, 12);
  deps.reporter.warn(
    `${changes.length} uncommitted change(s) in ${repo.root} (${named}${more}) are not part of this goal: it starts from ${head}, the commit HEAD names. To include them, commit them first and ${mode} the goal again.`,
  );
}

/** What the run says once the goal is planned: what it does next. */
function plannedWords(testable: boolean, graph: TaskGraph, by: string): string {
  if (!testable) return 'blocked on a human decision';
  if (graph.tasks.length === 0) {
    return `planned no slice to run (${by}; ${graph.rejected.length} rejected); nothing to execute`;
  }
  return `planned ${graph.tasks.length} slice(s) (${by}); executing`;
}
