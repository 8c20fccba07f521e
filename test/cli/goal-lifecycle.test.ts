import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { type DirSnapshot, snapshotCache, snapshotDirs } from '../helpers/snapshot.js';

let repo: TempRepo;
let state: { dir: string; cleanup: () => Promise<void> };
const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });
const goalDir = (id: string) => join(state.dir, 'goals', id);

// One repository and state directory for the whole file, put back to their first state before each
// test. Most tests start from the same goal run (the default text, the demo agent, a fresh
// repository): it runs once, and later tests start from a copy of what it left (see
// test/helpers/snapshot.ts and goal-deliver.test.ts).
const fixtures = snapshotCache(() => [dirname(repo.root), state.dir]);
let pristine: DirSnapshot;

const DEFAULT_GOAL = 'fix the failing tests and add a regression test';

/** Runs `text` as a goal; the default goal, asked for first in a test, is run once per file. */
async function newGoal(text = DEFAULT_GOAL): Promise<string> {
  const run = async () => {
    const result = await omk('goal', 'run', text, '--agent', 'demo', '--json');
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
  };
  return text === DEFAULT_GOAL ? fixtures.get('the default goal run', run) : run();
}

interface Transition {
  id: string;
  from: string;
  to: string;
  proofStatus: string;
}
const transition = (stdout: string) => JSON.parse(stdout) as Transition;

beforeAll(async () => {
  repo = await createTempRepo({ 'src/app.js': 'export {}\n', 'test/app.test.js': '\n' });
  state = await tempStateDir();
  pristine = await snapshotDirs([dirname(repo.root), state.dir]);
});
beforeEach(async () => {
  await pristine.restore();
});
afterAll(async () => {
  await fixtures.remove();
  await pristine.remove();
  await repo.cleanup();
  await state.cleanup();
});

describe('lifecycle', () => {
  it('pauses, resumes to where it was, cancels with failure.json, and refuses to accept after that', async () => {
    const id = await newGoal();
    expect(transition((await omk('goal', 'pause', id, '--json')).stdout)).toMatchObject({
      from: 'not_ready',
      to: 'paused',
    });
    const again = await omk('goal', 'pause', id);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already paused');
    expect(transition((await omk('goal', 'resume', '--json')).stdout)).toMatchObject({
      from: 'paused',
      to: 'not_ready',
    });
    const cancel = await omk('goal', 'cancel', id, '--reason', 'wrong repository', '--json');
    expect(transition(cancel.stdout)).toMatchObject({ to: 'cancelled' });
    const failure = JSON.parse(await readFile(join(goalDir(id), 'failure.json'), 'utf8')) as {
      status: string;
      reason: string;
    };
    expect(failure).toMatchObject({ status: 'cancelled', reason: 'wrong repository' });
    const accept = await omk('goal', 'accept', id, '--summary', 'looks good');
    expect(accept.code).toBe(4);
    expect(accept.stderr).toContain('Cannot accept goal');
    expect(accept.stderr).toContain('cancelled');
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      delivery: { cancellation: { text: string; eventSeq: number } | null; acceptance: unknown };
    };
    expect(proof.delivery.cancellation?.text).toBe('wrong repository');
    expect(proof.delivery.acceptance).toBeNull();
  });

  it('records an acceptance with its summary and event in the proof, and refuses one without a summary', async () => {
    const id = await newGoal();
    const missing = await omk('goal', 'accept', id);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--summary is required');
    const blank = await omk('goal', 'accept', id, '--summary', '   ');
    expect(blank.code).toBe(2);
    expect(
      transition((await omk('goal', 'accept', id, '--summary', 'known gaps accepted', '--json')).stdout),
    ).toMatchObject({
      to: 'accepted',
    });
    const proof = JSON.parse((await omk('goal', 'proof', id, '--json')).stdout) as {
      status: string;
      knownGaps: unknown[];
      delivery: { acceptance: { text: string; eventSeq: number } };
    };
    expect(proof.delivery.acceptance.text).toBe('known gaps accepted');
    // Acceptance does not launder gaps: the proof still says what is missing.
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps.length).toBeGreaterThan(0);
    const replay = JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as {
      events: { seq: number; type: string }[];
    };
    const accepted = replay.events.find((event) => event.type === 'goal_accepted');
    expect(accepted?.seq).toBe(proof.delivery.acceptance.eventSeq);
    const reject = await omk('goal', 'reject', id, '--reason', 'changed my mind');
    expect(reject.code).toBe(4);
  });

  it('rejects with a reason', async () => {
    const id = await newGoal();
    const missing = await omk('goal', 'reject', id);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--reason is required');
    expect(
      transition((await omk('goal', 'reject', id, '--reason', 'out of scope', '--json')).stdout).to,
    ).toBe('rejected');
  });

  it('resume --auto takes over goals whose controller died, and refuses a running goal with a live controller', async () => {
    const id = await newGoal();
    const path = join(goalDir(id), 'goal.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const { hostname } = await import('node:os');
    const dead = {
      pid: 2 ** 22 + 17,
      host: hostname(),
      startedAt: '2026-01-01T00:00:00.000Z',
      heartbeatAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(path, JSON.stringify({ ...record, status: 'running', controller: dead }));
    const refused = await omk('goal', 'resume', id);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('resume --auto');
    const auto = await omk('goal', 'resume', '--auto', '--json');
    expect(auto.code).toBe(0);
    expect(JSON.parse(auto.stdout)).toEqual([{ id, from: 'interrupted', to: 'running' }]);
    // A live controller keeps its heartbeat fresh.
    const alive = { ...dead, pid: process.pid, heartbeatAt: new Date().toISOString() };
    await writeFile(
      path,
      JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), status: 'running', controller: alive }),
    );
    const live = await omk('goal', 'resume', id);
    expect(live.code).toBe(4);
    expect(live.stderr).toContain(`controller pid ${process.pid}`);
    expect(JSON.parse((await omk('goal', 'resume', '--auto', '--json')).stdout)).toEqual([]);
  });
});

