import { runCli } from '../../src/cli/run.js';
import type { OmkResult } from './omk.js';

/**
 * Runs the CLI in the test's own process: the same argv parsing, use cases, rendering and exit
 * code as `runOmk`, with the environment `runOmk` gives its child, but without starting node and
 * loading the bundle again (half a second each, more under load). For commands whose process is
 * not what the test is about: the goal runs that build a fixture, a kill, a signal or a terminal
 * stay real processes (`runOmk`, `spawnOmk`).
 */
export async function runOmkInProcess(
  args: readonly string[],
  options: { cwd: string; stateDir: string; env?: Record<string, string> },
): Promise<OmkResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.stateDir,
      OMK_STATE_DIR: options.stateDir,
      OMK_SANDBOX: 'off',
      OMK_GITHUB_WRITE_INTERVAL_MS: '0',
      ...options.env,
    },
    cwd: options.cwd,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    columns: 80,
  });
  return { code, stdout, stderr };
}
