// A goal's results as terminal text: what `omk goal run|plan|status|show|budget|…` and `omk hud`
// print. Pure functions of the use cases' results; where a line points to a command, the host's
// spelling is passed in (`StepSpelling`, `inspect`), so the runtime spells no command of its own.
import type { BudgetView } from '../budget/ops.js';
import type { BudgetCheckpoint, BudgetSpent } from '../budget/schema.js';
import type { ExecuteResult } from '../controller/execute.js';
import type { DeliverResult } from '../delivery/deliver.js';
import { keptBranchReason, keptBranchText } from '../delivery/kept-local.js';
import type { MergeGoalResult } from '../delivery/merge.js';
import { mergeRemedies } from '../delivery/merge-remedies.js';
import type { LifecycleResult } from '../goal/actions.js';
import { briefPlannerWhy, type CreatedGoal } from '../goal/create.js';
import type { PlannedGates } from '../goal/gate-plan.js';
import type { ShowView, StatusView } from '../goal/queries.js';
import { otherRepository } from '../goal/repo-scope.js';
import type { BudgetLimits, GoalRecord } from '../goal/schema.js';
import type { Task } from '../graph/schema.js';
import { type StepSpelling, wordHint } from '../next-steps.js';
import { gapText } from '../proof/gaps.js';
import { gateOutcomeLabel } from '../proof/render-text.js';
import { requiredGatesNamed } from '../proof/required-gates.js';
import type { Proof } from '../proof/schema.js';
import { budgetUsd, tokenCount } from '../text/amounts.js';
import { clip } from '../text/clip.js';
import { formatDuration } from '../text/duration.js';
import type { CleanOutcome } from './clean.js';
import type { FixOutcome } from './fix.js';
import type { GoalList } from './goal-ref.js';
import type { HudSnapshot } from './hud.js';
import { withheldText } from './notes.js';
import { sliceTally } from './reports.js';

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '(none)');

function limitsText(limits: BudgetLimits): string {
  const parts = [
    `time ${limits.timeMs === null ? 'unlimited' : formatDuration(limits.timeMs)}`,
    `tokens ${limits.tokens === null ? 'unlimited' : tokenCount(limits.tokens)}`,
    `usd ${limits.usd === null ? 'unlimited' : budgetUsd(limits.usd)}`,
  ];
  return parts.join(', ');
}

function taskLine(task: Task): string {
  const after = task.dependsOn.length > 0 ? `  after ${task.dependsOn.join(', ')}` : '';
  return `  ${task.id} [${task.status}, ${task.risk} risk]  writes ${task.writes.join(' ')}${after}\n`;
}

/** What a plan will check: the gates that will run, the kinds absent, a required test gate missing. */
function plannedGatesText(gates: PlannedGates, required: readonly string[]): string {
  const run = gates.run.map(
    (gate) => `${gate.name} (${gate.argv.join(' ')})${gate.required ? '' : ' [optional]'}`,
  );
  let out = `gates that will run: ${run.length > 0 ? run.join(', ') : 'none'}\n`;
  if (gates.absent.length > 0) {
    out += `absent, so not required: ${gates.absent.join(', ')} (this project has no such gate; configure one in .omk/config.yml to check it)\n`;
  }
  const missing = required.filter((kind) => kind === 'test' && !gates.run.some((gate) => gate.kind === kind));
  for (const kind of missing) {
    out += `missing: no ${kind} gate found, and the proof cannot be ready without one: configure it in .omk/config.yml\n`;
  }
  return out;
}

