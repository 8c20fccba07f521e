import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createSystemProbes } from '../../adapters/doctor/system-probes.js';
import { doctorVerdict, runDoctor } from '../../runtime/app/index.js';
import { resolveStateRoot } from '../../runtime/app/ports.js';
import { renderDoctorText } from '../../runtime/app/render.js';
import { act } from '../command.js';
import { AGENT_NAMES, agentOption, printAs, TEXT_OR_JSON, withFormat } from '../options.js';
import type { ProgramContext } from '../program.js';
import { CLI_DOCTOR_WORDS } from '../wording.js';

const HELP_AFTER = `
Checks: git (2.25 or newer) and worktrees, the repository and its first commit, .omk/config.yml,
the agent's executable, the gates and their executables, the state root, and whether a GitHub
token is present (never printed, never sent anywhere).

Exit codes:
  0  nothing failed (warnings allowed)
  2  at least one check failed: the setup cannot run a goal; each failure shows its fix`;

/** `omk doctor`: what a goal will need on this machine, and how to fix what is missing. */
export function registerDoctorCommand(program: Command, context: ProgramContext): void {
  const command = program
    .command('doctor')
    .description('check git, the repository, config, agent, gates and state root; print how to fix problems')
    .option('--repo <path>', 'the git repository to check (default: the current directory)')
    .addOption(agentOption(`the agent to check (default: agents.default in .omk/config.yml): ${AGENT_NAMES}`))
    .addHelpText('after', HELP_AFTER);
  withFormat(command, TEXT_OR_JSON).action(
    act<{ repo?: string; agent?: string }>(context, async ({ options, io, format }) => {
      const report = await runDoctor(
        {
          repoPath: resolve(io.cwd, options.repo ?? '.'),
          agent: options.agent,
          stateRoot: context.stateDir() ?? resolveStateRoot(io.env),
          env: io.env,
          words: CLI_DOCTOR_WORDS,
        },
        createSystemProbes({ env: io.env, cwd: io.cwd }),
      );
      printAs(io, format, report, renderDoctorText);
      return doctorVerdict(report);
    }),
  );
}
