import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OMK_BIN = fileURLToPath(new URL('../../bin/omk.js', import.meta.url));

export interface OmkResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a subprocess, exactly as a user would (argv, no shell). */
export function runOmk(
  args: readonly string[],
  options: { cwd: string; stateDir: string; env?: Record<string, string> },
): Promise<OmkResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [OMK_BIN, ...args],
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: options.stateDir,
          OMK_STATE_DIR: options.stateDir,
          // Unconfined unless a test asks (--sandbox, or OMK_SANDBOX in options.env): the kit's
          // agents log their calls outside their worktree, which a sandbox forbids.
          OMK_SANDBOX: 'off',
          // The fake GitHub has no secondary rate limit: no second between writes (the default
          // spacing has its own test in src/adapters/github/octokit.test.ts).
          OMK_GITHUB_WRITE_INTERVAL_MS: '0',
          ...options.env,
        },
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function tempStateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'omk-state-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