describe('a controller on another host', () => {
  it('goes stale once its heartbeat is older than the lease: resume --auto takes the goal over', async () => {
    const id = await newGoal();
    const path = join(goalDir(id), 'goal.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    // The container was restarted under a new hostname: the old controller's host is not this one.
    const elsewhere = (heartbeatAt: string) => ({
      pid: process.pid,
      host: 'container-before-restart',
      startedAt: '2026-01-01T00:00:00.000Z',
      heartbeatAt,
    });
    await writeFile(
      path,
      JSON.stringify({ ...record, status: 'running', controller: elsewhere(new Date().toISOString()) }),
    );
    // A fresh heartbeat elsewhere holds: the goal is left alone, and execute says it is busy.
    expect(JSON.parse((await omk('goal', 'resume', '--auto', '--json')).stdout)).toEqual([]);
    expect((await omk('goal', 'execute', id)).code).toBe(5);
    const stale = new Date(Date.now() - 5 * 60_000).toISOString();
    await writeFile(path, JSON.stringify({ ...record, status: 'running', controller: elsewhere(stale) }));
    const auto = await omk('goal', 'resume', '--auto', '--json');
    expect(auto.code, auto.stderr).toBe(0);
    expect(JSON.parse(auto.stdout)).toEqual([{ id, from: 'interrupted', to: 'running' }]);
    const status = await omk('goal', 'status', id);
    expect(status.stdout).not.toContain('container-before-restart');
  });
});

describe('budget', () => {
  it('shows checkpoints and extends limits with budget-add', async () => {
    const result = await omk(
      'goal',
      'plan',
      'fix the failing tests',
      '--budget-time',
      '30m',
      '--budget-usd',
      '5',
      '--json',
    );
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    const none = await omk('goal', 'budget-add', id);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('at least one of --time, --tokens, --usd');
    const bad = await omk('goal', 'budget-add', id, '--time', '5x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--time: '5x'");
    const added = JSON.parse(
      (await omk('goal', 'budget-add', id, '--time', '1h', '--tokens', '50k', '--json')).stdout,
    ) as {
      limits: { timeMs: number; tokens: number; usd: number };
      checkpoints: { kind: string }[];
    };
    expect(added.limits).toEqual({ timeMs: 5_400_000, tokens: 50_000, usd: 5 });
    expect(added.checkpoints.map((c) => c.kind)).toEqual(['set', 'add']);
    const text = await omk('goal', 'budget', id);
    expect(text.stdout).toContain('time 1h30m');
    expect(text.stdout).toMatch(
      /#2 \S+ {2}limits raised to time 1h30m, tokens 50,000, usd \$5\.00 \(added time 1h, tokens 50,000\)\n/,
    );
  });
});

describe('events and state files', () => {
  it('replays byte-identically across invocations and reports a torn last line without failing', async () => {
    const id = await newGoal();
    const first = await omk('goal', 'replay', id);
    const second = await omk('goal', 'replay', id);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout).toMatch(/^#1 \S+ goal_created /m);
    const json1 = await omk('goal', 'replay', id, '--json');
    expect((await omk('goal', 'replay', id, '--json')).stdout).toBe(json1.stdout);

    await appendFile(join(goalDir(id), 'events.jsonl'), '{"v":1,"seq":99,"ts":"2026-');
    const torn = await omk('goal', 'replay', id, '--json');
    expect(torn.code).toBe(0);
    expect(torn.stderr).toContain('torn write');
    const parsed = JSON.parse(torn.stdout) as { events: unknown[]; skipped: { torn: boolean }[] };
    expect(parsed.skipped).toEqual([expect.objectContaining({ torn: true })]);
    // The next write repairs around the torn fragment and keeps numbering.
    expect((await omk('goal', 'pause', id)).code).toBe(0);
    const after = JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as {
      events: { seq: number; type: string }[];
    };
    const last = after.events.at(-1);
    expect(after.events.some((event) => event.type === 'goal_paused')).toBe(true);
    expect(last?.seq).toBe(after.events.length);
  });

  it('refuses a goal.json written by a newer omk with a clear message (exit 6)', async () => {
    const id = await newGoal();
    const path = join(goalDir(id), 'goal.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...record, version: 9 }));
    const result = await omk('goal', 'show', id);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('version 9');
    expect(result.stderr).toContain('Upgrade omk');
  });

  it('warns when proof.json was edited after omk wrote it', async () => {
    const id = await newGoal();
    const path = join(goalDir(id), 'proof.json');
    const proof = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...proof, status: 'ready' }));
    const result = await omk('goal', 'proof', id);
    expect(result.stderr).toContain('does not match its digest');
    expect(result.code).toBe(6);
  });

  it('keeps a goal consistent when several processes change it at once', async () => {
    const id = await newGoal();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => omk('goal', 'budget-add', id, '--tokens', '1000', '--json')),
    );
    const ok = results.filter((r) => r.code === 0).length;
    for (const r of results) expect([0, 5]).toContain(r.code);
    const view = JSON.parse((await omk('goal', 'budget', id, '--json')).stdout) as {
      limits: { tokens: number };
      checkpoints: { seq: number; kind: string }[];
    };
    expect(view.limits.tokens).toBe(ok * 1000);
    expect(view.checkpoints.filter((c) => c.kind === 'add')).toHaveLength(ok);
    const replay = JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as {
      events: { seq: number }[];
      skipped: unknown[];
    };
    expect(replay.skipped).toEqual([]);
    expect(replay.events.map((e) => e.seq)).toEqual(replay.events.map((_, i) => i + 1));
  });
});

describe('list and id resolution', () => {
  it('lists goals newest first and resolves latest and unique prefixes', async () => {
    const first = await newGoal('fix the parser crash');
    const second = await newGoal('add a csv export command');
    const list = JSON.parse((await omk('goal', 'list', '--json')).stdout) as { id: string }[];
    expect(list.map((g) => g.id)).toEqual([second, first]);
    const latest = JSON.parse((await omk('goal', 'status', '--json')).stdout) as { id: string };
    expect(latest.id).toBe(second);
    const byPrefix = JSON.parse((await omk('goal', 'status', 'fix-the-parser', '--json')).stdout) as {
      id: string;
    };
    expect(byPrefix.id).toBe(first);
  });
});
