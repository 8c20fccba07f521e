import type { Command } from 'commander';
import {
  askedChangeText,
  describeNote,
  fixAskedChange,
  fixVerdict,
  UsageError,
} from '../../runtime/app/index.js';
import { renderFixText } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { agentOption, forgeOption, printAs } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

/** The PR number of --pr: a positive integer, or a usage error that shows one. */
function prNumber(raw: string | undefined): number {
  const value = raw?.trim() ?? '';
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new UsageError(`--pr: '${value}' is not a PR number.`, {
      hint: "Name one of the goal's PRs (omk goal show lists them). Example: --pr 3",
    });
  }
  return Number(value);
}

export function registerFixCommand(goal: Command, context: ProgramContext): void {
  goal
    .command('fix')
    .description("run the agent on one of the goal's PRs to make a change, verify again and update its PRs")
    .argument('<GOAL_ID>', "goal id, unique prefix, or 'latest'")
    .argument('<TEXT...>', 'what to change, as a reviewer would ask it')
    .requiredOption('--pr <number>', "the goal's PR to fix (a slice PR or the integrator PR)")
    .addOption(agentOption("the agent that makes the change (default: the goal's)"))
    .addOption(forgeOption())
    .option('--json', 'print the outcome as JSON')
    .action(
      act<{ pr?: string; agent?: string }>(context, async ({ options, goal: target, rest, io, format }) => {
        const pr = prNumber(options.pr);
        const text = askedChangeText(
          rest,
          'Say what to change. Example: omk goal fix latest --pr 3 "rename x"',
        );
        const { app, goalId } = await target();
        // Each command is a new request: asking the same words again is a second fix.
        const outcome = await fixAskedChange(app, {
          goalId,
          pr,
          text,
          origin: 'cli',
          ...(options.agent === undefined ? {} : { agent: { name: options.agent } }),
        });
        if (outcome.kind === 'already_handled') return;
        printAs(io, format, outcome, (fixed) => renderFixText(fixed, CLI_STEPS));
        if (outcome.withheld !== null) app.reporter.info(describeNote(outcome.withheld, app.words));
        return fixVerdict(outcome);
      }),
    );
}