/** A new goal: its oracle, plan (or the decisions a human must make) and known gaps. */
export function renderCreatedText(created: CreatedGoal, steps: StepSpelling): string {
  const { goal, graph, proof } = created;
  let out = `goal ${goal.id}\n`;
  out += `  ${goal.goal.normalized}\n`;
  out += goal.oracle.testable
    ? `oracle: ${goal.oracle.class} (${goal.oracle.shape}); required gates: ${requiredGatesNamed(proof, (name) => name).join(', ')}\n`
    : 'oracle: not testable\n';
  if (goal.oracle.testable && created.gates !== null)
    out += plannedGatesText(created.gates, goal.oracle.requiredGates);
  out += `status: ${goal.status}   proof: ${proof.status}\n`;
  if (!goal.oracle.testable) {
    out += 'a human must decide:\n';
    for (const question of goal.oracle.humanDecisions) out += `  - ${question}\n`;
  } else {
    const why = created.plannerWhy === null ? '' : `: ${briefPlannerWhy(created.plannerWhy)}`;
    out += `plan: ${graph.tasks.length} slice(s), ${graph.rejected.length} rejected (${graph.planner.name} planner${why})\n`;
    for (const task of graph.tasks) out += taskLine(task);
    for (const rejection of graph.rejected) out += `  rejected ${rejection.taskId}: ${rejection.reason}\n`;
  }
  if (proof.knownGaps.length > 0) {
    out += `known gaps (${proof.knownGaps.length}):\n`;
    for (const gap of proof.knownGaps) out += `  - ${gap.code}: ${gapText(gap, steps)}\n`;
  }
  return out;
}

/** How much of a goal's text `goal list` shows on its line. */
const GOAL_LIST_CHARS = 60;

/**
 * One line per goal, newest first as given; a goal of another repository than the one the list
 * was asked in ends with where it is. An empty list is the host's to word.
 */
export function renderListText(list: GoalList): string {
  return list.goals
    .map((goal) => {
      const other = otherRepository(goal, list.scope);
      const where = other === null ? '' : `  (in ${other})`;
      return `${goal.id}  ${goal.status.padEnd(16)} ${goal.createdAt}  ${clip(goal.goal.normalized, GOAL_LIST_CHARS)}${where}\n`;
    })
    .join('');
}

/** A goal's status; `inspect` spells the command that shows its proof (named beside its gaps). */
export function renderStatusText(view: StatusView, inspect: (goalId: string) => string): string {
  const { goal } = view;
  const proof = view.proof.proof;
  // The live task graph, not the proof: during a run the proof is the one built when it started.
  const { done, total, others } = sliceTally(view.slices);
  const rest = others.map(({ status, count }) => `${count} ${status}`);
  let out = `goal    ${goal.id}\n`;
  out += `text    ${goal.goal.normalized}\n`;
  out += `status  ${goal.status}   proof ${proof.status}${view.proof.digestValid ? '' : ' (EDITED: digest mismatch)'}\n`;
  out += `class   ${goal.oracle.class ?? 'none'}${goal.oracle.shape ? ` (${goal.oracle.shape})` : ''}\n`;
  out += `repo    ${goal.repo.root} @ ${goal.repo.baseRef ?? 'detached'} ${short(goal.repo.baseSha)}\n`;
  out += `slices  ${done}/${total} done${rest.length > 0 ? ` (${rest.join(', ')})` : ''}\n`;
  for (const fix of view.fixes) {
    out += `fix     ${fix.id} for PR #${fix.pr}: ${fix.status}${fix.attempts > 0 ? `, attempt ${fix.attempts}` : ''}\n`;
  }
  out += `gaps    ${proof.knownGaps.length}${proof.knownGaps.length > 0 ? `  (${inspect(goal.id)})` : ''}\n`;
  out += endedText(goal, proof);
  for (const kept of view.kept) out += `kept    ${kept.branch}, not pushed: ${keptBranchReason(kept)}\n`;
  out += `budget  ${limitsText(goal.budget)}\n`;
  out += `events  ${view.lastEventSeq}   updated ${goal.updatedAt}\n`;
  if (goal.controller) {
    out += `worker  pid ${goal.controller.pid} on ${goal.controller.host} (${view.controllerAlive ? 'alive' : 'gone'})\n`;
  }
  return out;
}

/**
 * How a cancelled or rejected goal ended: when, by whom, why, and what was delivered before (what its
 * stopped delivery left, when one was stopped); a goal paused during its delivery: what that left.
 */
