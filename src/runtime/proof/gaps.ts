import type { BudgetSpent } from '../budget/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import { WORKFLOW_ONLY } from '../graph/protected.js';
import type { TaskRejection } from '../graph/schema.js';
import { NEUTRAL_STEPS, type StepSpelling, wordHint } from '../next-steps.js';
import { isTestPath } from '../review/files.js';
import { testDataRead } from '../review/test-data.js';
import { byCount } from '../text/agree.js';
import { budgetUsd, tokensAmount } from '../text/amounts.js';
import { formatDuration } from '../text/duration.js';
import type { ProofEvidence } from './evidence.js';
import { passedOrTolerated, toleratedPreExisting } from './pre-existing.js';
import type { Gap, GateEvidence } from './schema.js';
import { howItEnded, readPerTest, unreadOnBase } from './unread-on-base.js';

/** Every slice of the plan was rejected: nothing runs until a person words the goal again. */
export const PLAN_EMPTY_GAP = 'plan_empty';

/**
 * Gaps whose next step depends on the front door that shows them. Their message stays neutral
 * and the steps are data (gap.hint), so proof.json, PR bodies and check runs never carry one
 * front door's syntax.
 */

/**
 * The budget ran out: finished slices are kept, the next steps are to extend the budget and
 * resume. For the controller (controller/execute.ts), in place of a message that names the CLI.
 */
export function budgetSpentGap(limit: 'time' | 'tokens' | 'usd', goalId: string): Gap {
  return {
    code: 'budget_exhausted',
    message: `The ${limit} budget is spent; finished slices are kept.`,
    hint: [
      'Extend it with ',
      { step: 'budget_add', goalId, limit: limit },
      ', then ',
      { step: 'resume', goalId },
      '.',
    ],
  };
}

/**
 * Merging a done slice into the integration branch conflicted (controller/integrate.ts). A human
 * resolves it on the integration branch, which omk keeps: a slice branch moved since its review is
 * put back by the next run, so a resolution there would be lost. A resume then merges the rest.
 */
export function integrationConflictGap(
  goalId: string,
  conflict: { branch: string; target: string; detail: string },
): Gap {
  const { branch, target } = conflict;
  return {
    code: 'integration_conflict',
    message: conflict.detail,
    hint: [
      `Resolve it by hand on the integration branch, not on a slice branch (omk puts a moved slice branch back): 'git switch ${target}', 'git merge ${branch}', fix and 'git add' the conflicted files, 'git commit', 'git switch -'. Then resume the goal (`,
      { step: 'resume', goalId },
      '): omk merges the remaining slices and runs the gates and the review on the result. Or narrow the goal.',
    ],
  };
}

/**
 * A plan with no slice to run: every slice the planner proposed was rejected (or it proposed
 * none). Only a person can get out of it: a goal that declares it changes its CI workflows, when a
 * workflow is what was refused, else a goal worded to name what to change.
 */
export function planEmptyGap(rejected: readonly TaskRejection[]): Gap {
  const why =
    rejected.length === 0
      ? 'the planner proposed none'
      : `${rejected.length === 1 ? '1 slice was' : `${rejected.length} slices were`} rejected (${rejected
          .map((rejection) => `${rejection.taskId}: ${rejection.reason}`)
          .join('; ')})`;
  const workflow = rejected.some((rejection) => rejection.reason.endsWith(WORKFLOW_ONLY));
  return {
    code: PLAN_EMPTY_GAP,
    message: `The plan has no slice to run: ${why}.`,
    hint: workflow
      ? [
          'If the goal means to change its CI workflows, start it again declaring so: ',
          { step: 'run_workflow_edits' },
          '.',
        ]
      : ['Start it again naming the files or the behaviour to change: ', { step: 'run' }, '.'],
  };
}

/** A gap's message, then its hint with the steps spelled by `spell` (omk's own words by default). */
export function gapText(gap: Gap, spell: StepSpelling = NEUTRAL_STEPS): string {
  return gap.hint === undefined ? gap.message : `${gap.message} ${wordHint(gap.hint, spell)}`;
}

/** A copy of a gap, without a `hint` key when it has none (older proofs hash as they did). */
export function copyGap(gap: Gap): Gap {
  const { code, message, hint } = gap;
  return hint === undefined ? { code, message } : { code, message, hint: structuredClone(hint) };
}

