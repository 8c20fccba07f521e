import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { BUGGY_FIXTURE, createExecutionEnv, type ExecutionEnv, GOALS, SLICES } from '../helpers/execution.js';
import { runOmk } from '../helpers/omk.js';

let env: ExecutionEnv;
const ESC = '\x1b';

afterEach(async () => {
  await env.cleanup();
});

/** Written by {@link runAtTerminal} once the slice was drawn as running. */
const drawnRunning = () => join(env.kit.dir, 'drawn-running');
/** A bound on the wait of {@link FIX}: the agent goes on after it even if the slice never was drawn. */
const DRAWN_LIMIT_MS = 60_000;

/**
 * The fix; `slowly` waits in the middle until a terminal run drew the slice as running (a file the
 * test writes when it sees that line), not for a time. Tests that draw nothing while the agent runs
 * take it at once.
 */
const fix = (slowly: boolean) =>
  [
    "console.log('looking at the parser');",
    ...(slowly
      ? [
          `const drawn = ${JSON.stringify(drawnRunning())};`,
          `const deadline = Date.now() + ${DRAWN_LIMIT_MS};`,
          'while (!exists(drawn) && Date.now() < deadline) await sleep(25);',
        ]
      : []),
    "console.log('writing the fix');",
    "write('src/parser.js', 'export const parse = (text) => text.trim();\\n');",
  ].join('\n');
const FIX = () => fix(true);
const FIX_NOW = () => fix(false);

/**
 * runCli in this process with stderr a (fake) terminal: what a person at a terminal sees. Once it
 * drew a slice as running, it lets the agent of {@link FIX} go on.
 */
async function runAtTerminal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let drawn = false;
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
      if (!drawn && /\* \S+\s+running\s+attempt 1/.test(stderr)) {
        drawn = true;
        writeFileSync(drawnRunning(), '');
      }
    },
    // Unconfined like the other CLI tests (the kit's agents keep their logs outside the worktree).
    env: {
      OMK_STATE_DIR: env.stateDir,
      HOME: env.stateDir,
      PATH: process.env.PATH ?? '',
      OMK_SANDBOX: 'off',
    },
    cwd: env.repo.root,
    stdoutIsTTY: true,
    stderrIsTTY: true,
    columns: 160,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

