import type { Command } from 'commander';
import { gitRepo } from '../../adapters/git/repo.js';
import { composeRemoteState } from '../../adapters/remote-state.js';
import {
  budgetView,
  checkGoalRef,
  DEFAULT_STATE_BRANCH,
  goalShow,
  goalStatus,
  NotFoundError,
  pullSharedGoals,
  readEvents,
  readProof,
  renderReplayJson,
  renderReplayText,
  shownBranch,
  stateBranchProblem,
  UsageError,
} from '../../runtime/app/index.js';
import { renderProofMarkdown, renderProofText } from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatOf, json, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { renderBudget, renderList, renderShow, renderStatus, statusJson } from '../render/goal.js';
import { CLI_STEPS } from '../wording.js';

type FormatOptions = { format?: string; json?: boolean };

export function registerReadCommands(goal: Command, context: ProgramContext): void {
  const { io } = context;
  const runtime = () => composeRuntime(io, context.stateDir());

  withFormat(goal.command('list').description('list goals, newest first'), ['text', 'json']).action(
    async (options: FormatOptions) => {
      const format = formatOf(options, ['text', 'json']);
      const goals = await runtime().store.list();
      io.stdout(format === 'json' ? json(goals.map(statusJson.summary)) : renderList(goals));
    },
  );

  withFormat(goal.command('status').description("a goal's status, proof status and progress"), [
    'text',
    'json',
  ])
    .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
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
        const format = formatOf(options, ['text', 'json']);
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
            branch: options.stateBranch,
            env: io.env,
          });
          const wanted = ref === 'latest' ? null : checkGoalRef(ref);
          if ((await pullSharedGoals(store, state, wanted)) === null) {
            throw new NotFoundError(
              `The remote has no ${options.stateBranch ?? DEFAULT_STATE_BRANCH} branch yet.`,
              {
                hint: 'Goals appear there once the Action or the bot has run one.',
              },
            );
          }
        }
        const view = await goalStatus(store, await store.resolve(ref));
        warnEdited(context, view.proof.digestValid);
        io.stdout(format === 'json' ? json(statusJson.full(view)) : renderStatus(view));
      },
    );

  withFormat(goal.command('show').description("a goal's record, task graph and documents"), ['text', 'json'])
    .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
    .action(async (ref: string, options: FormatOptions) => {
      const format = formatOf(options, ['text', 'json']);
      const { store } = runtime();
      const view = await goalShow(store, await store.resolve(ref));
      io.stdout(format === 'json' ? json(view) : renderShow(view));
    });

  withFormat(goal.command('proof').description("a goal's proof: status, gates, gaps, evidence"))
    .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
    .action(async (ref: string, options: FormatOptions) => {
      const format = formatOf(options);
      const { store } = runtime();
      const { proof, digestValid } = await readProof(store, await store.resolve(ref));
      warnEdited(context, digestValid);
      if (format === 'json') io.stdout(json(proof));
      else
        io.stdout(
          format === 'md' ? renderProofMarkdown(proof, CLI_STEPS) : renderProofText(proof, CLI_STEPS),
        );
      // An edited proof is damaged state: scripts must not read it as the truth.
      if (!digestValid) context.setExitCode(EXIT_CODES.state);
    });

  withFormat(goal.command('replay').description("a goal's events in order (byte-identical on every run)"), [
    'text',
    'json',
  ])
    .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
    .action(async (ref: string, options: FormatOptions) => {
      const format = formatOf(options, ['text', 'json']);
      const { store } = runtime();
      const id = await store.resolve(ref);
      const { events, skipped } = await readEvents(store, id);
      for (const line of skipped) {
        io.stderr(
          `omk: warning: events.jsonl line ${line.line} skipped: ${line.reason}${line.torn ? ' (torn write)' : ''}\n`,
        );
      }
      io.stdout(
        format === 'json' ? renderReplayJson(id, events, skipped) : renderReplayText(id, events, skipped),
      );
    });

  withFormat(goal.command('budget').description("a goal's budget: limits, spend, remaining, checkpoints"), [
    'text',
    'json',
  ])
    .argument('[GOAL_ID]', "goal id, unique prefix, or 'latest'", 'latest')
    .action(async (ref: string, options: FormatOptions) => {
      const format = formatOf(options, ['text', 'json']);
      const { store } = runtime();
      const view = await budgetView(store, await store.resolve(ref));
      io.stdout(format === 'json' ? json(view) : renderBudget(view));
    });
}

function warnEdited(context: ProgramContext, digestValid: boolean): void {
  if (!digestValid) {
    context.io.stderr(
      'omk: warning: proof.json does not match its digest: it was edited after omk wrote it. Do not trust it.\n',
    );
  }
}
