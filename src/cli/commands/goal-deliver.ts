import type { Command } from 'commander';
import {
  deliveredReport,
  deliveryPolicySchema,
  MERGE_METHODS,
  mergeIntegrator,
  mergeReport,
  mergeVerdict,
  openPullRequests,
  parseRequest,
} from '../../runtime/app/index.js';
import {
  renderDeliveredText,
  renderDeliveryPlanMarkdown,
  renderMergeText,
} from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { choiceOption, forgeOption, goalIdArgument, json } from '../options.js';
import type { ProgramContext } from '../program.js';

interface OpenPrOptions {
  dryRun?: boolean;
  draft?: boolean;
  policy?: string;
  baseBranch?: string;
  format?: string;
  forge?: string;
}

export function registerDeliverCommands(goal: Command, context: ProgramContext): void {
  const { io } = context;
  goal
    .command('open-pr')
    .description('open or update a PR per slice and the integrator PR, each carrying its proof')
    .addArgument(goalIdArgument())
    .option('--dry-run', 'print exactly the branches, titles, bodies and labels, with no network')
    .option('--draft', 'open draft PRs (same as --policy draft-pr)')
    .option('--policy <policy>', 'draft-pr | auto-pr (default: the goal policy; draft-pr for a local goal)')
    .option('--base-branch <branch>', 'the branch PRs target (default: the branch the goal started on)')
    .addOption(forgeOption())
    .addOption(
      choiceOption('--format <format>', 'markdown | json', ['markdown', 'json'], 'json').default('markdown'),
    )
    .action(async (ref: string, options: OpenPrOptions) => {
      const format = options.format ?? 'markdown';
      const chosen = options.draft ? 'draft-pr' : options.policy;
      const policy = chosen === undefined ? undefined : parseRequest(deliveryPolicySchema, chosen);
      const app = composeRuntime(io, context.stateDir(), options);
      const outcome = await openPullRequests(app, {
        goalId: await app.store.resolve(ref),
        ...(policy === undefined ? {} : { policy }),
        ...(options.baseBranch === undefined ? {} : { base: options.baseBranch }),
        dryRun: options.dryRun === true,
      });
      if (outcome.dryRun) {
        io.stdout(format === 'json' ? json(outcome.plan) : renderDeliveryPlanMarkdown(outcome.plan));
        return;
      }
      io.stdout(
        format === 'json' ? json(deliveredReport(outcome.result)) : renderDeliveredText(outcome.result),
      );
    });

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
      async (
        ref: string,
        options: { method?: string; enforceProtection?: boolean; forge?: string; json?: boolean },
      ) => {
        const method = MERGE_METHODS.find((known) => known === options.method) ?? 'merge';
        const app = composeRuntime(io, context.stateDir(), options);
        const result = await mergeIntegrator(app, {
          goalId: await app.store.resolve(ref),
          method,
          enforceProtection: options.enforceProtection ?? false,
        });
        io.stdout(options.json ? json(mergeReport(result)) : renderMergeText(result));
        context.setExitCode(EXIT_CODES[mergeVerdict(result)]);
      },
    );
}
