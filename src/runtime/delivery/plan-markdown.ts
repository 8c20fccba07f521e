import { keptBranchText } from './kept-local.js';
import type { DeliveryPlan } from './plan.js';
import { readyForReviewWords } from './ready-for-review.js';

/**
 * A dry run's delivery plan in full, as `open-pr --dry-run` prints it: each PR's branch, base,
 * title, labels, draft state (and a recorded draft it would mark ready for review), check run and
 * the body exactly as it would be sent, then the skipped slices and the branches kept local.
 */
export function renderDeliveryPlanMarkdown(plan: DeliveryPlan): string {
  let out = `# omk open-pr, dry run: ${plan.goalId}\n\nPolicy \`${plan.policy}\`, base \`${plan.base}\`, ${plan.pulls.length} PR(s).\n`;
  for (const pull of plan.pulls) {
    out += `\n---\n\n## ${pull.kind === 'integrator' ? 'Integrator PR' : `Slice PR ${pull.sliceId}`}\n\n`;
    out += `- branch: \`${pull.branch}\` at \`${pull.headSha}\`\n- base: \`${pull.base}\`\n- title: ${pull.title}\n`;
    out += `- labels: ${pull.labels.map((l) => `\`${l}\``).join(', ')}\n- draft: ${pull.draft}\n`;
    if (pull.readyForReview !== null)
      out += `- ready for review: ${readyForReviewWords(pull.readyForReview)}\n`;
    out += `- check run: \`${pull.checkRun.name}\` ${pull.checkRun.conclusion} (${pull.checkRun.annotations.length} annotations)\n\n`;
    out += `### Body\n\n${pull.body}\n`;
  }
  for (const skip of plan.skipped) out += `\nSkipped ${skip.sliceId}: ${skip.reason}\n`;
  for (const kept of plan.kept) out += `\nKept ${kept.sliceId ?? 'integrator'}: ${keptBranchText(kept)}\n`;
  return out;
}
