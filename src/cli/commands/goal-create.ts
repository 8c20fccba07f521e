import type { Command } from 'commander';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import {
  agentChoiceOf,
  createGoalRequestSchema,
  parseRequest,
  pickStartOptions,
  runVerdict,
  type StartFlags,
  startGoal,
  startRequestInput,
} from '../../runtime/app/index.js';
import { renderCreatedText, renderProofMarkdown } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { json, startOptions, withFormat, withRunHostOptions } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';
import { printExecuted, type RunFlags, reportExecuted, runProgress } from './goal-execute.js';

/** The flags: the start options (the runtime's catalogue, app/start-options.ts), --repo and the run's. */
interface CreateFlags extends RunFlags, StartFlags {
  repo?: string;
}

const DESCRIPTIONS = {
  run: 'create a goal, plan it and execute it: agents in worktrees, gates, review, local integration, proof',
  plan: 'create a goal and plan it (task graph, PRD, technical plan, test spec) without running anything',
} as const;

export function registerCreateCommands(goal: Command, context: ProgramContext): void {
  for (const mode of ['run', 'plan'] as const) {
    const command = withFormat(goal.command(mode).description(DESCRIPTIONS[mode]))
      .argument('<goal>', 'what to achieve, in words, e.g. "fix the failing tests and add a regression test"')
      .option('--repo <path>', 'the git repository to work on (default: the current directory)');
    for (const option of startOptions()) command.addOption(option);
    withRunHostOptions(command).action(
      act<CreateFlags>(context, async (call) => {
        const { options, ref: text, io, format } = call;
        const request = parseRequest(createGoalRequestSchema, {
          ...startRequestInput(pickStartOptions(options, 'cli')),
          goal: text,
          rawGoal: text,
          repo: options.repo ?? io.cwd,
        });
        const { progress, io: notes } = runProgress(call);
        const app = call.compose(notes);
        const { created, executed } = await progress.around(() =>
          abortOnSignal(processSignals(), (signal) =>
            startGoal(app, {
              create: request,
              mode,
              agent: agentChoiceOf({ ...options, agent: request.agent }),
              execute: {
                after: 'deliver',
                untilReady: request.untilReady,
                signal,
                keepWorktrees: options.keepWorktrees,
              },
              onCreated: async (goal) => {
                if (mode === 'run') progress.start(app.store, goal.goal.id);
              },
            }),
          ),
        );
        const paths = app.store.paths(created.goal.id);
        if (executed !== null) {
          const verdict = reportExecuted(app, executed, request.untilReady);
          printExecuted(io, executed, format, paths.dir);
          return verdict;
        }
        if (format === 'json') io.stdout(json({ ...created, paths }));
        else if (format === 'md') io.stdout(renderProofMarkdown(created.proof, CLI_STEPS));
        else {
          const { id } = created.goal;
          const next = `next: omk goal proof ${id}   omk goal show ${id}   omk goal replay ${id}\n`;
          io.stdout(`${renderCreatedText(created, CLI_STEPS)}state: ${paths.dir}\n${next}`);
        }
        // A run that stopped before executing (a question for a person, no slice to run).
        if (mode === 'run')
          return runVerdict({ stoppedBy: null, proof: created.proof }, request.untilReady) ?? undefined;
      }),
    );
  }
}
