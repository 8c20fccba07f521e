import type { Command } from 'commander';
import {
  type DeliveryPolicy,
  deliveredReport,
  deliveredVerdict,
  deliveryPolicySchema,
  describeNote,
  draftConflict,
  MERGE_METHODS,
  type MergeGoalResult,
  type MergeMethod,
  mergeIntegrator,
  mergeReport,
  mergeVerdict,
  openPullRequests,
  parseRequest,
  UsageError,
  type WithheldNote,
} from '../../runtime/app/index.js';
import {
  renderDeliveredText,
  renderDeliveryPlanMarkdown,
  renderMergeText,
} from '../../runtime/app/render.js';
import { act } from '../command.js';
import { choiceOption, forgeOption, goalIdArgument, printAs } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

export function registerDeliverCommands(goal: Command, context: ProgramContext): void {
  goal
    .command('open-pr')
    .description('open or update a PR per slice and the integrator PR, each carrying its proof')
    .addArgument(goalIdArgument())
    .option('--dry-run', 'print exactly the branches, titles, bodies and labels, with no network')
    .option('--draft', 'open draft PRs (same as --policy draft-pr; refused with another --policy)')
    .option('--policy <policy>', 'draft-pr | auto-pr (default: the goal policy; draft-pr for a local goal)')
    .option('--base-branch <branch>', 'the branch PRs target (default: the branch the goal started on)')
    .addOption(forgeOption())
    .addOption(
      choiceOption('--format <format>', 'markdown | json', ['markdown', 'json'], 'json').default('markdown'),
    )
    .action(
      act<{ dryRun?: boolean; draft?: boolean; policy?: string; baseBranch?: string }>(
        context,
        async ({ options, goal: target, io, format, ref }) => {
          const policy = parseRequest(deliveryPolicySchema.optional(), options.policy);
          const draft = options.draft === true;
          // Refused before the goal is looked up: nothing is read, written or pushed.
          const conflict = draftConflict({ draft, policy });
          if (conflict !== null) throw draftRefusal(conflict, ref, options.dryRun === true);
          const { app, goalId } = await target();
          const base = options.baseBranch;
          const outcome = await openPullRequests(app, {
            goalId,
            policy,
            draft,
            base,
            dryRun: options.dryRun === true,
          });
          // Its text is Markdown: a dry run's plan, or what was delivered.
          if (outcome.dryRun) {
            printAs(io, format, outcome.plan, renderDeliveryPlanMarkdown);
            return undefined;
          }
          printAs(io, format, outcome.result, renderDeliveredText, deliveredReport);
          if (outcome.withheld !== null) app.reporter.info(describeNote(outcome.withheld, app.words));
          // Stopped part-way by a person: not whole, so not success (the output says what stays).
          return deliveredVerdict(outcome.result);
        },
      ),
    );

  goal
    .command('merge')
    .description(
      'merge the integrator PR only if the proof is ready and fresh, checks are green and reviews are satisfied',
    )
    .addArgument(goalIdArgument())
    .addOption(
      choiceOption('--method <method>', 'merge | squash | rebase', MERGE_METHODS, 'squash').default('merge'),
    )
    .option('--enforce-protection', 'refuse to merge into a base branch without branch protection')
    .addOption(forgeOption())
    .option('--json', 'print the outcome as JSON')
    .action(
      act<{ method: MergeMethod; enforceProtection?: boolean }>(
        context,
        async ({ options, goal: target, io, format }) => {
          const { app, goalId } = await target();
          const { method, enforceProtection = false } = options;
          const outcome = await mergeIntegrator(app, { goalId, method, enforceProtection });
          if (outcome.withheld === null) {
            const merged = (merge: MergeGoalResult) => renderMergeText(merge, goalId, CLI_STEPS);
            printAs(io, format, outcome.result, merged, mergeReport);
          } else {
            // A person stopped the PRs the merge needed as they were opened: nothing was merged.
            const stopped = (note: WithheldNote) => `not merged: ${describeNote(note, app.words)}\n`;
            printAs(io, format, outcome.withheld, stopped, (withheld) => ({ merged: false, withheld }));
          }
          return mergeVerdict(outcome);
        },
      ),
    );
}

/** What each policy `--draft` contradicts would do instead. */
const INSTEAD: Record<Exclude<DeliveryPolicy, 'draft-pr'>, string> = {
  'auto-pr': 'opens PRs ready for review',
  local: 'opens none (open-pr refuses it)',
};

/**
 * `--draft` with another `--policy` (the runtime's `draftConflict`): neither wins, the command is
 * refused naming both flags, with the command lines that ask for one or the other.
 */
function draftRefusal(policy: Exclude<DeliveryPolicy, 'draft-pr'>, ref: string | undefined, dryRun: boolean) {
  // The goal as it was typed when it is a plain name, so the suggestion can be typed back.
  const goal = ref !== undefined && /^[A-Za-z0-9._-]+$/.test(ref) ? ` ${ref}` : '';
  const command = (flags: string) => `'omk goal open-pr${goal}${dryRun ? ' --dry-run' : ''} ${flags}'`;
  const choices = [`${command('--draft')} for draft PRs`];
  if (policy === 'auto-pr') choices.push(`${command('--policy auto-pr')} for PRs ready for review`);
  return new UsageError(
    `--draft and --policy ${policy} contradict each other: --draft opens draft PRs, --policy ${policy} ${INSTEAD[policy]}. Nothing was done.`,
    { hint: `type ${choices.join(', or ')}` },
  );
}