function endedText(goal: GoalRecord, proof: Proof): string {
  const record =
    goal.status === 'cancelled'
      ? proof.delivery.cancellation
      : goal.status === 'rejected'
        ? proof.delivery.rejection
        : null;
  const stop = proof.delivery.withheld;
  const stoppedNow = stop !== undefined && stop.status === goal.status;
  if (goal.status === 'paused' && stoppedNow)
    return `paused  during its delivery at ${stop.at}: ${withheldText(stop)}\n`;
  if (record === null || record === undefined) return '';
  const by = record.by === undefined ? '' : ` by ${record.by}`;
  const why = record.text === '' ? '' : ` (${record.text})`;
  const pulls = proof.delivery.pullRequests.length;
  const delivered = stoppedNow
    ? withheldText(stop)
    : pulls === 0
      ? `nothing delivered (policy ${goal.options.policy})`
      : `${pulls} pull request${pulls === 1 ? '' : 's'} opened before`;
  return `ended   ${goal.status} at ${record.at}${by}${why}: ${delivered}\n`;
}

/** A goal's record, options, task graph and documents. */
export function renderShowText(view: ShowView): string {
  const { goal, graph, paths } = view;
  let out = `goal ${goal.id} [${goal.status}]\n  ${goal.goal.normalized}\ncreated ${goal.createdAt}, base ${goal.repo.baseRef ?? 'detached'} ${short(goal.repo.baseSha)}\n`;
  out += `options: policy ${goal.options.policy}, merge ${goal.options.mergePolicy}, slices in ${goal.options.sliceExecution}, max agents ${goal.options.maxAgents}${goal.options.untilReady ? ', until ready' : ''}\n`;
  out += `budget: ${limitsText(goal.budget)}\n`;
  out += `task graph (${graph.planner.name} planner): ${graph.tasks.length} task(s)\n`;
  for (const task of graph.tasks) out += taskLine(task);
  for (const rejection of graph.rejected)
    out += `  rejected ${rejection.taskId} (${rejection.code}): ${rejection.reason}\n`;
  out += `documents:\n  ${paths.prd}\n  ${paths.technicalPlan}\n  ${paths.testSpec}\n  ${paths.taskGraph}\n`;
  return out;
}

/** What was spent, as the budget lines show it. */
function spentText(spent: BudgetSpent): string {
  return `time ${formatDuration(spent.timeMs)}, tokens ${tokenCount(spent.tokens)}, usd ${budgetUsd(spent.usd)}`;
}

/**
 * One line of budget.jsonl as a reader follows the budget: limits set or raised, and what each
 * spend added (a checkpoint records the total so far; the line shows the step from the one before).
 */
function checkpointText(checkpoint: BudgetCheckpoint, before: BudgetSpent): string {
  const { kind, note } = checkpoint;
  if (kind === 'set') return `limits set to ${limitsText(checkpoint.limits)} (${note})`;
  if (kind === 'add') return `limits raised to ${limitsText(checkpoint.limits)} (${note})`;
  if (kind === 'check') return `checked: ${note}`;
  const step = {
    timeMs: Math.max(0, checkpoint.spent.timeMs - before.timeMs),
    tokens: Math.max(0, checkpoint.spent.tokens - before.tokens),
    usd: Math.max(0, Math.round((checkpoint.spent.usd - before.usd) * 1e6) / 1e6),
  };
  return `spent ${spentText(step)} on ${note}`;
}

/** A goal's budget: limits, what was spent, what remains, and each checkpoint. */
export function renderBudgetText(view: BudgetView): string {
  let out = `budget of ${view.goalId}\n`;
  out += `  limits     ${limitsText(view.limits)}\n`;
  out += `  spent      ${spentText(view.spent)}\n`;
  out += `  remaining  ${limitsText(view.remaining)}\n`;
  out += 'checkpoints:\n';
  let before: BudgetSpent = { timeMs: 0, tokens: 0, usd: 0 };
  for (const checkpoint of view.checkpoints) {
    out += `  #${checkpoint.seq} ${checkpoint.ts}  ${checkpointText(checkpoint, before)}\n`;
    before = checkpoint.spent;
  }
  return out;
}

