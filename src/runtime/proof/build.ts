import { unavailableAdvice, unavailableTool, unavailableWhy } from '../gates/availability.js';
import type { ProofStatus } from '../goal/schema.js';
import { allowedWorkflowChanges, WORKFLOW_EDITED } from '../review/security.js';
import { sandboxWarnings, unconfinedAgents } from '../sandbox/decide.js';
import { computeProofDigest } from './digest.js';
import type { ExecutionState, ProofEvidence } from './evidence.js';
import { budgetHonesty, classEvidenceGaps, copyGap, PLAN_EMPTY_GAP } from './gaps.js';
import { preExistingBasis } from './pre-existing.js';
import type { Gap, GateEvidence, PlannedGateEvidence, Proof, ProofFinding } from './schema.js';

type Failure = Proof['failures'][number];

/** What the gates say: gaps block readiness, failures are genuine failures of the work. */
interface GateVerdict {
  gaps: Gap[];
  failures: Failure[];
  warnings: string[];
}

const EXECUTION_GAPS: Record<Exclude<ExecutionState, 'complete'>, Gap> = {
  not_started: { code: 'not_executed', message: 'The goal has not been executed yet: there is no evidence.' },
  in_progress: {
    code: 'execution_in_progress',
    message: 'Execution is still in progress: the evidence is partial.',
  },
  interrupted: {
    code: 'execution_interrupted',
    message: 'Execution was interrupted before it finished: resume the goal to complete the evidence.',
  },
  budget_exhausted: {
    code: 'budget_exhausted',
    message: 'The budget ran out before execution finished: raise the budget and resume the goal.',
  },
};

/** Where a blocking finding's gap says it was found: a reader of the gaps alone needs the slice. */
function foundIn(slice: string | null | undefined): string {
  if (slice === undefined) return '';
  return slice === null ? ' on the integrated tree' : ` in slice ${slice}`;
}

/** A gate definition a goal meant to change: a person reviews it (review/gate-definitions.ts). */
export const GATE_DEFINITION_GAP = 'gate_definition_edited';

/**
 * A change to the CI workflows (or local actions) the goal was created to make: a person reads it
 * before any branch holding it is pushed (review/security.ts, delivery/kept-local.ts). The gap's
 * code is its findings' code.
 */
export const WORKFLOW_EDITED_GAP = WORKFLOW_EDITED;

/** Whether a proof waits on a person's reading of a workflow change the goal was created to make. */
export function awaitsWorkflowAcceptance(proof: Pick<Proof, 'knownGaps'>): boolean {
  return proof.knownGaps.some((gap) => gap.code === WORKFLOW_EDITED_GAP);
}

/** Agents other than omk's own demo agent ran unconfined because the host could not confine them. */
export const AGENTS_UNCONFINED_GAP = 'agents_unconfined';

/**
 * Gaps only a person can close (no agent can install a tool, nor vouch for a test command it
 * wrote, nor for what it did outside its worktree unconfined): the proof is blocked_on_human.
 */
export const HUMAN_ACTION_GAPS: readonly string[] = [
  'gate_unavailable',
  PLAN_EMPTY_GAP,
  GATE_DEFINITION_GAP,
  WORKFLOW_EDITED_GAP,
  AGENTS_UNCONFINED_GAP,
];

/**
 * Pure: derives status, knownGaps, warnings and digest from evidence only. User arrays are copied
 * in their given order; gaps follow a fixed order (human decisions, what stopped the run for a
 * person (extraGaps of a human-action code), execution, git, gates in
 * requiredGates then first-seen order, the goal class's evidence, findings, slices, extraGaps,
 * budget) so equal evidence gives a
 * byte-identical proof.
 */