/** What budget honesty needs of an agent run. */
export interface RunUsage {
  agent: string;
  tokens: number | null;
  usd: number | null;
}

/**
 * Budget honesty, for the proof: a token or USD budget that some agent's runs could not be
 * counted against is a warning (those runs add nothing to the spend, which is not the same as
 * costing nothing), and spend beyond a limit is a gap.
 */
export function budgetHonesty(
  limits: BudgetLimits,
  spent: BudgetSpent,
  runs: readonly RunUsage[],
  goalId: string,
): { gaps: Gap[]; warnings: string[] } {
  const warnings: string[] = [];
  const unread = [
    { limit: limits.tokens, name: 'token', what: 'no token count', usage: (run: RunUsage) => run.tokens },
    { limit: limits.usd, name: 'USD', what: 'no cost', usage: (run: RunUsage) => run.usd },
  ];
  for (const { limit, name, what, usage } of unread) {
    if (limit === null) continue;
    for (const agent of [...new Set(runs.map((run) => run.agent))]) {
      const own = runs.filter((run) => run.agent === agent);
      const unknown = own.filter((run) => usage(run) === null).length;
      if (unknown === 0) continue;
      warnings.push(
        `usage unknown: the ${name} budget cannot be enforced for agent ${agent} (${unknown} of ${own.length} run(s) reported ${what}; they are not in the spend).`,
      );
    }
  }
  const over = [
    { limit: limits.timeMs, used: spent.timeMs, name: 'time', key: 'time', show: formatDuration },
    { limit: limits.tokens, used: spent.tokens, name: 'token', key: 'tokens', show: tokensAmount },
    { limit: limits.usd, used: spent.usd, name: 'USD', key: 'usd', show: budgetUsd },
  ] as const;
  // The words of the budget everywhere else (thousands separated, a budget's dollars), and what
  // settles it: a larger budget judges the same evidence again, and the resume settles the goal.
  const gaps = over
    .filter(({ limit, used }) => limit !== null && used > limit)
    .map(
      ({ limit, used, name, key, show }): Gap => ({
        code: 'budget_overspent',
        message: `The ${name} budget is overspent: ${show(used)} used, over its limit of ${show(limit ?? 0)}.`,
        hint: [
          'If the spend was worth it, raise the limit (',
          { step: 'budget_add', goalId, limit: key },
          '), then resume the goal (',
          { step: 'resume', goalId },
          ') to settle it.',
        ],
      }),
    );
  return { gaps, warnings };
}

/** Gate kinds that measure speed: a performance goal's evidence. */
export const BENCHMARK_KINDS: readonly string[] = ['benchmark', 'bench'];
/** Gate kinds that check security: a hardening goal's evidence (`security-review` is omk's own). */
export const SECURITY_KINDS: readonly string[] = ['security', 'security-review'];

/** The oracle decisions the integration records for a fix (controller/fail-to-pass.ts). */
export const FAIL_TO_PASS_SHOWN = 'fail-to-pass shown';
export const FAIL_TO_PASS_NOT_SHOWN = 'fail-to-pass not shown';

const PASSED: ReadonlySet<GateEvidence['outcome']> = new Set(['passed', 'flaky']);
const RAN: ReadonlySet<GateEvidence['outcome']> = new Set(['passed', 'flaky', 'failed', 'pre_existing']);
const NOT_PASSED: ReadonlySet<GateEvidence['outcome']> = new Set(['failed', 'timeout', 'pre_existing']);

