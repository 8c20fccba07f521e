import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, runningWithArgv } from '../helpers/agents.js';
import { createExecutionEnv, type ExecutionEnv, GOALS, waitFor } from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

// Processes an agent or its code leave in a session of their own that first change directory out
// of the worktree (`cd /`), so no search by working directory finds them, and then wait to act on
// the worktree and the shared `.git` after omk's checks. The sandbox is off: confined, the sandbox's
// pid namespace ends them with the run (sandboxed-agents.test.ts). Unsandboxed on Linux, each run's
// subreaper ends what it left when it ends: also an escapee that dropped omk's run mark (`env -i`).

let env: ExecutionEnv;
const strays: number[] = [];

beforeEach(async () => {
  env = await createExecutionEnv();
});
afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  await env.cleanup();
});

/**
 * The escapee's script: it leaves the worktree, says where it is, waits for `trigger` (a shell
 * condition), then patches the worktree and plants a hook in the shared `.git`.
 */
function escapee(pidFile: string, trigger: string): string {
  return [
    'cd /',
    `echo $$ > ${pidFile}`,
    `until ${trigger}; do sleep 0.05; done`,
    'echo "// patched later" >> "$0/src/parser.js"',
    `printf '#!/bin/sh\\necho planted\\n' > "$1/hooks/post-checkout"`,
    'chmod +x "$1/hooks/post-checkout"',
    'sleep 300',
  ].join('; ');
}

async function runGoal(agent: string): Promise<string> {
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', agent, '--sandbox', 'off', '--json');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

async function blockingOf(id: string): Promise<string[]> {
  const proof = await env.proof(id);
  expect(proof.status).not.toBe('ready');
  expect((await env.goal(id)).status).not.toBe('ready');
  return proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
}

const hook = () => join(env.repo.root, '.git', 'hooks', 'post-checkout');

describe('an agent that leaves a process which changes directory out of the worktree', () => {
  it('is found by its run mark, killed, and blocks the slice; it never patches nor plants', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const pidFile = join(env.kit.dir, 'escapee.pid');
    const events = join(env.stateDir, 'goals', '*', 'events.jsonl');
    // It acts once the slice is done (every check of the agent passed), as it would after omk.
    const script = escapee(pidFile, `grep -qs task_done ${events}`);
    const path = join(env.kit.dir, 'escaping-agent.sh');
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'set -e',
        "printf '\\n// a harmless edit\\n' >> src/parser.js",
        'common=$(cd "$(git rev-parse --git-common-dir)" && pwd)',
        `setsid sh -c '${script.replaceAll("'", "'\\''")}' "$(pwd)" "$common" </dev/null >/dev/null 2>&1 &`,
        // Ended before the escapee is in its own session, it would die with the agent's group.
        `while [ ! -s ${pidFile} ]; do sleep 0.05; done`,
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    const id = await runGoal(`script:${path}`);
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    const blocking = await blockingOf(id);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        new RegExp(`^The agent left process ${pid}( \\(.*\\))? running after it ended; omk ended it`),
      ),
    );
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(hook())).toBe(false);
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
  });
});

