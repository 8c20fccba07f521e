import type { Command } from 'commander';
import {
  deliveredReport,
  deliveryPolicySchema,
  MERGE_METHODS,
  mergeIntegrator,
  mergeReport,
  openPullRequests,
  parseRequest,
} from '../../runtime/app/index.js';
import { renderDeliveryPlanMarkdown } from '../../runtime/app/render.js';
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
      const { result } = outcome;
      if (format === 'json') io.stdout(json(deliveredReport(result)));
      else {
        for (const pull of result.delivered)
          io.stdout(`${pull.sliceId ?? 'integrator'}: #${pull.number} ${pull.url}\n`);
        for (const skip of result.plan.skipped) io.stdout(`skipped ${skip.sliceId}: ${skip.reason}\n`);
      }
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
        if (options.json) io.stdout(json(mergeReport(result)));
        else if (result.merged && result.recovered)
          io.stdout(`merged PR #${result.pr} as ${result.sha} (an earlier merge landed; recorded now)\n`);
        else if (result.merged) io.stdout(`merged PR #${result.pr} as ${result.sha}\n`);
        else {
          io.stdout(`not merged: PR #${result.pr} is blocked by ${result.blockedBy}\n`);
          for (const reason of result.reasons) io.stdout(`  - ${reason.blocker}: ${reason.detail}\n`);
        }
        if (!result.merged) context.setExitCode(EXIT_CODES.refused);
      },
    );
}
