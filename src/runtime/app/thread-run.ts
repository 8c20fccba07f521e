import type { RepoAgentSetting } from '../config/repo-settings.js';
import type { MergeMethod } from '../forge/port.js';
import type { CreateGoalRequest } from '../requests.js';
import { type PreparedAgent, prepareAgent } from './agent.js';
import { executeAndDeliver } from './execute.js';
import type { ReviewReplies } from './fix.js';
import { notStartedNote, type ResumeFollowUp } from './goal-steps.js';
import { repoPlanningAgent, repoRunAgent } from './repo-agent.js';
import { derivedGoalId, planSharedGoal, type ThreadOrigin } from './shared-goal.js';
import { onSharedGoal, type ThreadCheckout, type ThreadHost, type ThreadNote } from './thread-host.js';
import { executeStepPlan } from './thread-job.js';
import { untrustedAgentHere } from './thread-trust.js';

/** A thread's host that starts goals: dispatches a workflow, or queues a run in this process. */
export interface ThreadRunHost<W extends ThreadCheckout = ThreadCheckout> extends ThreadHost<W> {
  /** Dispatches the repository's workflow to execute the goal. */
  dispatch(goalId: string): Promise<void>;
  /** Queues a run in this process under `key`; 'full' when the queue is. */
  queueRun(key: string, run: () => Promise<void>): 'queued' | 'full';
}

/** How a run here executes a goal: its agent, merge method, PR base and where review fixes are answered. */
export interface ThreadRunOptions {
  /** The repository's agent (`.github/omk.yml`), else the operator's. */
  agent: RepoAgentSetting | undefined;
  method: () => Promise<MergeMethod>;
  fallbackBase: string;
  /** A review fix a resumed run ends is answered in its threads, as its first run would have. */
  replies: ReviewReplies;
}

/** A goal started from a thread's comment. */
export interface ThreadStartRequest extends ThreadRunOptions {
  /** `repo` is replaced with the checkout's path. */
  create: CreateGoalRequest;
  origin: ThreadOrigin;
}

/** Taken (planned and dispatched or queued, or refused on its status), already taken (a redelivery), or the queue is full. */
export type ThreadStart = 'taken' | 'already_taken' | 'busy';

/**
 * `/omk goal run`: where goals do not execute here, the goal is created and planned here under its
 * lock, then the workflow executes it; else the whole run happens in this process, queued. Its id
 * is derived from the comment, and the status already shown says whether it was taken, so a
 * redelivery or a restart starts nothing twice.
 */
export async function startOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  request: ThreadStartRequest,
): Promise<ThreadStart> {
  const goalId = derivedGoalId(request.create);
  const startedBy = request.origin.login;
  if (!host.executesHere) {
    return host.lock(goalId, async (): Promise<ThreadStart> => {
      if ((await host.shownPhase(goalId)) === 'dispatched') return 'already_taken';
      await host.show(null, goalId, 'planning', [], { startedBy });
      await host.checkout('full', async (ws) => {
        if (!(await planHere(host, ws, request, goalId))) return;
        await host.dispatch(goalId);
        await host.show(ws.store, goalId, 'dispatched');
      });
      return 'taken';
    });
  }
  const known = await host.shownPhase(goalId);
  if (known !== null && known !== 'queued') return 'already_taken';
  await host.show(null, goalId, 'queued', [], { startedBy });
  const run = () =>
    host.checkout('full', async (ws) => {
      const planned = await planHere(host, ws, request, goalId);
      if (planned !== null) await executeHere(host, ws, goalId, request, planned.prepared);
    });
  return host.queueRun(`run:${goalId}`, run) === 'full' ? 'busy' : 'taken';
}

/** A goal planned here and free to start; where it executes here, with the agent its run starts. */
interface PlannedHere {
  prepared: PreparedAgent | undefined;
}

/**
 * Creates and plans the goal once in this checkout (one already on the state branch is reused)
 * and pushes it; null, with the reason on its status, when it may not start: an agent the host
 * does not trust, an agent the run may not start here, or a goal already past planning.
 */