/** What `clean` removed, a goal a line; why its branches stay when the goal is not done yet. */
export function renderCleanedText(outcomes: readonly CleanOutcome[]): string {
  const line = ({ goalId, worktrees, branches, branchesKept }: CleanOutcome) =>
    `${goalId}: removed ${worktrees.length} worktree(s), ${branches.length} branch(es)${branchesKept ? ' (branches kept until it is merged, cancelled or rejected)' : ''}\n`;
  return outcomes.map(line).join('') || 'no goals\n';
}

/**
 * A lifecycle change; a cancelled or rejected goal's proof is no longer a promise of delivery. An
 * acceptance recorded here reaches the goal's PRs only when they are delivered again: with
 * `steps`, the line says so and how, and that the gated merge takes it.
 */
export function renderTransitionText(result: LifecycleResult, steps?: StepSpelling): string {
  const { status, id } = result.goal;
  const stopped = status === 'cancelled' || status === 'rejected';
  const proof = stopped
    ? `proof ${result.proof.status}; a ${status} goal is never delivered or merged`
    : `proof ${result.proof.status}`;
  const line = `goal ${id}: ${result.previous} -> ${status} (${proof})\n`;
  if (steps === undefined || status !== 'accepted' || result.proof.delivery.pullRequests.length === 0) {
    return line;
  }
  return (
    line +
    `its PRs still show the proof from before the acceptance: ${steps({ step: 'open_pr', goalId: id })} ` +
    `shows it there; ${steps({ step: 'merge', goalId: id })} merges it\n`
  );
}

/** What `resume --auto` resumed, a goal a line, or that it found none. */
export function renderResumedText(results: readonly LifecycleResult[]): string {
  return results.map((result) => renderTransitionText(result)).join('') || 'no interrupted goals to resume\n';
}

/** What an execution came to: status, what stopped it, slices, gates, failures and gaps. */
export function renderExecutedText(result: ExecuteResult, steps: StepSpelling): string {
  const { goal, proof } = result;
  let out = `\ngoal ${goal.id}: ${goal.status}   proof ${proof.status.toUpperCase()}\n`;
  if (result.stoppedBy)
    out += `stopped by ${result.stoppedBy}; continue with: ${steps({ step: 'resume', goalId: goal.id })}\n`;
  out += 'slices:\n';
  for (const slice of proof.slices) {
    const files = slice.changedFiles.length;
    out += `  ${slice.status.padEnd(8)} ${slice.id}  ${slice.attempts} attempt(s), ${files} file(s)${slice.branch ? `  ${slice.branch}` : ''}\n`;
  }
  if (proof.gates.length > 0) {
    out += `gates on the integrated tree ${short(proof.git.headSha)}:\n`;
    for (const gate of proof.gates) {
      out += `  ${gateOutcomeLabel(gate).padEnd(12)} ${gate.name}${gate.required ? '' : ' (optional)'}  ${gate.durationMs} ms\n`;
    }
  }
  for (const failure of proof.failures) out += `failure ${failure.code}: ${failure.message}\n`;
  for (const gap of proof.knownGaps) out += `gap ${gap.code}: ${gapText(gap, steps)}\n`;
  return out;
}

/** `omk hud`'s snapshot: each active goal's task counts, controller, fixes, agents and last event. */
export function renderHudText(snapshot: HudSnapshot): string {
  if (snapshot.goals.length === 0) return `${snapshot.at}  no goal is running, paused or interrupted\n`;
  let out = `${snapshot.at}\n`;
  for (const goal of snapshot.goals) {
    const counts = Object.entries(goal.tasks)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    const controller = goal.controller
      ? `controller pid ${goal.controller.pid} on ${goal.controller.host}${goal.controller.alive ? '' : ' (not alive)'}`
      : 'no controller';
    out += `goal ${goal.id} [${goal.status}]  ${goal.goal}\n`;
    out += `  tasks: ${counts || 'none'}; ${controller}\n`;
    for (const fix of goal.fixes) {
      out += `  fix ${fix.id} for PR #${fix.pr}: ${fix.status}${fix.attempts > 0 ? `, attempt ${fix.attempts}` : ''}\n`;
    }
    for (const worker of goal.workers) {
      const elapsed = worker.elapsedMs === null ? '' : `, ${formatDuration(worker.elapsedMs)}`;
      out += `  agent ${worker.slice}: pid ${worker.pid} on ${worker.host}, attempt ${worker.attempt}${elapsed}\n`;
    }
    if (goal.lastEvent)
      out += `  last event #${goal.lastEvent.seq} ${goal.lastEvent.type} at ${goal.lastEvent.ts}\n`;
  }
  return out;
}

