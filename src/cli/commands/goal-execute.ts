import type { Command } from 'commander';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import { TerminalProgress } from '../../adapters/terminal/run-progress.js';
import {
  type AgentFlags,
  type AppDeps,
  agentChoiceOf,
  describeNote,
  type ExecuteOutcome,
  type ExecuteResult,
  type ExitVerdict,
  executeAndDeliver,
  executedReport,
  resolveGoal,
  reverify,
  runProgressMode,
  runVerdict,
  type SandboxMode,
} from '../../runtime/app/index.js';
import { renderExecutedText, renderProofMarkdown } from '../../runtime/app/render.js';
import { act, type Call, type Flags, goalCommand } from '../command.js';
import type { CliIo } from '../context.js';
import { json, type OutputFormat, sandboxOption, withRunOptions } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';

export interface RunFlags extends Flags, AgentFlags {
  untilReady?: boolean;
  keepWorktrees?: boolean;
}

/** Prints an execution's notes; its verdict is the exit status (interrupted, budget, not ready). */
export function reportExecuted(
  app: AppDeps,
  outcome: ExecuteOutcome,
  untilReady: boolean | undefined,
): ExitVerdict | undefined {
  for (const note of outcome.notes) app.reporter.info(describeNote(note, app.words));
  return runVerdict(outcome, untilReady) ?? undefined;
}

/**
 * A run's progress on stderr, as `omk goal watch` shows it: redrawn in place when stderr is a
 * terminal (and stdout is not JSON for a script, and not --quiet); with --verbose, one line per
 * event and the agents' output lines when stderr is not a terminal. `io` writes the runtime's notes
 * above the live block.
 */
export function runProgress({ context, io, format }: Call<object>): {
  progress: TerminalProgress;
  io: CliIo;
} {
  const verbosity = context.verbosity();
  const mode = runProgressMode({ verbosity, json: format === 'json', terminal: io.stderrIsTTY === true });
  const progress = new TerminalProgress(mode, {
    write: io.stderr,
    columns: io.columns ?? 80,
    verbose: verbosity === 'verbose',
    steps: CLI_STEPS,
    warn: (message) => io.stderr(`omk: warning: ${message}\n`),
  });
  return { progress, io: { ...io, stderr: progress.stderr } };
}

/**
 * Executes the goal `target` names (`ref` as typed, resolved for the repository the command runs
 * in; or a `goalId` already resolved), its progress on stderr as `goal run` shows it, then
 * delivers by its policies; prints the result unless told to leave it to the caller.
 */
export async function executeHere(
  call: Call<RunFlags>,
  target: { ref: string | undefined } | { goalId: string },
  print = true,
): Promise<ExitVerdict | undefined> {
  const { options } = call;
  const { progress, io } = runProgress(call);
  const app = call.compose(io);
  const goalId =
    'goalId' in target ? target.goalId : await resolveGoal(app.store, target.ref, await call.here());
  progress.start(app.store, goalId);
  const { executed, verdict } = await progress.around(async () => {
    const executed = await abortOnSignal(processSignals(), (signal) =>
      executeAndDeliver(app, {
        goalId,
        agent: agentChoiceOf(options),
        untilReady: options.untilReady,
        keepWorktrees: options.keepWorktrees,
        signal,
        after: 'deliver',
      }),
    );
    return { executed, verdict: reportExecuted(app, executed, options.untilReady) };
  });
  if (print) printExecuted(call.io, executed, call.format, app.store.paths(goalId).dir);
  return verdict;
}

export function printExecuted(
  io: { stdout: (text: string) => void },
  result: ExecuteResult,
  format: OutputFormat,
  dir: string,
): void {
  if (format === 'json') io.stdout(json(executedReport(result)));
  else if (format === 'md') io.stdout(renderProofMarkdown(result.proof, CLI_STEPS));
  else {
    const { id } = result.goal;
    const inspect = `inspect: omk goal proof ${id}   omk goal replay ${id}   omk goal show ${id}\n`;
    io.stdout(`${renderExecutedText(result, CLI_STEPS)}artifacts: ${dir}\n${inspect}`);
  }
}

export function registerExecuteCommands(goal: Command, context: ProgramContext): void {
  const formats = ['text', 'json', 'md'] as const;
  withRunOptions(
    goalCommand(
      goal,
      'execute',
      'run the planned slices: agents in worktrees, gates, review, local integration, proof',
      formats,
    ).option(
      '--until-ready',
      'retry slices up to their retries until the proof is ready, failed, blocked or out of budget',
    ),
  ).action(act<RunFlags>(context, (call) => executeHere(call, { ref: call.ref })));

  // verify and review: the gates and reviews again on the integrated tree of what is done, no agent
  // started, and the proof settled again (after a flaky run, or a config change).
  const descriptions = {
    verify: 'rerun the gates (and the reviews) on the integrated tree of the done slices; no agent runs',
    review:
      'rerun the controller and security reviews (and the gates) on the integrated change; no agent runs',
  };
  for (const [name, description] of Object.entries(descriptions)) {
    goalCommand(goal, name, description, formats)
      .addOption(sandboxOption())
      .action(
        act<Flags & { sandbox?: SandboxMode }>(context, async ({ goal: target, io, format, options }) => {
          const { app, goalId } = await target();
          const executed = await reverify(app, goalId, { sandbox: options.sandbox });
          printExecuted(io, executed, format, app.store.paths(goalId).dir);
        }),
      );
  }
}