describe('a gate that leaves a process which changes directory out of the worktree', () => {
  it('is found by its run mark after the gates, killed, and blocks the slice', async () => {
    const main = git(env.repo.root, 'rev-parse', 'main');
    const pidFile = join(env.kit.dir, 'gate-escapee.pid');
    // It acts once the test process that started it has ended (the gates are over).
    const script = escapee(pidFile, '! kill -0 "$2" 2>/dev/null');
    const path = join(env.kit.dir, 'gate-escaping-agent.sh');
    await writeFile(
      path,
      `#!/bin/sh
set -e
printf '\\n// a harmless edit\\n' >> src/parser.js
cat > test/escape.test.js <<'JS'
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
test('escape', async () => {
  const common = ${JSON.stringify(join(env.repo.root, '.git'))};
  const child = spawn('setsid', ['sh', '-c', ${JSON.stringify(script)}, process.cwd(), common, String(process.pid)], {
    stdio: 'ignore',
  });
  child.unref();
  // Out of this process group before the gate ends.
  while (!existsSync(${JSON.stringify(pidFile)}) || readFileSync(${JSON.stringify(pidFile)}, 'utf8') === '') {
    await new Promise((done) => setTimeout(done, 50));
  }
});
JS
`,
    );
    await chmod(path, 0o755);
    const id = await runGoal(`script:${path}`);
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    const blocking = await blockingOf(id);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^The gates \\(code the agent wrote\\) left process ${pid}( \\(.*\\))? running after it ended; omk ended it`,
        ),
      ),
    );
    await waitFor('the escapee to be gone', () => !isAlive(pid), 10_000);
    expect(existsSync(hook())).toBe(false);
    expect(git(env.repo.root, 'rev-parse', 'refs/heads/main')).toBe(main);
  });
});

describe('a planner that leaves a process which changes directory out of its directory', () => {
  it('is ended before delivery, by its run mark, and the run delivers nothing', async () => {
    const pidFile = join(env.kit.dir, 'planner-escapee.pid');
    const path = join(env.kit.dir, 'escaping-planner.sh');
    // As the planner (no slice checks run around it), it leaves an escapee and answers nothing, so
    // the heuristic plan is used; as the slice's agent, it does the work and leaves nothing.
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'if [ "$OMK_TASK_ID" = plan ]; then',
        `  setsid sh -c 'cd /; echo $$ > ${pidFile}; exec sleep 300' </dev/null >/dev/null 2>&1 &`,
        `  while [ ! -s ${pidFile} ]; do sleep 0.05; done`,
        '  exit 1',
        'fi',
        "printf '\\n// a harmless edit\\n' >> src/parser.js",
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    const result = await env.omk(
      'goal',
      'run',
      GOALS.single,
      '--agent',
      `script:${path}`,
      '--sandbox',
      'off',
    );
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(new RegExp(`left a process running after its run ended: pid ${pid}\\b`));
    expect(result.stderr).toContain('delivered nothing');
    await waitFor('the escapee to be gone', () => !isAlive(pid), 10_000);
  });
});

/**
 * A line leaving an unmarked escapee: double-forked, `setsid`, `env -i` (no omk run mark, no
 * HOME), `cd /`, `marker` in its argv. Once `trigger` holds it patches the worktree ($1), adds an
 * fsmonitor to the shared `.git/config` ($2/config) and plants a hook. The line waits until it is out.
 */
function unmarkedEscapee(marker: string, pidFile: string, trigger: string, args: string): string {
  const body = [
    'cd /',
    `echo $$ > ${pidFile}`,
    `until ${trigger}; do sleep 0.05; done`,
    'echo "// patched later" >> "$1/src/parser.js"',
    `printf '[core]\\n\\tfsmonitor = touch /tmp/${marker}-ran\\n' >> "$2/config"`,
    `printf '#!/bin/sh\\necho planted\\n' > "$2/hooks/post-checkout"`,
    'chmod +x "$2/hooks/post-checkout"',
    'sleep 300',
  ].join('; ');
  return [
    `( env -i PATH=/usr/bin:/bin setsid sh -c '${body.replaceAll("'", "'\\''")}' ${marker} ${args} </dev/null >/dev/null 2>&1 & )`,
    `while [ ! -s ${pidFile} ]; do sleep 0.05; done`,
  ].join('\n');
}

describe('an agent that leaves an unmarked escapee (env -i, setsid, double fork, cd /)', () => {
  it("is ended by the agent's subreaper when the agent ends: it never patches nor plants", async () => {
    const marker = `omk-agent-escapee-${process.pid}`;
    const configBefore = await readFile(join(env.repo.root, '.git', 'config'), 'utf8');
    const pidFile = join(env.kit.dir, 'unmarked.pid');
    const events = join(env.stateDir, 'goals', '*', 'events.jsonl');
    const path = join(env.kit.dir, 'unmarked-agent.sh');
    await writeFile(
      path,
      [
        '#!/bin/sh',
        'set -e',
        "printf '\\n// a harmless edit\\n' >> src/parser.js",
        'common=$(cd "$(git rev-parse --git-common-dir)" && pwd)',
        // It acts once the slice is done, as it would after omk's checks.
        unmarkedEscapee(marker, pidFile, `grep -qs task_done ${events}`, '"$(pwd)" "$common"'),
        '',
      ].join('\n'),
    );
    await chmod(path, 0o755);
    const id = await runGoal(`script:${path}`);
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    expect(await runningWithArgv(marker)).toEqual([]);
    const blocking = await blockingOf(id);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        new RegExp(`^The agent left process ${pid}( \\(.*\\))? running after it ended; omk ended it`),
      ),
    );
    expect(await readFile(join(env.repo.root, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(hook())).toBe(false);
    expect(existsSync(`/tmp/${marker}-ran`)).toBe(false);
  });
});

describe('a gate that leaves an unmarked escapee (env -i, setsid, double fork, cd /)', () => {
  it("is ended by the gate's subreaper when the gate ends: it never patches nor plants", async () => {
    const marker = `omk-gate-escapee-${process.pid}`;
    const configBefore = await readFile(join(env.repo.root, '.git', 'config'), 'utf8');
    const pidFile = join(env.kit.dir, 'gate-unmarked.pid');
    // It acts once the test process that started it has ended (the gates are over).
    const line = unmarkedEscapee(marker, pidFile, '! kill -0 "$3" 2>/dev/null', '"$1" "$2" "$3"');
    const path = join(env.kit.dir, 'gate-unmarked-agent.sh');
    await writeFile(
      path,
      `#!/bin/sh
set -e
printf '\\n// a harmless edit\\n' >> src/parser.js
cat > test/escape.test.js <<'JS'
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
test('escape', () => {
  const common = ${JSON.stringify(join(env.repo.root, '.git'))};
  execFileSync('sh', ['-c', ${JSON.stringify(line)}, 'sh', process.cwd(), common, String(process.pid)], { stdio: 'ignore' });
});
JS
`,
    );
    await chmod(path, 0o755);
    const id = await runGoal(`script:${path}`);
    const pid = Number(await readFile(pidFile, 'utf8'));
    strays.push(pid);
    expect(await runningWithArgv(marker)).toEqual([]);
    const blocking = await blockingOf(id);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^The gates \\(code the agent wrote\\) left process ${pid}( \\(.*\\))? running after it ended; omk ended it`,
        ),
      ),
    );
    expect(await readFile(join(env.repo.root, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(hook())).toBe(false);
    expect(existsSync(`/tmp/${marker}-ran`)).toBe(false);
  });
});