/** Up to three test names, then an ellipsis. */
function listed(names: readonly string[]): string {
  return `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
}

/**
 * The way out of a fix with no fail-to-pass. "Add a test that fails without the fix" is right only
 * when the base has none: an empty change, or the base's failing tests still failing on the head,
 * already has its test, and the fix is what is missing.
 */
function noFailToPassHint(evidence: ProofEvidence, onHead: readonly GateEvidence[]): Gap['hint'] {
  if (evidence.changedFiles.length === 0) {
    return [
      'The change is empty: the agent changed no file. ',
      { step: 'run' },
      ' again with an agent that makes the fix.',
    ];
  }
  // The base's run of a gate omk reads per test reported none: it ended before reporting, and
  // nothing was compared. A test to add would not help; a base run that reports would.
  const unread = unreadOnBase(evidence.baseGates ?? [], readPerTest(onHead));
  if (unread.length > 0) {
    const base = evidence.git.baseSha === null ? 'the base' : `base ${evidence.git.baseSha.slice(0, 12)}`;
    const gates = unread.map((gate) => `gate ${gate.name} (${howItEnded(gate)})`).join(', ');
    return [
      `Nothing was compared per test: the base's run of ${gates} reported no per-test results though ` +
        `the head's run did, so it ended before reporting (a crash, a timeout, a killed runner). Check the ` +
        `gate's command on ${base} (does it run the tests there?), then `,
      { step: 'run' },
      ' again.',
    ];
  }
  const stillFailing = onHead.flatMap((gate) =>
    gate.kind === 'test' ? (gate.tests?.stillFailing ?? []) : [],
  );
  // A test the base ran that the head does not have: deleted, or renamed by its own edit (pytest
  // and go name a parametrized case by its values), which is how a weakened expectation shows. It
  // comes first: the base's other failures still failing may be only its own, unrelated debt.
  const gone = onHead.flatMap((gate) => (gate.kind === 'test' ? (gate.tests?.removed ?? []) : []));
  if (gone.length > 0) {
    const still = stillFailing.length > 0 ? `; still failing as on the base: ${listed(stillFailing)}` : '';
    return [
      `${byCount(gone.length, 'A test the base ran is', 'Tests the base ran are')} gone from the head (${listed(gone)}): ` +
        `the change removed or renamed ${byCount(gone.length, 'it', 'them')} ` +
        `(a changed parameter or expectation renames a parametrized test)${still}. ` +
        "A fix keeps the base's failing test as it is and makes it pass: restore the test, then ",
      { step: 'run' },
      ' again with an agent that fixes the code.',
    ];
  }
  // Tests that failed on the base and pass on the head, not counted: the change edited them
  // (fail-to-pass.ts), so they may pass by a new expectation. The fix is what is missing.
  const rewritten = onHead.flatMap((gate) => (gate.kind === 'test' ? (gate.tests?.failToPass ?? []) : []));
  if (rewritten.length > 0) {
    // A golden file or snapshot rewritten to the bug's output is what to restore with the test.
    const paths = evidence.changedFiles.map((file) => file.path);
    const data = [...new Set(rewritten.flatMap((name) => testDataRead(name, paths)))];
    const restore = data.length === 0 ? 'the test' : `the test and the test data it reads (${listed(data)})`;
    return [
      `${byCount(rewritten.length, 'The test that fails on the base passes', 'The tests that fail on the base pass')} ` +
        `on the head only as the change edited ${byCount(rewritten.length, 'it', 'them')} (${listed(rewritten)}). ` +
        `A fix keeps the base's failing test as it is and makes it pass: restore ${restore}, then `,
      { step: 'run' },
      ' again with an agent that fixes the code.',
    ];
  }
  if (stillFailing.length > 0) {
    return [
      `${byCount(stillFailing.length, 'The test that fails on the base still fails', 'The tests that fail on the base still fail')} ` +
        `on the head (${listed(stillFailing)}): the change does not fix ${byCount(stillFailing.length, 'it', 'them')}. `,
      { step: 'run' },
      ` again with an agent that makes ${byCount(stillFailing.length, 'it', 'them')} pass.`,
    ];
  }
  return [
    'Add a test that fails without the fix (commit it on the base, or ask for one in the goal), then ',
    { step: 'run' },
    ' again.',
  ];
}

/**
 * What the goal's class needs as evidence besides passing gates, as gaps when it is missing:
 * fix → a test seen failing without the fix and passing with it (the integration's fail-to-pass
 * decision; a no-op whose failing test is only pre-existing never shows one); greenfield → a new
 * or changed test file and a test gate that passed; performance → a benchmark gate that ran on
 * the base and passed on the head; hardening → a security gate or omk's security
 * review that passed on the head. Only for a complete execution (before that, the evidence is
 * partial and the execution gap says so); for a fix, only once something was integrated (a head). A required gate that ran and failed is already a failure
 * or gap of its own, so it is not reported twice.
 */
