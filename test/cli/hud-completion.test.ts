import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutionEnv, type ExecutionEnv, GOALS, SLICES, waitFor } from '../helpers/execution.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

interface Snapshot {
  at: string;
  goals: {
    id: string;
    status: string;
    tasks: Record<string, number>;
    workers: { slice: string; pid: number; attempt: number; elapsedMs: number | null }[];
    lastEvent: { seq: number; type: string } | null;
  }[];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('omk hud', () => {
  it('--once --json shows the running agent (pid, slice, attempt, elapsed), task counts and the last event; then nothing once the goal settles', async () => {
    env = await createExecutionEnv();
    // The agent works until the test has seen it in the hud (a file the test writes), not for a time.
    const seen = join(env.kit.dir, 'seen-in-hud');
    const agent = await env.kit.script(
      'slow-fix',
      [
        'const deadline = Date.now() + 60_000;',
        `while (!exists(${JSON.stringify(seen)}) && Date.now() < deadline) await sleep(25);`,
        "write('src/parser.js', 'export const parse = (text) => text.trim();\\n');",
      ].join('\n'),
    );
    const id = await env.plan(GOALS.single);
    const run = env.spawnOmk('goal', 'execute', id, '--agent', agent);

    const snapshot = await waitFor('a worker in the hud', async () => {
      const result = await env.omk('hud', '--once', '--json');
      expect(result.code, result.stderr).toBe(0);
      const parsed = JSON.parse(result.stdout) as Snapshot;
      return parsed.goals[0]?.workers.length ? parsed : undefined;
    });
    const [goal] = snapshot.goals;
    expect(goal?.id).toBe(id);
    expect(goal?.status).toBe('running');
    expect(goal?.tasks.running).toBe(1);
    const [worker] = goal?.workers ?? [];
    expect(worker?.slice).toBe(SLICES.bug);
    expect(worker?.attempt).toBe(1);
    expect(worker?.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(alive(worker?.pid ?? -1)).toBe(true);
    expect(goal?.lastEvent?.seq).toBeGreaterThan(1);

    const text = await env.omk('hud', id, '--once');
    expect(text.stdout).toContain(`goal ${id} [running]`);
    expect(text.stdout).toMatch(new RegExp(`agent ${SLICES.bug}: pid \\d+ on .+, attempt 1`));
    await writeFile(seen, '');

    expect((await run.exited).code).toBe(0);
    const after = JSON.parse((await env.omk('hud', '--once', '--json')).stdout) as Snapshot;
    expect(after.goals).toEqual([]);
    // A settled goal asked for by id is shown with its final counts and no worker.
    const settled = JSON.parse((await env.omk('hud', id, '--once', '--json')).stdout) as Snapshot;
    expect(settled.goals[0]?.workers).toEqual([]);
    expect(settled.goals[0]?.tasks.done).toBe(1);
    // Live mode ends by itself when nothing it shows is active.
    const live = await env.omk('hud', id, '--interval', '100');
    expect(live.code).toBe(0);
    expect(live.stdout).toContain(`goal ${id} [`);
  });

  it('refuses a bad --interval and an unknown goal with what to do', async () => {
    env = await createExecutionEnv();
    const bad = await env.omk('hud', '--interval', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--interval');
    expect(bad.stderr).toContain('omk hud --interval 1000');
    const empty = await env.omk('hud', '--once');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no goal is running, paused or interrupted');
    await env.plan(GOALS.single);
    const none = await env.omk('hud', 'no-such-goal-abc123', '--once');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("No goal 'no-such-goal-abc123'");
  });
});

describe('omk completion', () => {
  it('bash: the generated script completes commands, subcommands and options of the real tree', async () => {
    env = await createExecutionEnv();
    const script = await env.omk('completion', 'bash');
    expect(script.code, script.stderr).toBe(0);
    const file = join(env.stateDir, 'omk.bash');
    await writeFile(file, script.stdout);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${file}; COMP_WORDS=(omk ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _omk_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('go')).toEqual(['goal']);
    expect(complete('goal', 'sta')).toEqual(['status']);
    // A GOAL_ID argument does not hide the command's options.
    expect(complete('goal', 'status', 'my-goal-abc123', '--j')).toEqual(['--json']);
    expect(complete('goal', 'clean', '--a')).toEqual(['--all']);
    expect(complete('h')).toEqual(['hud']);
  });

  it('zsh and fish scripts name the same commands; an unknown shell is refused with an example', async () => {
    env = await createExecutionEnv();
    const zsh = await env.omk('completion', 'zsh');
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _omk_complete omk');
    const fish = await env.omk('completion', 'fish');
    expect(fish.stdout).toContain("complete -c omk -n '__fish_use_subcommand' -a goal");
    expect(fish.stdout).toMatch(/__fish_seen_subcommand_from clean' -l all/);
    const bad = await env.omk('completion', 'powershell');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bash, zsh, fish');
  });
});
