import { existsSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createExecutionEnv, type ExecutionEnv, GOALS, SLICES, waitFor } from '../helpers/execution.js';

/** An elapsed time as omk writes one (runtime/text/duration.ts): 587 ms, 4.5 s, 1m5s. */
const DURATION = '(?:\\d+ ms|\\d+\\.\\d s|(?:\\d+[dhms])+)';

let env: ExecutionEnv;
const ESC = '\x1b';

afterEach(async () => {
  await env.cleanup();
});

/**
 * Agents of these tests wait, before they act, until the watch showed them running: `waitForWatch`
 * makes the file once the watch wrote `seen`. The goal is thus watched while it runs, however
 * loaded the machine, and no agent waits longer than that.
 */
const WATCHED = (release: string) =>
  `const deadline = Date.now() + 60_000;\nwhile (!exists(${JSON.stringify(release)}) && Date.now() < deadline) await sleep(25);`;

/** Runs `omk goal watch <args>`; once its output holds `seen`, makes `release`. */
const watchReleasing = (args: string[], seen: string, release: string) => {
  const watch = env.spawnOmk('goal', 'watch', ...args);
  let out = '';
  watch.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes(seen) && !existsSync(release)) writeFileSync(release, '');
  });
  return watch.exited;
};

const slowFix = (release: string) =>
  [
    "console.log('reading src/parser.js');",
    WATCHED(release),
    "console.log('writing the fix');",
    "write(writes[0] === 'README.md' ? 'README.md' : 'src/parser.js', writes[0] === 'README.md' ? '# fixture\\n\\nMore.\\n' : 'export const parse = (text) => text.trim();\\n');",
  ].join('\n');

