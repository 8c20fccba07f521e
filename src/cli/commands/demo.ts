import type { Command } from 'commander';
import { createDemoRepository, DEMO_GOAL } from '../../adapters/demo/fixture.js';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import { demoVerdict, runDemo } from '../../runtime/app/index.js';
import {
  demoBaselineLines,
  demoFailureText,
  demoPlanLine,
  renderDemoText,
} from '../../runtime/app/render.js';
import { act } from '../command.js';
import { composeRuntime } from '../context.js';
import type { ProgramContext } from '../program.js';
import { CLI_STEPS } from '../wording.js';
import { reportExecuted } from './goal-execute.js';

/**
 * `omk demo`: the whole job offline. A fixture repository with a real failing test, a goal planned
 * into two slices, the built-in demo agent (deterministic, not an AI) in worktrees, gates, review,
 * local integration and a proof. No network, no token.
 */
export function registerDemoCommand(program: Command, context: ProgramContext): void {
  program
    .command('demo')
    .description('run omk end to end offline on a fixture repository with the built-in demo agent')
    .action(
      act(context, async ({ io }) => {
        const started = performance.now();
        const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
        const say = (text: string) => io.stdout(`[${seconds().padStart(5)}s] ${text}\n`);
        io.stdout(
          'omk demo: offline, no network, no token. The agent is the built-in demo agent: deterministic, not an AI.\n\n',
        );
        const root = await createDemoRepository();
        say(`fixture repository: ${root}`);
        // The runtime's notes are lines of the demo's story, timed like the rest.
        const notes = { ...io, stderr: (text: string) => say(text.replace(/^omk: /, '').trimEnd()) };
        // The demo never leaves this machine: the local forge, whatever token the environment holds.
        const runtime = composeRuntime(notes, context.stateDir(), { forge: 'local' });
        const outcome = await abortOnSignal(processSignals(), (signal) =>
          runDemo(runtime, {
            root,
            goal: DEMO_GOAL,
            signal,
            onBaseline: (baseline) => {
              for (const line of demoBaselineLines(baseline, DEMO_GOAL)) say(line);
            },
            onPlanned: (created) => say(demoPlanLine(created)),
          }),
        );
        const verdict = reportExecuted(runtime, outcome.executed, true);
        const { id } = outcome.created.goal;
        const stateDir = context.stateDir();
        const inspect = (verb: string) =>
          `npx omk${stateDir ? ` --state-dir ${stateDir}` : ''} goal ${verb} ${id}`;
        const dir = runtime.store.paths(id).dir;
        io.stdout(renderDemoText(outcome, { dir, root, steps: CLI_STEPS, inspect }));
        if (outcome.succeeded) say(`done: proof ready and merged in ${seconds()}s`);
        else io.stderr(`omk demo: ${demoFailureText(outcome)}\n`);
        return demoVerdict(outcome.succeeded, verdict ?? null);
      }),
    );
}
