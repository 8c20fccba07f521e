import { formatDuration } from '../budget/parse.js';
import type { BudgetSpent } from '../budget/schema.js';
import type { BudgetLimits } from '../goal/schema.js';
import { NEUTRAL_STEPS, type StepSpelling, wordHint } from '../next-steps.js';
import type { Gap } from './schema.js';

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
    hint: ['Extend it with ', { step: 'budget_add', goalId }, ', then ', { step: 'resume', goalId }, '.'],
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
    { limit: limits.timeMs, used: spent.timeMs, name: 'time', show: formatDuration },
    { limit: limits.tokens, used: spent.tokens, name: 'token', show: (n: number) => `${n} tokens` },
    { limit: limits.usd, used: spent.usd, name: 'USD', show: (n: number) => `$${n.toFixed(2)}` },
  ];
  const gaps = over
    .filter(({ limit, used }) => limit !== null && used > limit)
    .map(({ limit, used, name, show }) => ({
      code: 'budget_overspent',
      message: `The ${name} budget is overspent: ${show(used)} used of ${show(limit ?? 0)}.`,
    }));
  return { gaps, warnings };
}