export function buildProof(evidence: ProofEvidence): Proof {
  const { oracle } = evidence;
  const verdict = assessGates(evidence);
  const budget = budgetHonesty(
    evidence.budget.limits,
    evidence.budget.spent,
    evidence.agentRuns,
    evidence.goalId,
  );
  // A gap only a person can close that stopped the run (a required gate's tool missing on the
  // base) is why the rest are missing: it comes first, not after the gaps it caused.
  const stoppedBy = evidence.extraGaps.filter((gap) => HUMAN_ACTION_GAPS.includes(gap.code));
  const knownGaps: Gap[] = [
    ...humanGaps(evidence),
    ...stoppedBy.map(copyGap),
    ...unconfinedGaps(evidence),
    ...(evidence.execution === 'complete' ? [] : [EXECUTION_GAPS[evidence.execution]]),
    ...gitGaps(evidence),
    ...verdict.gaps,
    ...classEvidenceGaps(evidence),
    ...evidence.findings.filter((finding) => finding.severity === 'blocking').map(blockingGap),
    ...evidence.findings
      .filter((finding) => finding.code === GATE_DEFINITION_GAP && finding.severity !== 'blocking')
      .map((finding) => gateDefinitionGap(finding, evidence.goalId)),
    ...workflowGaps(evidence.findings, evidence.goalId),
    ...evidence.slices
      .filter((slice) => slice.status !== 'done' && slice.status !== 'skipped')
      .map((slice) => {
        const failure = evidence.sliceFailures?.[slice.id];
        const why = failure?.replace(/[.:]$/, '');
        return {
          code: 'slice_incomplete',
          message: `Slice ${slice.id} "${slice.title}" ${incomplete(slice.status, why)}.`,
        };
      }),
    ...evidence.extraGaps.filter((gap) => !stoppedBy.includes(gap)).map(copyGap),
    ...budget.gaps,
  ];
  const failures = [...structuredClone([...evidence.failures]), ...verdict.failures];
  const status: ProofStatus =
    !oracle.testable || knownGaps.some((gap) => HUMAN_ACTION_GAPS.includes(gap.code))
      ? 'blocked_on_human'
      : failures.length > 0
        ? 'failed'
        : knownGaps.length > 0
          ? 'not_ready'
          : 'ready';
  const planned = plannedOnly(evidence);
  const body: Omit<Proof, 'digest'> = {
    version: 1,
    goalId: evidence.goalId,
    status,
    generatedAt: evidence.generatedAt,
    execution: evidence.execution,
    goal: { text: evidence.goalText, class: evidence.oracle.class },
    git: { ...evidence.git },
    requiredGates: [...oracle.requiredGates],
    requiredGateNames: requiredGateNames(evidence),
    ...(planned.length > 0 ? { plannedGates: structuredClone([...planned]) } : {}),
    gates: structuredClone([...evidence.gates]),
    slices: structuredClone([...evidence.slices]),
    changedFiles: structuredClone([...evidence.changedFiles]),
    agentRuns: structuredClone([...evidence.agentRuns]),
    findings: structuredClone([...evidence.findings]),
    decisions: structuredClone([...evidence.decisions]),
    budget: structuredClone(evidence.budget),
    knownGaps,
    failures,
    warnings: [...verdict.warnings, ...budget.warnings, ...sandboxWarnings(evidence.decisions)],
    humanDecisions: [...oracle.humanDecisions],
    // Copied, never inferred: only the controller knows whether a person accepted or merged.
    delivery: structuredClone(evidence.delivery),
    eventsThroughSeq: evidence.eventsThroughSeq,
  };
  return { ...body, digest: computeProofDigest(body) };
}

const pathsOf = (finding: ProofFinding) => (finding.paths.length > 0 ? ` (${finding.paths.join(', ')})` : '');

/**
 * A blocking finding's gap. One on a gate's definition says the way to change it on purpose: a
 * new goal that declares it, as no agent can declare it for the goal it runs in.
 */
function blockingGap(finding: ProofFinding): Gap {
  const gap = {
    code: 'blocking_finding',
    message: `Blocking ${finding.review} review finding${foundIn(finding.slice)}: ${finding.message}${pathsOf(finding)}`,
  };
  if (finding.code === WORKFLOW_EDITED_GAP) {
    return {
      ...gap,
      hint: [
        'If the goal means to change its CI workflows, start it again declaring so: ',
        { step: 'run_workflow_edits' },
        '.',
      ],
    };
  }
  if (finding.code !== GATE_DEFINITION_GAP) return gap;
  return {
    ...gap,
    hint: [
      'If the goal means to change how its tests run, start it again declaring so: ',
      { step: 'run_gate_edits' },
      '.',
    ],
  };
}

/** A gate definition the goal was created to change: the proof waits for a person's review. */
function gateDefinitionGap(finding: ProofFinding, goalId: string): Gap {
  return {
    code: GATE_DEFINITION_GAP,
    message: `A person must review a gate's new definition${foundIn(finding.slice)}: ${finding.message}${pathsOf(finding)}`,
    hint: [
      'Once a person has checked it, they accept the goal and merge it with ',
      { step: 'merge', goalId },
      '.',
    ],
  };
}

/**
 * The workflow changes the goal was created to make, one gap naming each changed file and where it
 * was found: nothing holding them is pushed (a push runs them in the repository's CI with its
 * token and secrets) until a person has read them and accepted the goal.
 */
