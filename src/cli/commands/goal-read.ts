import type { Command } from 'commander';
import { gitRepo } from '../../adapters/git/repo.js';
import { composeRemoteState } from '../../adapters/remote-state.js';
import {
  budgetView,
  DEFAULT_STATE_BRANCH,
  goalShow,
  goalStatus,
  goalSummary,
  pullGoalRef,
  readEvents,
  readProof,
  renderReplayJson,
  renderReplayText,
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
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { goalCommand, onGoal, TEXT_OR_JSON } from '../goal-action.js';
import { formatOf, printAs, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

type FormatOptions = { format?: string; json?: boolean };

export function registerReadCommands(goal: Command, context: ProgramContext): void {
  const { io } = context;
  const runtime = () => composeRuntime(io, context.stateDir());

  withFormat(goal.command('list').description('list goals, newest first'), TEXT_OR_JSON).action(
    async (options: FormatOptions) => {
      const format = formatOf(options, TEXT_OR_JSON);
      const goals = await runtime().store.list();
      const render = (list: typeof goals) =>
        list.length === 0
          ? 'no goals yet. Start one with: omk goal run "fix the failing tests"\n'
          : renderListText(list);
      printAs(io, format, goals, render, (list) => list.map(goalSummary));
    },
  );

  goalCommand(goal, 'status', "a goal's status, proof status and progress")
    .option(
      '--remote',
      "read the goal from the repository's state branch first (as the Action and the bot write it)",
    )
    .option('--state-branch <branch>', 'the state branch for --remote', DEFAULT_STATE_BRANCH)
    .option(
      '--repo <path>',
      'the repository whose remote holds the state branch (default: the current directory)',
    )
    .action(
      async (
        ref: string,
        options: FormatOptions & { remote?: boolean; stateBranch?: string; repo?: string },
      ) => {
        const format = formatOf(options, TEXT_OR_JSON);
        const { store } = runtime();
        if (options.remote) {
          const branch = options.stateBranch ?? DEFAULT_STATE_BRANCH;
          const problem = stateBranchProblem(branch);
          if (problem !== null) {
            throw new UsageError(
              `--state-branch: '${shownBranch(branch)}' is not a state branch omk can use: ${problem}.`,
              { hint: `Example: --state-branch ${DEFAULT_STATE_BRANCH}` },
            );
          }
          const root = (await gitRepo.inspect(options.repo ?? io.cwd)).root;
          const state = await composeRemoteState({
            repoRoot: root,
            stateRoot: store.deps.stateRoot,
            branch,
            env: io.env,
          });
          await pullGoalRef(store, state, ref, branch);
        }
        const view = await goalStatus(store, await store.resolve(ref));
        warnEdited(context, view.proof.digestValid);
        const proofCommand = (id: string) => `omk goal proof ${id}`;
        printAs(io, format, view, (status) => renderStatusText(status, proofCommand), statusReport);
      },
    );

  goalCommand(goal, 'show', "a goal's record, task graph and documents").action(
    onGoal(context, TEXT_OR_JSON, async ({ app, goalId, format }) =>
      printAs(io, format, await goalShow(app.store, goalId), renderShowText),
    ),
  );

  goalCommand(goal, 'proof', "a goal's proof: status, gates, gaps, evidence", ['text', 'json', 'md']).action(
    onGoal(context, ['text', 'json', 'md'], async ({ app, goalId, format }) => {
      const { proof, digestValid } = await readProof(app.store, goalId);
      warnEdited(context, digestValid);
      const render = format === 'md' ? renderProofMarkdown : renderProofText;
      printAs(io, format, proof, (value) => render(value, CLI_STEPS));
      // An edited proof is damaged state: scripts must not read it as the truth.
      if (!digestValid) context.setExitCode(EXIT_CODES.state);
    }),
  );

  goalCommand(goal, 'replay', "a goal's events in order (byte-identical on every run)").action(
    onGoal(context, TEXT_OR_JSON, async ({ app, goalId, format }) => {
      const { events, skipped } = await readEvents(app.store, goalId);
      for (const line of skipped) {
        io.stderr(
          `omk: warning: events.jsonl line ${line.line} skipped: ${line.reason}${line.torn ? ' (torn write)' : ''}\n`,
        );
      }
      const render = format === 'json' ? renderReplayJson : renderReplayText;
      io.stdout(render(goalId, events, skipped));
    }),
  );

  goalCommand(goal, 'budget', "a goal's budget: limits, spend, remaining, checkpoints").action(
    onGoal(context, TEXT_OR_JSON, async ({ app, goalId, format }) =>
      printAs(io, format, await budgetView(app.store, goalId), renderBudgetText),
    ),
  );
}

function warnEdited(context: ProgramContext, digestValid: boolean): void {
  if (!digestValid) {
    context.io.stderr(
      'omk: warning: proof.json does not match its digest: it was edited after omk wrote it. Do not trust it.\n',
    );
  }
}
