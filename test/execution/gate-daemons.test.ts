import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runningWithArgv } from '../helpers/agents.js';
import { BUGGY_FIXTURE, createExecutionEnv, type ExecutionEnv, GOALS } from '../helpers/execution.js';

// A repository whose own test command starts a detached helper daemon (as Gradle, sccache, a turbo
// daemon or a test runner's server do): the gates on the base leave it before any agent runs, so a
// slice's gates leaving the same command is the repository's habit and does not block; a command
// the agent's code added, or the daemon started by the agent itself, still does.

const token = `omk-helper-${process.pid}-${Date.now() % 100_000}`;

/** The fixture: `npm test` starts the helper (once per run, detached, in a session of its own). */
function daemonFixture(): Record<string, string> {
  return {
    ...BUGGY_FIXTURE,
    'package.json': `${JSON.stringify(
      {
        name: 'fixture',
        private: true,
        type: 'module',
        scripts: { test: 'node scripts/start-helper.js && node --test test/' },
      },
      null,
      2,
    )}\n`,
    'scripts/start-helper.js': [
      "import { spawn } from 'node:child_process';",
      "import { join } from 'node:path';",
      '// Like a build tool: a server for the next run, detached, never waited for.',
      'const flag = process.argv[2] ?? "--serve";',
      `const child = spawn(process.execPath, [join(process.cwd(), 'scripts', 'helper-server.js'), flag, '${token}'], {`,
      "  detached: true, stdio: 'ignore',",
      '});',
      'child.unref();',
      '',
    ].join('\n'),
    'scripts/helper-server.js': [
      "import { createServer } from 'node:net';",
      "createServer((socket) => socket.end('ok\\n')).listen(0, '127.0.0.1');",
      '',
    ].join('\n'),
  };
}

let env: ExecutionEnv;
beforeEach(async () => {
  env = await createExecutionEnv(daemonFixture());
});
afterEach(async () => {
  for (const pid of await runningWithArgv(token)) process.kill(pid, 'SIGKILL');
  await env.cleanup();
});

/** A shell agent: fixes the parser (the committed failing test then passes), then `extra`. */
async function agent(name: string, extra: string): Promise<string> {
  const path = join(env.kit.dir, `${name}.sh`);
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'set -e',
      // As the slice's agent only: the planner runs the same script in a directory of its own.
      '[ -f src/parser.js ] || exit 0',
      "sed -i 's/(text) => text;/(text) => text.trim();/' src/parser.js",
      extra,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return `script:${path}`;
}

async function runGoal(spec: string): Promise<{ id: string; stderr: string }> {
  const result = await env.omk('goal', 'run', GOALS.single, '--agent', spec, '--json');
  expect(result.code, result.stderr).toBe(0);
  return { id: (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id, stderr: result.stderr };
}

describe('a gate that leaves the daemon the repository’s test command starts', () => {
  it('does not block when the gates on the base left the same command: an info finding, and ready', async () => {
    const { id, stderr } = await runGoal(await agent('fixer', 'true'));
    expect(stderr).toMatch(
      /the gates on the base left (a process|\d+ processes) running \(".*helper-server\.js --serve/,
    );
    const proof = await env.proof(id);
    expect(proof.findings.filter((f) => f.severity === 'blocking')).toEqual([]);
    const info = proof.findings.filter((f) => f.severity === 'info').map((f) => f.message);
    expect(info).toContainEqual(
      expect.stringMatching(
        /^The gates left process \d+ \("\S+ <worktree>\/scripts\/helper-server\.js --serve omk-helper-[\d-]+"\) running after they ended, as they did on the goal's base before any agent ran/,
      ),
    );
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    expect(await runningWithArgv(token)).toEqual([]);
  });

  it('blocks a daemon command the agent’s code added, and the daemon the agent itself left', async () => {
    const spec = await agent(
      'starter',
      [
        // The agent starts the repository's own daemon itself: an agent's leftover always blocks.
        'node scripts/start-helper.js',
        // And its change makes the tests start another one: not what the base's gates left.
        `sed -i 's/node scripts\\/start-helper.js/node scripts\\/start-helper.js --other/' package.json`,
      ].join('\n'),
    );
    const { id } = await runGoal(spec);
    const proof = await env.proof(id);
    const blocking = proof.findings.filter((f) => f.severity === 'blocking').map((f) => f.message);
    expect(blocking).toContainEqual(
      expect.stringMatching(
        /^The agent left process \d+ running in the worktree after it ended \(".*helper-server\.js --serve omk-helper/,
      ),
    );
    expect(blocking).toContainEqual(
      expect.stringMatching(
        /^The gates \(code the agent wrote\) left process \d+ running in the worktree after it ended \(".*helper-server\.js --other omk-helper/,
      ),
    );
    expect(proof.status).not.toBe('ready');
    expect(await runningWithArgv(token)).toEqual([]);
  });
});