function workflowGaps(findings: readonly ProofFinding[], goalId: string): Gap[] {
  const allowed = allowedWorkflowChanges(findings);
  if (allowed.length === 0) return [];
  const paths = [...new Set(allowed.flatMap((finding) => finding.paths))].sort();
  const where = [...new Set(allowed.map((finding) => foundIn(finding.slice).trim()).filter(Boolean))];
  const files = paths.length === 1 ? `${paths[0]}` : paths.join(', ');
  return [
    {
      code: WORKFLOW_EDITED_GAP,
      message:
        `A person must read the change to the CI workflows before it is pushed, as a push runs it in ` +
        `the repository's CI with its token and secrets: ${files}${where.length > 0 ? ` (${where.join(', ')})` : ''}.`,
      hint: [
        'Once a person has read it, they accept the goal with ',
        { step: 'accept', goalId },
        '; then ',
        { step: 'merge', goalId },
        ' pushes it, opens its PR and merges it (',
        { step: 'open_pr', goalId },
        ' pushes it and opens its PRs only).',
      ],
    },
  ];
}

/**
 * Agents ran unconfined because `sandbox: auto` fell back on a host that could not confine them:
 * what an agent writes outside its worktree (a tool's cache, a Python user site, the checkout) can
 * make a change look verified, and omk detects only some of it, so a person vouches for the change.
 * Not for the demo agent (omk's own code), nor for `off` (the user's declaration that the agents are
 * trusted, which the proof's note says).
 */
function unconfinedGaps({ decisions, agentRuns, goalId }: ProofEvidence): Gap[] {
  const agents = unconfinedAgents(decisions, agentRuns);
  if (agents.length === 0) return [];
  const one = agents.length === 1;
  const who = one ? `agent ${agents[0]}` : `agents ${agents.join(', ')}`;
  const [them, its] = one ? ['it', 'its'] : ['them', 'their'];
  return [
    {
      code: AGENTS_UNCONFINED_GAP,
      message: `The ${who} ran unconfined: the sandbox is auto and this host could not confine agents, so nothing kept ${them} from writing outside ${its} worktree (a tool's cache, the user's files, the checkout) to make the change look verified, which omk cannot fully detect.`,
      hint: [
        'Let omk confine the agents (on Linux, bubblewrap where it can create namespaces: the warning says what this host lacks) and run the goal again; or, once a person has read the change, they accept it with ',
        { step: 'accept', goalId },
        ' and merge it with ',
        { step: 'merge', goalId },
        '; or, to declare the agents trusted, turn the sandbox off: ',
        { step: 'run_sandbox_off' },
        '.',
      ],
    },
  ];
}

function humanGaps({ oracle }: ProofEvidence): Gap[] {
  if (oracle.testable) return [];
  if (oracle.humanDecisions.length === 0) {
    const why = oracle.reasons.length > 0 ? `: ${oracle.reasons.join('; ')}` : '.';
    return [{ code: 'not_testable', message: `The goal is not testable as written${why}` }];
  }
  return oracle.humanDecisions.map((decision) => ({
    code: 'human_decision',
    message: `A human must decide: ${decision}`,
  }));
}

function gitGaps({ git }: ProofEvidence): Gap[] {
  const missing = [git.baseSha === null ? 'base' : null, git.headSha === null ? 'head' : null].filter(
    (side) => side !== null,
  );
  if (missing.length === 0) return [];
  return [
    {
      code: 'missing_head',
      message: `The proof names no ${missing.join(' or ')} SHA, so no gate result can be tied to the final tree.`,
    },
  ];
}

/** The gates the plan will run while none has run: what the proof says will be required. */
function plannedOnly(evidence: ProofEvidence): readonly PlannedGateEvidence[] {
  return evidence.gates.length === 0 ? (evidence.plannedGates ?? []) : [];
}

/**
 * The names of the gates that ran and are required (isRequiredGate), each once, in running order;
 * before any ran, of the planned ones.
 */
function requiredGateNames(evidence: ProofEvidence): string[] {
  const kinds = new Set(evidence.oracle.requiredGates);
  const gates = evidence.gates.length > 0 ? evidence.gates : plannedOnly(evidence);
  const names = gates.filter((gate) => gate.required || kinds.has(gate.kind)).map((gate) => gate.name);
  return [...new Set(names)];
}

/**
 * A gate is required when its kind is one the oracle requires or it is marked required: either
 * way it must pass on the final tree, so a failing gate of a required kind cannot hide behind an
 * optional flag. Gates are judged per kind+name by their latest result on the head SHA (the
 * evidence array is chronological, so a rerun supersedes the run before it).
 */
