import { type Command, Option } from 'commander';
import { composeRemoteState } from '../../adapters/remote-state.js';
import {
  budgetView,
  DEFAULT_STATE_BRANCH,
  type GoalList,
  goalShow,
  goalStatus,
  listGoals,
  listReport,
  proofReadVerdict,
  readEvents,
  readProof,
  renderReplayJson,
  renderReplayText,
  resolveGoal,
  resolveSharedGoal,
  shownBranch,
  stateBranchProblem,
  statusReport,
  UsageError,
} from '../../runtime/app/index.js';
import {
  renderBudgetText,
  renderListText,
  renderProofMarkdown,
  renderProofText,
  renderShowText,
  renderStatusText,
} from '../../runtime/app/render.js';
import { act, goalCommand } from '../command.js';
import { type OutputFormat, printAs, TEXT_OR_JSON, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

/** --state-branch: a branch omk can keep goal state on, refused as it is parsed. */
function stateBranch(branch: string): string {
  const problem = stateBranchProblem(branch);
  if (problem === null) return branch;
  throw new UsageError(
    `--state-branch: '${shownBranch(branch)}' is not a state branch omk can use: ${problem}.`,
    {
      hint: `Example: --state-branch ${DEFAULT_STATE_BRANCH}`,
    },
  );
}

const EDITED_PROOF =
  'omk: warning: proof.json does not match its digest: it was edited after omk wrote it. Do not trust it.\n';

export function registerReadCommands(goal: Command, context: ProgramContext): void {
  withFormat(
    goal
      .command('list')
      .description("this repository's goals, newest first (outside a repository: every goal)")
      .option('--all', "every goal in the state root, each other repository's with its path"),
    TEXT_OR_JSON,
  ).action(
    act<{ all?: boolean }>(context, async ({ compose, here, io, format, options }) => {
      const list = await listGoals(compose().store, await here(), options.all === true);
      const render = (shown: GoalList) => {
        if (shown.goals.length > 0) return renderListText(shown);
        if (shown.leftOut > 0)
          return `no goals in this repository (${shown.leftOut} in other repositories: omk goal list --all)\n`;
        return 'no goals yet. Start one with: omk goal run "fix the failing tests"\n';
      };
      printAs(io, format, list, render, listReport);
    }),
  );

  goalCommand(goal, 'status', "a goal's status, proof status and progress")
    .option(
      '--remote',
      "read the goal from the repository's state branch first (as the Action and the bot write it)",
    )
    .addOption(
      new Option('--state-branch <branch>', 'the state branch for --remote')
        .default(DEFAULT_STATE_BRANCH)
        .argParser(stateBranch),
    )
    .option(
      '--repo <path>',
      "the repository whose goals 'latest' and prefixes name, and whose remote holds the state branch (default: the current directory)",
    )
    .action(
      act<{ remote?: boolean; stateBranch: string; repo?: string }>(context, async (call) => {
        const { options, io, ref } = call;
        const { store } = call.compose();
        const scope = await call.here();
        let goalId: string;
        if (options.remote) {
          const branch = options.stateBranch;
          const { stateRoot } = store.deps;
          const state = await composeRemoteState({
            repo: options.repo ?? io.cwd,
            stateRoot,
            branch,
            env: io.env,
          });
          goalId = await resolveSharedGoal(store, state, ref, branch, scope);
        } else goalId = await resolveGoal(store, ref, scope);
        const view = await goalStatus(store, goalId);
        if (!view.proof.digestValid) io.stderr(EDITED_PROOF);
        const proofCommand = (id: string) => `omk goal proof ${id}`;
        printAs(io, call.format, view, (status) => renderStatusText(status, proofCommand), statusReport);
      }),
    );

  goalCommand(goal, 'show', "a goal's record, task graph and documents").action(
    act(context, async ({ goal: target, io, format }) => {
      const { app, goalId } = await target();
      printAs(io, format, await goalShow(app.store, goalId), renderShowText);
    }),
  );

  const proofFormats: readonly OutputFormat[] = ['text', 'json', 'md'];
  goalCommand(goal, 'proof', "a goal's proof: status, gates, gaps, evidence", proofFormats).action(
    act(context, async ({ goal: target, io, format }) => {
      const { app, goalId } = await target();
      const { proof, digestValid } = await readProof(app.store, goalId);
      if (!digestValid) io.stderr(EDITED_PROOF);
      const render = format === 'md' ? renderProofMarkdown : renderProofText;
      printAs(io, format, proof, (value) => render(value, CLI_STEPS));
      // An edited proof is damaged state: scripts must not read it as the truth.
      return proofReadVerdict(digestValid);
    }),
  );

  goalCommand(goal, 'replay', "a goal's events in order (byte-identical on every run)").action(
    act(context, async ({ goal: target, io, format }) => {
      const { app, goalId } = await target();
      const { events, skipped } = await readEvents(app.store, goalId);
      for (const { line, reason, torn } of skipped) {
        io.stderr(
          `omk: warning: events.jsonl line ${line} skipped: ${reason}${torn ? ' (torn write)' : ''}\n`,
        );
      }
      io.stdout((format === 'json' ? renderReplayJson : renderReplayText)(goalId, events, skipped));
    }),
  );

  goalCommand(goal, 'budget', "a goal's budget: limits, spend, remaining, checkpoints").action(
    act(context, async ({ goal: target, io, format }) => {
      const { app, goalId } = await target();
      printAs(io, format, await budgetView(app.store, goalId), renderBudgetText);
    }),
  );
}