export function classEvidenceGaps(evidence: ProofEvidence): Gap[] {
  if (evidence.execution !== 'complete') return [];
  const { headSha, baseSha } = evidence.git;
  const onHead = evidence.gates.filter((gate) => headSha !== null && gate.sha === headSha);
  const failedRequired = (gates: readonly GateEvidence[]) =>
    gates.some(
      (gate) =>
        NOT_PASSED.has(gate.outcome) &&
        !toleratedPreExisting(gate) &&
        (gate.required || evidence.oracle.requiredGates.includes(gate.kind)),
    );
  switch (evidence.oracle.class) {
    case 'fix': {
      const oracleDecisions = evidence.decisions.filter((decision) => decision.kind === 'oracle');
      if (oracleDecisions.some((decision) => decision.decision === FAIL_TO_PASS_SHOWN)) return [];
      // Nothing was integrated (every slice failed or is pending): the fix was never judged, and
      // missing_head and slice_incomplete say so. "Add a test that fails without the fix" would
      // send the user after a test the base may well have.
      if (headSha === null) return [];
      // A required test gate that failed outright on the head is already a failure of its own.
      const failedTests = onHead.some(
        (gate) =>
          gate.kind === 'test' &&
          (gate.outcome === 'failed' || gate.outcome === 'timeout') &&
          (gate.required || evidence.oracle.requiredGates.includes('test')),
      );
      if (failedTests) return [];
      const seen = oracleDecisions.find((decision) => decision.decision === FAIL_TO_PASS_NOT_SHOWN);
      return [
        {
          code: 'fix_no_fail_to_pass',
          message: `Fail-to-pass not shown: no test fails without the fix and passes with it${
            seen === undefined ? '' : ` (${seen.reason})`
          }, so nothing shows the fix works.`,
          hint: noFailToPassHint(evidence, onHead),
        },
      ];
    }
    case 'greenfield': {
      const tests = evidence.changedFiles.filter((file) => isTestPath(file.path) && file.additions > 0);
      const testGates = onHead.filter((gate) => gate.kind === 'test');
      const passed = testGates.some(passedOrTolerated);
      if (tests.length > 0 && passed) return [];
      if (tests.length > 0 && failedRequired(testGates)) return [];
      const why =
        tests.length === 0
          ? 'no test file was added or changed, so nothing shows the new behaviour works'
          : `no test gate passed on the head${headSha === null ? '' : ` ${headSha.slice(0, 12)}`}, so the new tests were never seen passing`;
      return [{ code: 'greenfield_no_new_test', message: `Greenfield goal with no new test: ${why}.` }];
    }
    case 'performance': {
      const benches = evidence.gates.filter((gate) => BENCHMARK_KINDS.includes(gate.kind));
      if (benches.length === 0) {
        return [
          {
            code: 'performance_no_benchmark',
            message:
              'Performance goal without a benchmark gate: nothing measured the base and the head, so no speed-up is shown.',
            hint: [
              'Add one in .omk/config.yml (a gate with kind: benchmark whose command fails when the target is missed), then ',
              { step: 'run' },
              ' again.',
            ],
          },
        ];
      }
      const headBenches = onHead.filter((gate) => BENCHMARK_KINDS.includes(gate.kind));
      const measured = headBenches.filter(
        (gate) =>
          PASSED.has(gate.outcome) &&
          (evidence.baseGates ?? []).some(
            (base) =>
              base.name === gate.name &&
              base.kind === gate.kind &&
              baseSha !== null &&
              base.sha === baseSha &&
              RAN.has(base.outcome),
          ),
      );
      if (measured.length > 0 || failedRequired(headBenches)) return [];
      const names = [...new Set(benches.map((gate) => `"${gate.name}"`))].join(', ');
      return [
        {
          code: 'performance_not_measured',
          message: `Performance goal not measured: benchmark gate ${names} did not run on the base${
            baseSha === null ? '' : ` ${baseSha.slice(0, 12)}`
          } and pass on the head${headSha === null ? '' : ` ${headSha.slice(0, 12)}`}.`,
        },
      ];
    }
    case 'hardening': {
      const checks = onHead.filter((gate) => SECURITY_KINDS.includes(gate.kind));
      if (checks.some((gate) => PASSED.has(gate.outcome)) || failedRequired(checks)) return [];
      return [
        {
          code: 'hardening_no_security_check',
          message:
            'Hardening goal without a security check: no security gate and no security review passed on the head.',
          hint: [
            'Add a gate with kind: security (a scanner whose command fails on a finding) in .omk/config.yml, then ',
            { step: 'run' },
            ' again.',
          ],
        },
      ];
    }
    default:
      return [];
  }
}
