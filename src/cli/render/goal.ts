import {
  type BudgetLimits,
  type BudgetView,
  briefPlannerWhy,
  type CreatedGoal,
  type ExecuteResult,
  formatDuration,
  type GoalRecord,
  type LifecycleResult,
  type ShowView,
  type StatusView,
  sliceTally,
  type Task,
} from '../../runtime/app/index.js';
import { clip, gapText, gateOutcomeLabel } from '../../runtime/app/render.js';
import { CLI_STEPS } from '../wording.js';

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '(none)');

function limitsText(limits: BudgetLimits): string {
  const parts = [
    `time ${limits.timeMs === null ? 'unlimited' : formatDuration(limits.timeMs)}`,
    `tokens ${limits.tokens ?? 'unlimited'}`,
    `usd ${limits.usd === null ? 'unlimited' : `$${limits.usd}`}`,
  ];
  return parts.join(', ');
}

function taskLine(task: Task): string {
  const after = task.dependsOn.length > 0 ? `  after ${task.dependsOn.join(', ')}` : '';
  return `  ${task.id} [${task.status}, ${task.risk} risk]  writes ${task.writes.join(' ')}${after}\n`;
}

export function renderCreated(created: CreatedGoal, dir: string): string {
  const { goal, graph, proof } = created;
  let out = `goal ${goal.id}\n`;
  out += `  ${goal.goal.normalized}\n`;
  out += goal.oracle.testable
    ? `oracle: ${goal.oracle.class} (${goal.oracle.shape}); required gates: ${goal.oracle.requiredGates.join(', ')}\n`
    : 'oracle: not testable\n';
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
    for (const gap of proof.knownGaps) out += `  - ${gap.code}: ${gapText(gap, CLI_STEPS)}\n`;
  }
  out += `state: ${dir}\n`;
  out += `next: omk goal proof ${goal.id}   omk goal show ${goal.id}   omk goal replay ${goal.id}\n`;
  return out;
}

/** How much of a goal's text `goal list` shows on its line. */
const GOAL_LIST_CHARS = 60;

export function renderList(goals: readonly GoalRecord[]): string {
  if (goals.length === 0) return 'no goals yet. Start one with: omk goal run "fix the failing tests"\n';
  return goals
    .map(
      (goal) =>
        `${goal.id}  ${goal.status.padEnd(16)} ${goal.createdAt}  ${clip(goal.goal.normalized, GOAL_LIST_CHARS)}\n`,
    )
    .join('');
}

export function renderStatus(view: StatusView): string {
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
  out += `gaps    ${proof.knownGaps.length}${proof.knownGaps.length > 0 ? `  (omk goal proof ${goal.id})` : ''}\n`;
  out += `budget  ${limitsText(goal.budget)}\n`;
  out += `events  ${view.lastEventSeq}   updated ${goal.updatedAt}\n`;
  if (goal.controller) {
    out += `worker  pid ${goal.controller.pid} on ${goal.controller.host} (${view.controllerAlive ? 'alive' : 'gone'})\n`;
  }
  return out;
}

export function renderShow(view: ShowView): string {
  const { goal, graph, paths } = view;
  let out = renderStatusHeader(goal);
  out += `options: policy ${goal.options.policy}, merge ${goal.options.mergePolicy}, slices in ${goal.options.sliceExecution}, max agents ${goal.options.maxAgents}${goal.options.untilReady ? ', until ready' : ''}\n`;
  out += `budget: ${limitsText(goal.budget)}\n`;
  out += `task graph (${graph.planner.name} planner): ${graph.tasks.length} task(s)\n`;
  for (const task of graph.tasks) out += taskLine(task);
  for (const rejection of graph.rejected)
    out += `  rejected ${rejection.taskId} (${rejection.code}): ${rejection.reason}\n`;
  out += `documents:\n  ${paths.prd}\n  ${paths.technicalPlan}\n  ${paths.testSpec}\n  ${paths.taskGraph}\n`;
  return out;
}

function renderStatusHeader(goal: GoalRecord): string {
  return `goal ${goal.id} [${goal.status}]\n  ${goal.goal.normalized}\ncreated ${goal.createdAt}, base ${goal.repo.baseRef ?? 'detached'} ${short(goal.repo.baseSha)}\n`;
}

export function renderBudget(view: BudgetView): string {
  const left = view.remaining;
  let out = `budget of ${view.goalId}\n`;
  out += `  limits     ${limitsText(view.limits)}\n`;
  out += `  spent      time ${formatDuration(view.spent.timeMs)}, tokens ${view.spent.tokens}, usd $${view.spent.usd}\n`;
  out += `  remaining  ${limitsText(left)}\n`;
  out += 'checkpoints:\n';
  for (const checkpoint of view.checkpoints) {
    out += `  #${checkpoint.seq} ${checkpoint.ts} ${checkpoint.kind.padEnd(5)} ${limitsText(checkpoint.limits)}  ${checkpoint.note}\n`;
  }
  return out;
}

export function renderTransition(result: LifecycleResult): string {
  return `goal ${result.goal.id}: ${result.previous} -> ${result.goal.status} (proof ${result.proof.status})\n`;
}

export function renderExecuted(result: ExecuteResult, dir: string): string {
  const { goal, proof } = result;
  let out = `\ngoal ${goal.id}: ${goal.status}   proof ${proof.status.toUpperCase()}\n`;
  if (result.stoppedBy)
    out += `stopped by ${result.stoppedBy}; continue with: ${CLI_STEPS({ step: 'resume', goalId: goal.id })}\n`;
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
  for (const gap of proof.knownGaps) out += `gap ${gap.code}: ${gapText(gap, CLI_STEPS)}\n`;
  out += `artifacts: ${dir}\n`;
  out += `inspect: omk goal proof ${goal.id}   omk goal replay ${goal.id}   omk goal show ${goal.id}\n`;
  return out;
}