async function planHere<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  ws: W,
  request: ThreadStartRequest,
  goalId: string,
): Promise<PlannedHere | null> {
  const found = await untrustedAgentHere(host, ws, 'start', request.agent);
  if (found !== null) {
    await host.show(null, goalId, 'settled', [{ code: 'untrusted_agent', step: 'start', found }]);
    return null;
  }
  const agent = host.executesHere ? repoPlanningAgent(request.agent, host.operatorAgent) : undefined;
  // Where it executes here, a new goal's run agent is asked first (a goal the state branch has
  // already is not started again, or its run asks).
  let prepared: PreparedAgent | undefined;
  const prepare = async () => {
    prepared = await prepareRunHere(host, ws, request, goalId, agent);
  };
  const plan = () =>
    planSharedGoal(
      host.app(ws),
      ws.remote,
      { ...request.create, repo: ws.repoRoot, agent },
      request.origin,
      host.executesHere ? prepare : undefined,
    );
  // Where the workflow executes it, the caller holds the goal's lock already.
  const { goal, startable } = host.executesHere ? await host.lock(goalId, plan) : await plan();
  const refused = notStartedNote(goal, startable, !host.executesHere);
  if (refused === null) return { prepared };
  await host.show(ws.store, goalId, 'settled', [refused]);
  return null;
}

/**
 * The agent a run here starts, asked as the CLI's start asks it: before a new goal is planned or
 * saved, so an agent the host may not start (sandbox: auto where it cannot confine, a preset
 * without credentials, none named) leaves no goal on the state branch that a resume would only
 * refuse again. The refusal is shown on the goal's status, then thrown for the host's log, as a
 * run's failure is. Where the workflow executes the goal, its own step asks this.
 */
async function prepareRunHere<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  ws: W,
  request: ThreadStartRequest,
  goalId: string,
  planning: string | undefined,
): Promise<PreparedAgent> {
  try {
    const choice = await repoRunAgent(ws.repoRoot, request.agent, host.operatorAgent);
    return await prepareAgent(host.app(ws), ws.repoRoot, choice, planning ?? null);
  } catch (error) {
    await host.show(null, goalId, 'settled', [{ code: 'failed', error }]);
    throw error;
  }
}

/**
 * Pulls the goal, executes, then delivers and (under a gated merge policy) merges, by the goal's
 * policies: the same runtime steps as `omk goal run`. Pause and cancel from a comment reach the
 * controller through the store registered in the host's runs. The state is pushed whatever
 * happened, under the goal's lock: a pause or cancel applied to the run's store is either in this
 * push or, once the goal is no longer running here, applied to what it pushed. The status shows
 * what came of it; a failure is thrown after that.
 */
async function executeHere<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  ws: W,
  goalId: string,
  options: ThreadRunOptions,
  prepared?: PreparedAgent,
): Promise<void> {
  const notes: ThreadNote[] = [];
  let failure: unknown = null;
  const step = await onSharedGoal(
    host,
    goalId,
    executeStepPlan(goalId),
    async () => {
      host.runs.set(goalId, { store: ws.store });
      const live = host.follow(goalId, ws.store);
      try {
        await host.show(ws.store, goalId, 'running');
        const outcome = await executeAndDeliver(host.app(ws), {
          goalId,
          method: await options.method(),
          ...(prepared === undefined
            ? { agent: await repoRunAgent(ws.repoRoot, options.agent, host.operatorAgent) }
            : { prepared }),
          ...(host.shutdown === undefined ? {} : { signal: host.shutdown }),
          after: 'deliver',
          fallbackBase: options.fallbackBase,
          replies: options.replies,
        });
        notes.push(...outcome.notes);
      } catch (error) {
        failure = error;
        notes.push({ code: 'failed', error });
      } finally {
        await live.stop();
      }
    },
    ws,
  );
  if (step.kind === 'not_shared') notes.push({ code: 'not_shared', goalId });
  await host.show(ws.store, goalId, 'settled', notes);
  if (failure !== null) throw failure;
}

/** Resumes a goal in this process: its branches come from the repository, its state from the branch. */
export function resumeOnThread<W extends ThreadCheckout>(
  host: ThreadHost<W>,
  goalId: string,
  options: ThreadRunOptions,
): Promise<void> {
  return host.checkout('full', (ws) => executeHere(host, ws, goalId, options));
}

/** What was done to continue a resumed goal: the workflow dispatched, a run queued here, the queue full, or nothing. */
export type ThreadContinuation = 'dispatched' | 'continuing' | 'busy' | 'none';

/** After a resume on the state branch, a goal with work left continues where the host runs goals. */
export async function continueOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  goalId: string,
  followUp: ResumeFollowUp,
  options: ThreadRunOptions,
): Promise<ThreadContinuation> {
  if (followUp === 'dispatch') {
    await host.dispatch(goalId);
    return 'dispatched';
  }
  if (followUp === 'none') return 'none';
  return host.queueRun(`run:${goalId}`, () => resumeOnThread(host, goalId, options)) === 'full'
    ? 'busy'
    : 'continuing';
}