function assessGates(evidence: ProofEvidence): GateVerdict {
  const { gates, git, execution } = evidence;
  const requiredKinds = [...new Set(evidence.oracle.requiredGates)];
  const isRequired = (gate: GateEvidence) => gate.required || requiredKinds.includes(gate.kind);
  const verdict: GateVerdict = { gaps: [], failures: [], warnings: [] };
  const changed = new Set(evidence.changedFiles.map((file) => file.path));
  for (const kind of requiredKinds) {
    if (!gates.some((gate) => gate.kind === kind)) {
      verdict.gaps.push({
        code: 'gate_missing',
        message: `Required gate "${kind}" has no result${onHead(git.headSha)}.`,
      });
    }
  }
  const groups = new Map<string, GateEvidence[]>();
  for (const gate of gates) {
    const key = JSON.stringify([gate.kind, gate.name]);
    groups.set(key, [...(groups.get(key) ?? []), gate]);
  }
  for (const runs of groups.values()) {
    const latest = runs.filter((gate) => git.headSha !== null && gate.sha === git.headSha).at(-1);
    const required = runs.some(isRequired);
    const first = runs[0];
    if (latest === undefined) {
      if (required && first !== undefined) verdict.gaps.push(staleGap(first, runs, git.headSha));
      continue;
    }
    judge(latest, required, execution === 'complete', verdict, requiredKinds, changed);
  }
  const anyRequired = requiredKinds.length > 0 || gates.some(isRequired);
  const verifiedHead = gates.some(
    (gate) => gate.sha === git.headSha && (gate.outcome === 'passed' || gate.outcome === 'flaky'),
  );
  if (!anyRequired && !verifiedHead) {
    verdict.gaps.push({
      code: 'no_gates',
      message: `No gate is required and none passed${onHead(git.headSha)}: a proof without verification is never ready.`,
    });
  }
  return verdict;
}

function judge(
  gate: GateEvidence,
  required: boolean,
  complete: boolean,
  verdict: GateVerdict,
  requiredKinds: readonly string[],
  changed: ReadonlySet<string>,
): void {
  const label = `${required ? 'Required' : 'Optional'} gate "${gate.name}" (${gate.kind})`;
  const where = `on head ${short(gate.sha)}`;
  const exit = gate.exitCode === null ? '' : ` (exit ${gate.exitCode})`;
  switch (gate.outcome) {
    case 'passed':
      return;
    case 'flaky':
      verdict.warnings.push(`${label} is flaky ${where}: it failed, then passed on a rerun.`);
      return;
    case 'failed':
    case 'timeout': {
      const what = gate.outcome === 'failed' ? `failed ${where}${exit}` : `timed out ${where}`;
      if (!required) verdict.warnings.push(`${label} ${what}; it does not block readiness.`);
      else if (complete) {
        const code = gate.outcome === 'failed' ? 'gate_failed' : 'gate_timeout';
        verdict.failures.push({ code, message: `${label} ${what}.`, evidence: gateEvidence(gate) });
      } else verdict.gaps.push({ code: 'gate_failed', message: `${label} ${what}.` });
      return;
    }
    case 'pre_existing': {
      const basis = preExistingBasis(gate);
      const blockedByConfig = gate.preExisting === 'block' && basis !== 'exit-code';
      if (basis === 'diagnostics' && gate.diagnostics !== undefined && !blockedByConfig) {
        // Judged diagnostic by diagnostic: only the base's own debt is left, which the change did not add.
        const { preExisting, fixed } = gate.diagnostics;
        const debt = `${label} fails ${where}${exit} only with the base's ${preExisting} diagnostic(s)${
          fixed > 0 ? ` (${fixed} fixed)` : ''
        }`;
        // A formatter's list names files: one the change edits may hold a break of its own, unseen.
        const edited = (gate.diagnostics.preExistingFiles ?? []).filter((file) => changed.has(file));
        if (edited.length > 0) {
          const files = edited.join(', ');
          verdict.warnings.push(
            `${debt}, none new by file; but it names files, not lines, and the change edits ${files}, which it lists on the base too: a formatting break the change made there would not show. It does not block readiness; check the formatting of ${files}.`,
          );
          return;
        }
        verdict.warnings.push(`${debt}, none new: it does not block readiness.`);
        return;
      }
      if (basis === 'tests' && gate.tests !== undefined && !blockedByConfig) {
        // Judged test by test: every failing test here failed on the base too.
        verdict.warnings.push(
          `${label} fails ${where}${exit} only with ${gate.tests.counts.stillFailing} test(s) that fail on the base too (${namesOf(
            gate.tests.stillFailing,
            gate.tests.counts.stillFailing,
          )}), none new: it does not block readiness.`,
        );
        return;
      }
      if (basis === 'coverage' && gate.beyondTests !== undefined && !blockedByConfig) {
        // Every test passes; the run misses only coverage thresholds the base misses as much.
        verdict.warnings.push(
          `${label} fails ${where}${exit} only on coverage thresholds the base misses too, by as much or more (${gate.beyondTests.coverage.join('; ')}); every test passes: it does not block readiness.`,
        );
        return;
      }
      const why = blockedByConfig
        ? `; every failure is the base's own, but .omk/config.yml sets preExisting: block for it`
        : gate.kind === 'test'
          ? `; per-test results not available (${exitCodeReason(gate)}), so its failures cannot be told apart from regressions`
          : unreadDiagnostics(gate);
      const message = `${label} fails ${where}${exit} and also fails on the base: the final tree still fails it${why}.`;
      if (required) verdict.gaps.push({ code: 'gate_pre_existing', message });
      else verdict.warnings.push(`${message} It does not block readiness.`);
      return;
    }
    case 'skipped':
      if (required) verdict.gaps.push({ code: 'gate_skipped', message: `${label} was skipped ${where}.` });
      return;
    case 'unavailable': {
      // Its tool is missing here and on the base: no agent can fix that, a person must.
      const why = unavailableWhy(gate.tail);
      const message = `${label} could not start ${where}: ${why}`;
      if (!required) {
        verdict.warnings.push(`${message} It does not block readiness.`);
        return;
      }
      const tool = unavailableTool(gate.tail) ?? `the tool of gate "${gate.name}"`;
      verdict.gaps.push({
        code: 'gate_unavailable',
        message: `${message} ${unavailableAdvice(gate, tool, requiredKinds, null, why)}.`,
      });
      return;
    }
  }
}

