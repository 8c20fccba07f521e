import type { CreatedGoal } from '../goal/create.js';
import type { StepSpelling } from '../next-steps.js';
import { renderProofText } from '../proof/render-text.js';
import type { DemoBaseline, DemoOutcome } from './demo.js';

/** `omk demo`'s lines once the baseline ran: the gates found, the bug shown real, the goal. */
export function demoBaselineLines({ gates, failing }: DemoBaseline, goal: string): string[] {
  const shown = failing.map((gate) => `${gate.name} ${gate.outcome} (exit ${gate.exitCode})`);
  return [
    `detected gates: ${gates.map((gate) => `${gate.name} (${gate.argv.join(' ')})`).join(', ')}`,
    `before the fix: ${shown.join(', ')} — the bug is real`,
    `goal: "${goal}"`,
  ];
}

/** `omk demo`'s line once the goal is planned: each slice and what it writes. */
export function demoPlanLine({ graph }: CreatedGoal): string {
  const slices = graph.tasks.map((task) => `${task.id} writes ${task.writes.join(', ')}`);
  return `plan (${graph.planner.name} planner): ${slices.join('; ')}`;
}

/**
 * What `omk demo` ends with: the proof, the PRs on the local forge, the gated merge, where to look
 * (`inspect` spells the host's command for a goal's verb, e.g. `npx omk goal proof <id>`).
 */
export function renderDemoText(
  { created, executed, merge }: DemoOutcome,
  where: { dir: string; root: string; steps: StepSpelling; inspect: (verb: 'proof' | 'replay') => string },
): string {
  const { proof } = executed;
  const pulls = proof.delivery.pullRequests.map((pr) => `#${pr.number} ${pr.sliceId ?? 'integrator'}`);
  return [
    `\n${renderProofText(proof, where.steps)}`,
    `pull requests (local forge): ${pulls.join(', ') || 'none'}`,
    merge
      ? `gated merge: the integrator PR is merged into ${merge.target} as ${merge.sha.slice(0, 12)}`
      : 'gated merge: not merged',
    `artifacts: ${where.dir}`,
    `fixture:   ${where.root} (branches omk/${created.goal.id}/*)`,
    `inspect:   ${where.inspect('proof')}`,
    `           ${where.inspect('replay')}\n`,
  ].join('\n');
}

/** Why the demo failed its promise (a ready proof and a merge): a bug in omk. */
export function demoFailureText({ executed, merge }: DemoOutcome): string {
  return `the proof is ${executed.proof.status}${merge ? '' : ' and nothing was merged'}. This is a bug in omk; please report it.`;
}