/** PRs opened or updated, one line each, then the slices skipped and the branches kept local, and why. */
export function renderDeliveredText(result: DeliverResult): string {
  let out = '';
  for (const pull of result.delivered)
    out += `${pull.sliceId ?? 'integrator'}: #${pull.number} ${pull.url}\n`;
  for (const skip of result.plan.skipped) out += `skipped ${skip.sliceId}: ${skip.reason}\n`;
  for (const kept of result.plan.kept) out += `${keptBranchText(kept)}\n`;
  const { stopped } = result;
  if (stopped !== null) {
    const stay = result.delivered.length === 0 ? '' : ' (the PRs above stay open)';
    out += `stopped: the goal was ${stopped.status} during its delivery; ${withheldPulls(result, stopped.withheld)}${stay}\n`;
  }
  return out;
}

/**
 * The PRs a stopped delivery did not reach: those an earlier delivery opened were not updated (they
 * stay open as they were, their numbers from the proof), the others were not opened.
 */
function withheldPulls(result: Pick<DeliverResult, 'proof'>, withheld: readonly string[]): string {
  const existing = new Map(
    result.proof.delivery.pullRequests.map((pull) => [pull.sliceId ?? 'integrator', pull.number]),
  );
  const parts: string[] = [];
  const updated = withheld.filter((name) => existing.has(name));
  if (updated.length > 0)
    parts.push(`not updated: ${updated.map((name) => `${name} #${existing.get(name)}`).join(', ')}`);
  const opened = withheld.filter((name) => !existing.has(name));
  if (opened.length > 0) parts.push(`not opened: ${opened.join(', ')}`);
  return parts.join('; ');
}

/**
 * A merge of `goalId`: the PR and its merge commit (an earlier merge recovered), or what blocks it,
 * why, and what to do, its commands spelled by `steps` (the front door's).
 */
export function renderMergeText(result: MergeGoalResult, goalId: string, steps: StepSpelling): string {
  if (result.merged && result.recovered)
    return `merged PR #${result.pr} as ${result.sha} (an earlier merge landed; recorded now)\n`;
  if (result.merged) return `merged PR #${result.pr} as ${result.sha}\n`;
  const reasons = result.reasons.map((reason) => `  - ${reason.blocker}: ${reason.detail}\n`);
  const remedies = mergeRemedies(
    result.reasons.map((reason) => reason.blocker),
    goalId,
  );
  const todo = remedies.map(({ blocker, remedy }) => `  - ${blocker}: ${wordHint(remedy, steps)}\n`).join('');
  return `not merged: PR #${result.pr} is blocked by ${result.blockedBy}\n${reasons.join('')}${
    todo === '' ? '' : `what to do:\n${todo}`
  }`;
}

/** A fix asked on a PR: applied or failed, its commit (or no change), the proof's status after it. */
export function renderFixText(
  outcome: Exclude<FixOutcome, { kind: 'already_handled' }>,
  steps: StepSpelling,
): string {
  const sha = outcome.report.headSha === null ? 'no change' : `fix ${outcome.report.headSha.slice(0, 12)}`;
  let out = `PR #${outcome.pr}: ${outcome.kind} (${sha}); proof ${outcome.proofStatus}\n`;
  // What keeps the proof from ready after the fix (a conflict it made, with its files), as
  // `goal status` words it, next steps included.
  for (const gap of outcome.knownGaps) out += `gap ${gap.code}: ${gapText(gap, steps)}\n`;
  return out;
}