describe('progress of a run', () => {
  it('goal execute on a terminal: the slices redrawn in place on stderr; stdout keeps the plain result', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix', FIX());
    const id = await env.plan(GOALS.single);
    const run = await runAtTerminal(['goal', 'execute', id, '--agent', agent]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    expect(run.stderr).toContain(`goal ${id} [running]`);
    expect(run.stderr).toMatch(new RegExp(`\\* ${SLICES.bug}\\s+running\\s+attempt 1`));
    expect(run.stderr).toMatch(new RegExp(`✓ ${SLICES.bug}\\s+done\\s+attempt 1`));
    // The runtime's notes still reach stderr, above the block.
    expect(run.stderr).toContain('omk: ');
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).toContain(id);
  });

  it('goal resume on a terminal: the same progress as run, and the result on stdout', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix', FIX());
    const id = await env.plan(GOALS.single);
    // A goal whose run was interrupted (its controller gone) before any slice ran.
    const path = join(env.stateDir, 'goals', id, 'goal.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...record, status: 'interrupted', resumeTo: 'running' }));
    const resumed = await runAtTerminal(['goal', 'resume', id, '--agent', agent]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    expect(resumed.stderr).toContain(`goal ${id} [running]`);
    expect(resumed.stderr).toMatch(new RegExp(`✓ ${SLICES.bug}\\s+done\\s+attempt 1`));
    expect(resumed.stdout).not.toContain(ESC);
    expect(resumed.stdout).toContain(id);
  });

  it('goal run --json on a terminal, and --quiet: no progress drawn', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix', FIX_NOW());
    const json = await runAtTerminal(['goal', 'run', GOALS.single, '--agent', agent, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).not.toContain(ESC);
    // Which planner planned, and why (this script agent answers no plan, so the heuristic did).
    expect(json.stderr).toMatch(
      /: planned 1 slice\(s\) \(heuristic planner: agent planner \(script:\S+\) not used: .+\); executing/,
    );
    expect(JSON.parse(json.stdout)).toHaveProperty('proof');

    const quiet = await runAtTerminal(['--quiet', 'goal', 'run', GOALS.single, '--agent', agent]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('proof');
  });

  it('--quiet prints only the result (not a terminal)', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script('fix', FIX_NOW());
    const quietId = await env.plan(GOALS.single);
    const quiet = await env.omk('goal', 'execute', quietId, '--agent', agent, '--quiet');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain(quietId);
  });

  // One goal run with --verbose and one without, on a slice whose gate does not pass.
  it('--verbose adds the events, the agent’s output lines and the last lines of a gate that did not pass; without it, only the notes (not a terminal)', async () => {
    env = await createExecutionEnv(BUGGY_FIXTURE);
    // Looks busy and fixes nothing: the committed failing test still fails.
    const agent = await env.kit.script(
      'noop',
      "console.log('looking at the parser');\nwrite('src/parser.js', read('src/parser.js') + '// looked at it\\n');",
    );
    const id = await env.plan(GOALS.single);
    const verbose = await env.omk('--verbose', 'goal', 'execute', id, '--agent', agent);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toMatch(new RegExp(`${SLICES.bug}: agent started \\(attempt 1\\)`));
    expect(verbose.stderr).toMatch(new RegExp(`${SLICES.bug} › looking at the parser`));
    expect(verbose.stderr).not.toContain(ESC);
    // The header, then the log's last lines indented, ending with omk's own exit line of the run.
    const tail = new RegExp(
      `^${SLICES.bug} › gate test pre-existing:\\n(?:    .+\\n){0,7}    === exit 1 in \\d+ ms\\n`,
      'm',
    );
    expect(verbose.stderr).toMatch(tail);

    // Without --verbose: the runtime's notes, no events and no gate log lines.
    const normalId = await env.plan(GOALS.single);
    const normal = await env.omk('goal', 'execute', normalId, '--agent', agent);
    expect(normal.code, normal.stderr).toBe(0);
    expect(normal.stderr).toContain('omk: ');
    expect(normal.stderr).not.toContain('agent started');
    expect(normal.stderr).not.toMatch(/ › gate \S+ (failed|pre-existing):$/m);
  });

  // Its terminal run is also the test that `goal run` draws in place once the goal exists.
  it('a gate failing on the base too, judged by exit code, is never called pre-existing while the run is shown', async () => {
    // An optional lint gate omk cannot read (free text, exit 1) on the base and on the head.
    const config = [
      'version: 1',
      'gates:',
      '  list:',
      '    - name: style',
      '      kind: lint',
      '      run: ["sh", "scripts/lint.sh"]',
      '      required: false',
      '',
    ].join('\n');
    env = await createExecutionEnv({
      ...BUGGY_FIXTURE,
      'scripts/lint.sh': '#!/bin/sh\necho "the style checker is unhappy"\nexit 1\n',
      '.omk/config.yml': config,
    });
    const agent = await env.kit.script('fix', FIX_NOW());
    const words = 'style:failing on base too, judged by exit code';

    const verbose = await env.omk(
      '--verbose',
      'goal',
      'execute',
      await env.plan(GOALS.single),
      '--agent',
      agent,
    );
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toMatch(new RegExp(`${SLICES.bug}: gates test:passed; ${words}$`, 'm'));
    expect(verbose.stderr).toContain(
      `${SLICES.bug} › gate style failing on base too, judged by exit code:\n`,
    );
    expect(verbose.stderr).not.toMatch(/pre[-_]existing/);

    const live = await runAtTerminal(['goal', 'run', GOALS.single, '--agent', agent]);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    expect(live.stderr).toMatch(
      new RegExp(
        `✓ ${SLICES.bug}\\s+done\\s+attempt 1\\s+(?:\\d+ ms|\\d+\\.\\d s|(?:\\d+[dhms])+)\\s+gates test:passed; ${words}`,
      ),
    );
    expect(live.stderr).not.toMatch(/pre[-_]existing/);
  });

  it('OMK_DEBUG=1 adds the stack trace to an error; without it there is none', async () => {
    env = await createExecutionEnv();
    const plain = await env.omk('goal', 'status', 'no-such-goal-abc123');
    expect(plain.code).toBe(3);
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    const debug = await runOmkWithEnv(['goal', 'status', 'no-such-goal-abc123'], { OMK_DEBUG: '1' });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toContain('omk: error: ');
    expect(debug.stderr).toMatch(/^debug: NotFoundError/m);
    expect(debug.stderr).toMatch(/^\s+at .*\.js:\d+:\d+/m);
  });
});

async function runOmkWithEnv(args: string[], extra: Record<string, string>) {
  return runOmk(args, { cwd: env.repo.root, stateDir: env.stateDir, env: extra });
}