describe('omk goal watch', () => {
  it('without a terminal: one line per event of a goal run by another process, then its exit code', async () => {
    env = await createExecutionEnv();
    const release = join(env.kit.dir, 'watched');
    const agent = await env.kit.script('slow-fix', slowFix(release));
    const id = await env.plan(GOALS.parallel);
    const run = env.spawnOmk('goal', 'execute', id, '--agent', agent);
    const watched = await watchReleasing([id, '--interval', '100'], 'agent started', release);
    const ran = await run.exited;
    expect(ran.code, ran.stderr).toBe(0);
    const status = (await env.goal(id)).status;
    expect(watched.code, watched.stderr).toBe(status === 'ready' ? 0 : 10);
    const lines = watched.stdout.split('\n');
    for (const slice of [SLICES.readme, SLICES.parserSecond]) {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${slice}: agent started \\(attempt 1\\)$`)),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${slice}: gates `)),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${slice}: done \\(attempt 1\\)$`)),
      );
    }
    expect(lines).toContainEqual(expect.stringMatching(/ execution finished$/));
    expect(lines.at(-2)).toBe(`goal ${id} ${status}`);
    // No ANSI: a log file gets plain lines.
    expect(watched.stdout).not.toContain('\x1b[');
  });

  it('--json streams every event as NDJSON, the same as events.jsonl, and exits 10 for a goal that is not ready', async () => {
    env = await createExecutionEnv();
    const release = join(env.kit.dir, 'watched');
    const agent = await env.kit.script(
      'gives-up',
      `${WATCHED(release)}\nconsole.log('cannot fix it');\nprocess.exit(1);`,
    );
    const id = await env.plan(GOALS.single);
    const run = env.spawnOmk('goal', 'execute', id, '--agent', agent);
    const watched = await watchReleasing(
      [id, '--json', '--interval', '100'],
      '"type":"agent_started"',
      release,
    );
    await run.exited;
    expect((await env.goal(id)).status).toBe('not_ready');
    expect(watched.code, watched.stderr).toBe(10);
    const streamed = watched.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string });
    const written = await env.events(id);
    // Everything up to the settled status: delivery may still add events after the watch ends.
    expect(streamed).toEqual(
      written.slice(0, streamed.length).map((e) => ({ ...e, v: 1, ts: expect.any(String) })),
    );
    expect(streamed.map((e) => e.type)).toContain('task_pending');
    expect(streamed.map((e) => e.seq)).toEqual(streamed.map((_, i) => i + 1));
  });

  it('on a terminal: redraws the slices in place (cursor up), with attempt, elapsed, the agent’s last line and gates', async () => {
    env = await createExecutionEnv();
    const id = await env.plan(GOALS.parallel);
    const dir = env.goalDir(id);
    const events = join(dir, 'events.jsonl');
    const seqStart = (await env.events(id)).length;
    let seq = seqStart;
    const append = async (type: string, data: Record<string, unknown>) => {
      seq += 1;
      await appendFile(
        events,
        `${JSON.stringify({ v: 1, seq, ts: new Date().toISOString(), type, data })}\n`,
      );
    };
    await mkdir(join(dir, 'artifacts', 'agent-runs', SLICES.readme), { recursive: true });
    await writeFile(
      join(dir, 'artifacts', 'agent-runs', SLICES.readme, 'transcript-2.log'),
      '# omk: agent x, task s1, attempt 2\n\nediting README.md\n\x1b[31mrunning the tests\x1b[0m\n',
    );
    let out = '';
    const exit = runCli(['goal', 'watch', id, '--interval', '100'], {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        out += text;
      },
      env: { OMK_STATE_DIR: env.stateDir, HOME: env.stateDir },
      cwd: env.repo.root,
      stdoutIsTTY: true,
      columns: 200,
    });
    await waitFor('the first drawing', () => out.includes(`goal ${id} [planned]`));
    await append('execution_started', { pid: process.pid, host: 'here', agent: 'x' });
    await append('task_leased', { taskId: SLICES.readme, attempt: 2, worker: process.pid });
    await append('agent_started', { taskId: SLICES.readme, attempt: 2, pid: process.pid });
    await append('task_leased', { taskId: SLICES.parserSecond, attempt: 1, worker: process.pid });
    await append('gates_verified', { taskId: SLICES.parserSecond, sha: 'abc', outcomes: ['test:passed'] });
    await append('task_done', { taskId: SLICES.parserSecond, attempt: 1, headSha: 'abc' });
    await waitFor('the slices redrawn', () => out.includes('running the tests'));
    const cancel = await env.omk('goal', 'cancel', id);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(await exit).toBe(4);

    const frames = out.split(new RegExp(`${ESC}\\[\\d+A`));
    expect(frames.length).toBeGreaterThan(2);
    const last = frames.at(-1) ?? '';
    expect(last).toContain(`goal ${id} [cancelled]`);
    expect(last).toMatch(
      new RegExp(`\\* ${SLICES.readme}\\s+running\\s+attempt 2\\s+${DURATION}\\s+› running the tests`),
    );
    expect(last).toMatch(
      new RegExp(`✓ ${SLICES.parserSecond}\\s+done\\s+attempt 1\\s+${DURATION}\\s+gates test:passed`),
    );
    // Each line is cleared before it is written, and the block's height is what the cursor goes back.
    const drawn = last.split(`\r${ESC}[2K`).length - 1;
    const ups = [...out.matchAll(new RegExp(`${ESC}\\[(\\d+)A`, 'g'))].map((m) => Number(m[1]));
    expect(ups.at(-1)).toBeGreaterThanOrEqual(3);
    expect(drawn).toBeGreaterThanOrEqual(3);
    // The transcript's escape sequences never reach the terminal.
    expect(out).not.toContain('\x1b[31m');
  });

  it('refuses a bad --interval and an unknown goal with what to do', async () => {
    env = await createExecutionEnv();
    await env.plan(GOALS.single);
    const bad = await env.omk('goal', 'watch', '--interval', 'often');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('omk goal watch --interval 500');
    const none = await env.omk('goal', 'watch', 'no-such-goal-abc123');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("No goal 'no-such-goal-abc123'");
  });
});
