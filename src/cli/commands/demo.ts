import type { Command } from 'commander';
import { createDemoRepository, DEMO_GOAL } from '../../adapters/demo/fixture.js';
import { abortOnSignal, processSignals } from '../../adapters/process/signals.js';
import { runDemo } from '../../runtime/app/index.js';
import { renderProofText } from '../../runtime/app/render.js';
import { composeRuntime } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
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
    .action(async () => {
      const { io } = context;
      const started = performance.now();
      const say = (text: string) =>
        io.stdout(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}\n`);
      io.stdout(
        'omk demo: offline, no network, no token. The agent is the built-in demo agent: deterministic, not an AI.\n\n',
      );

      const root = await createDemoRepository();
      say(`fixture repository: ${root}`);
      const runtime = composeRuntime(
        { ...io, stderr: (text) => say(text.replace(/^omk: /, '').trimEnd()) },
        context.stateDir(),
        { forge: 'local' },
      );
      const { created, executed, merge, succeeded } = await abortOnSignal(processSignals(), (signal) =>
        runDemo(runtime, {
          root,
          goal: DEMO_GOAL,
          signal,
          onBaseline: ({ gates, failing }) => {
            say(`detected gates: ${gates.map((gate) => `${gate.name} (${gate.argv.join(' ')})`).join(', ')}`);
            const shown = failing.map((gate) => `${gate.name} ${gate.outcome} (exit ${gate.exitCode})`);
            say(`before the fix: ${shown.join(', ')} — the bug is real`);
            say(`goal: "${DEMO_GOAL}"`);
          },
          onPlanned: ({ graph }) => {
            const slices = graph.tasks.map((task) => `${task.id} writes ${task.writes.join(', ')}`);
            say(`plan (${graph.planner.name} planner): ${slices.join('; ')}`);
          },
        }),
      );
      reportExecuted(context, runtime, executed, true);
      const { proof } = executed;
      io.stdout(`\n${renderProofText(proof, CLI_STEPS)}\n`);
      const pulls = proof.delivery.pullRequests.map((pr) => `#${pr.number} ${pr.sliceId ?? 'integrator'}`);
      io.stdout(`pull requests (local forge): ${pulls.join(', ') || 'none'}\n`);
      io.stdout(
        merge
          ? `gated merge: the integrator PR is merged into ${merge.target} as ${merge.sha.slice(0, 12)}\n`
          : 'gated merge: not merged\n',
      );
      const dir = runtime.store.paths(created.goal.id).dir;
      io.stdout(`artifacts: ${dir}\n`);
      io.stdout(`fixture:   ${root} (branches omk/${created.goal.id}/*)\n`);
      const stateFlag = context.stateDir() ? ` --state-dir ${context.stateDir()}` : '';
      io.stdout(`inspect:   npx omk${stateFlag} goal proof ${created.goal.id}\n`);
      io.stdout(`           npx omk${stateFlag} goal replay ${created.goal.id}\n`);
      if (!succeeded) {
        io.stderr(
          `omk demo: the proof is ${proof.status}${merge ? '' : ' and nothing was merged'}. This is a bug in omk; please report it.\n`,
        );
        context.setExitCode(EXIT_CODES.not_ready);
        return;
      }
      say(`done: proof ready and merged in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    });
}