/** Up to five names, then how many more of `count`. */
function namesOf(names: readonly string[], count: number): string {
  const shown = names.slice(0, 5);
  return count > shown.length ? `${shown.join(', ')} and ${count - shown.length} more` : shown.join(', ');
}

/**
 * A lint, format or typecheck gate whose diagnostics could not be read: its note names the tool
 * (gates/diagnostics/verdict.ts `unreadDiagnosticsNote`), and the gap repeats it.
 */
function unreadDiagnostics(gate: GateEvidence): string {
  const note = /could not read diagnostics from .+? output; judged by exit code/.exec(gate.tail)?.[0];
  return note === undefined ? '' : `; ${note}, so its failures cannot be told apart from new ones`;
}

/** Why a failing test gate was judged by exit codes: its note says, else no test could be read. */
function exitCodeReason(gate: GateEvidence): string {
  const note = /judged by exit codes: (.*?)\)(?:;|$)/m.exec(gate.tail)?.[1];
  if (note !== undefined) return note;
  if (gate.tests === undefined) return 'no per-test results could be read from its output';
  if (gate.tests.baseSha === null) return "the base's per-test results could not be compared";
  return 'the output names no failing test';
}

function staleGap(gate: GateEvidence, runs: readonly GateEvidence[], headSha: string | null): Gap {
  const shas = [...new Set(runs.map((run) => short(run.sha)))].join(', ');
  return {
    code: 'gate_stale',
    message: `Required gate "${gate.name}" (${gate.kind}) ran only on ${shas}, not${onHead(headSha)}.`,
  };
}

function gateEvidence(gate: GateEvidence): string {
  const log = gate.artifact === null ? '' : `, full log: ${gate.artifact}`;
  const header = `gate ${gate.name} (${gate.kind}) on ${gate.sha}: ${gate.outcome}, exit code ${gate.exitCode ?? 'none'}${log}`;
  return gate.tail === '' ? header : `${header}\n${gate.tail}`;
}

function onHead(headSha: string | null): string {
  return headSha === null ? ' on the head (unknown)' : ` on head ${short(headSha)}`;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** Where a slice that is not done stands, and why its last attempt failed when one did. */
function incomplete(status: Proof['slices'][number]['status'], why: string | undefined): string {
  if (status === 'failed') return why === undefined ? 'has failed' : `has failed: ${why}`;
  const where = status === 'running' ? 'is still running' : 'is not done yet';
  return why === undefined ? where : `${where}; its last attempt failed: ${why}`;
}
