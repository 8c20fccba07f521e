import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GOAL } from '../../src/adapters/demo/fixture.js';
import { DEMO_FILES_TEST_GATE_ONLY } from '../helpers/demo-test-gate.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { REVIEW_FIX_AGENT as AGENT } from '../helpers/review-fix-agent.js';

/** On a slice it does what the demo agent does; on a review fix, what the request asks. */
describe('omk goal fix', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let agentDir: string;
  let agent = '';
  let id = '';
  let integrator = 0;
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    // No lint gate: no fix here is about it, and the goal and each fix would run it once more.
    repo = await createTempRepo({ ...DEMO_FILES_TEST_GATE_ONLY });
    state = await tempStateDir();
    agentDir = await mkdtemp(join(tmpdir(), 'omk-cli-fix-agent-'));
    agent = `script:${join(agentDir, 'agent.mjs')}`;
    await writeFile(join(agentDir, 'agent.mjs'), AGENT);
    await chmod(join(agentDir, 'agent.mjs'), 0o755);
    const run = await omk('goal', 'run', DEMO_GOAL, '--agent', agent, '--until-ready', '--json');
    expect(run.code, run.stderr).toBe(0);
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    const opened = await omk('goal', 'open-pr', id, '--policy', 'auto-pr', '--format', 'json');
    expect(opened.code, opened.stderr).toBe(0);
    const delivered = (
      JSON.parse(opened.stdout) as { delivered: { sliceId: string | null; number: number }[] }
    ).delivered;
    integrator = delivered.find((pull) => pull.sliceId === null)?.number ?? 0;
  }, 180_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('commits the change on the PR branch, verifies again and reports the proof', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a VERSION export', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    const outcome = JSON.parse(fixed.stdout) as {
      kind: string;
      proofStatus: string;
      report: { headSha: string };
    };
    expect(outcome.kind).toBe('applied');
    expect(outcome.proofStatus).toBe('ready');
    const after = git(repo.root, 'rev-parse', branch);
    expect(after).not.toBe(before);
    expect(outcome.report.headSha).toBe(after);
    expect(git(repo.root, 'show', `${after}:src/math.js`)).toContain('export const VERSION = 2;');
    const events = await omk('goal', 'replay', id);
    expect(events.stdout).toContain('fix_applied');
    // The fix is a task of the goal's graph: status and hud show it with its state and attempt.
    const status = await omk('goal', 'status', id, '--json');
    expect(JSON.parse(status.stdout).fixes).toEqual([
      { id: 'fix-1', pr: integrator, status: 'done', attempts: 1 },
    ]);
    expect((await omk('goal', 'status', id)).stdout).toContain(
      `fix     fix-1 for PR #${integrator}: done, attempt 1`,
    );
    // The watch lists it like a slice: its request, its task's events and its ending.
    const watched = await omk('goal', 'watch', id);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`fix 1 asked on PR #${integrator} \\(cli:`));
    expect(watched.stdout).toContain('fix-1: agent started (attempt 1)');
    expect(watched.stdout).toContain(`fix 1 applied on PR #${integrator}`);
    const streamed = await omk('goal', 'watch', id, '--json');
    const types = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['fix_requested', 'fix_applied']));
    const hud = await omk('hud', id, '--once', '--json');
    expect(JSON.parse(hud.stdout).goals[0].fixes).toEqual([
      { id: 'fix-1', pr: integrator, status: 'done', attempts: 1 },
    ]);
  }, 120_000);

  it('a fix task left running by a dead controller runs again on resume, its dead agent recorded', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const dir = join(state.dir, 'goals', id);
    const graph = JSON.parse(await readFile(join(dir, 'task-graph.json'), 'utf8')) as { fixes: unknown[] };
    const request = {
      id: 'comment:77',
      text: 'add a NAME export',
      path: null,
      line: null,
      author: 'rev',
      replyTo: null,
    };
    graph.fixes.push({
      id: 'fix-2',
      fix: 2,
      pr: integrator,
      sliceId: null,
      requests: [request],
      status: 'running',
      attempts: 1,
      result: null,
    });
    await writeFile(join(dir, 'task-graph.json'), JSON.stringify(graph));
    const execution = JSON.parse(await readFile(join(dir, 'execution.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const dead = { pid: 2_147_483, host: hostname() };
    execution.fixRun = {
      taskId: 'fix-2',
      attempt: 1,
      head: before,
      workspace: join(dir, 'gone'),
      branch,
      agentProcess: dead,
    };
    await writeFile(join(dir, 'execution.json'), JSON.stringify(execution));
    const goal = JSON.parse(await readFile(join(dir, 'goal.json'), 'utf8')) as Record<string, unknown>;
    const controller = {
      ...dead,
      startedAt: new Date().toISOString(),
      heartbeatAt: new Date().toISOString(),
    };
    await writeFile(
      join(dir, 'goal.json'),
      JSON.stringify({ ...goal, status: 'interrupted', resumeTo: 'running', controller }),
    );

    const resumed = await omk('goal', 'resume', id, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = git(repo.root, 'rev-parse', branch);
    expect(after).not.toBe(before);
    expect(git(repo.root, 'show', `${after}:src/math.js`)).toContain("export const NAME = 'math';");
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as {
      status: string;
      fixes: unknown[];
    };
    expect(status.status).toBe('ready');
    expect(status.fixes[1]).toEqual({ id: 'fix-2', pr: integrator, status: 'done', attempts: 1 });
    const events = (await omk('goal', 'replay', id, '--json')).stdout;
    expect(events).toMatch(/"type":"worker_dead".*"taskId":"fix-2"/);
    // The resumed fix ends as a first run does: its event, once (fix-1's is not written again).
    const ended = (
      JSON.parse(events) as { events: { type: string; data: { fix: number; headSha: string } }[] }
    ).events
      .filter((event) => event.type === 'fix_applied' || event.type === 'fix_failed')
      .map((event) => event.data);
    expect(ended.map((data) => data.fix)).toEqual([1, 2]);
    expect(ended[1]?.headSha).toBe(after);
    expect(events).toMatch(/"type":"fix_applied".*"fix":2/);
  }, 120_000);

  it('a fix asked after that resumed one, which no fix_requested names, is fix-3 and is recorded', async () => {
    // fix-2 above is in the graph but was never asked by a fix_requested event (a `fix` killed
    // between its graph write and its event): counting events alone named this fix fix-2 again,
    // and it ended as "Fix fix-2 … was not recorded" (exit 3).
    const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a KIND export', '--json');
    expect(fixed.stderr).not.toContain('was not recorded');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((JSON.parse(fixed.stdout) as { kind: string }).kind).toBe('applied');
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as { fixes: unknown[] };
    expect(status.fixes[2]).toEqual({ id: 'fix-3', pr: integrator, status: 'done', attempts: 1 });
  }, 120_000);

  it('refuses a PR the goal did not deliver, and a PR number that is not one', async () => {
    const unknown = await omk('goal', 'fix', id, '--pr', '999', 'add a VERSION export');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`PR #999 is not one of goal ${id}'s PRs.`);
    const bad = await omk('goal', 'fix', id, '--pr', 'three', 'add a VERSION export');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--pr: 'three' is not a PR number.");
    const empty = await omk('goal', 'fix', id, '--pr', '999', '  ');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      'omk: error: Say what to change. Example: omk goal fix latest --pr 3 "rename x"',
    );
    const long = await omk('goal', 'fix', id, '--pr', '999', 'x'.repeat(8001));
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('omk: error: The change asked for is 8001 characters; at most 8000.');
  }, 60_000);

  it('refuses a goal whose budget is spent, before any agent runs, and names budget-add', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const goalFile = join(state.dir, 'goals', id, 'goal.json');
    const saved = await readFile(goalFile, 'utf8');
    const goal = JSON.parse(saved) as { budget: { timeMs: number | null } };
    // Less time than the run already spent.
    await writeFile(
      goalFile,
      `${JSON.stringify({ ...goal, budget: { ...goal.budget, timeMs: 1 } }, null, 2)}\n`,
    );
    try {
      const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a README note');
      expect(fixed.code).toBe(4);
      expect(fixed.stderr).toContain(
        `Goal ${id}'s time budget is spent, so no agent runs to fix PR #${integrator}.`,
      );
      expect(fixed.stderr).toContain(`omk goal budget-add ${id}`);
      expect(git(repo.root, 'rev-parse', branch)).toBe(before);
      // No fix asked: fix-1 and fix-3 are the goal's only fix_requested events (fix-2 has none).
      const events = await omk('goal', 'replay', id);
      expect(events.stdout.match(/fix_requested/g)).toHaveLength(2);
    } finally {
      await writeFile(goalFile, saved);
    }
  }, 60_000);

  it('a fix stopped by its budget while waiting out a rate limit exits with the budget code, its branch as it was', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const limited = join(agentDir, 'limited.mjs');
    // What an agent CLI prints when its provider answers 429, asking for two minutes.
    await writeFile(
      limited,
      "#!/usr/bin/env node\nprocess.stderr.write('API Error: 429 Too Many Requests: rate limit exceeded. Please retry after 120s.\\n');\nprocess.exit(1);\n",
    );
    await chmod(limited, 0o755);
    const goalDir = join(state.dir, 'goals', id);
    const lines = (await readFile(join(goalDir, 'budget.jsonl'), 'utf8')).trim().split('\n');
    const spent = (JSON.parse(lines.at(-1) ?? '{}') as { spent: { timeMs: number } }).spent.timeMs;
    const goalFile = join(goalDir, 'goal.json');
    const setTime = async (timeMs: number | null) => {
      const goal = JSON.parse(await readFile(goalFile, 'utf8')) as { budget: { timeMs: number | null } };
      await writeFile(
        goalFile,
        `${JSON.stringify({ ...goal, budget: { ...goal.budget, timeMs } }, null, 2)}\n`,
      );
    };
    const original = (JSON.parse(await readFile(goalFile, 'utf8')) as { budget: { timeMs: number | null } })
      .budget.timeMs;
    // A minute left: the two-minute wait the agent asks for would pass it, so omk stops waiting.
    await setTime(spent + 60_000);
    try {
      const fixed = await omk(
        'goal',
        'fix',
        id,
        '--pr',
        String(integrator),
        '--agent',
        `script:${limited}`,
        'add a KIND export',
      );
      expect(fixed.code, fixed.stderr).toBe(9);
      expect(fixed.stderr).toContain(`ran the fix of PR #${integrator} but was rate-limited once`);
      expect(fixed.stderr).toContain('the time budget is spent');
      expect(fixed.stderr).toContain(`omk goal budget-add ${id}`);
      expect(git(repo.root, 'rev-parse', branch)).toBe(before);
    } finally {
      await setTime(original);
    }
  }, 60_000);

  it('refuses a goal that has not settled as ready, not ready or failed, before any agent runs', async () => {
    const branch = `omk/${id}/integration`;
    const before = git(repo.root, 'rev-parse', branch);
    const cancelled = await omk('goal', 'cancel', id, '--reason', 'done with it');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const fixed = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a VERSION export');
    expect(fixed.code).toBe(4);
    expect(fixed.stderr).toContain(`Goal ${id} is cancelled; its PRs take fixes only once it has settled`);
    expect(git(repo.root, 'rev-parse', branch)).toBe(before);
  }, 60_000);
});
