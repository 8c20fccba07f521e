import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultStep } from '../../src/runtime/ports.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/server.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';

// The fault harness: a delivery goal (`omk goal run … --policy auto-pr --merge-policy gated
// --forge github`, one slice, so a slice PR, an integrator PR and a gated merge) against the fake
// GitHub on loopback, SIGKILLed at one point: right after an event of a kind is appended
// (OMK_FAULT_AFTER_EVENT, the journal's test-only hook) or while an API call of a kind is in
// flight (the fake holds it before or after carrying it out). Then `omk goal resume --auto`, and
// a rerun of the delivery when nothing was left to resume, until the goal settles. What is
// counted: duplicates on the fake GitHub, events and decisions on disk before the kill and gone
// after, a goal left unsettled, a missing proof.json. Used by test/faults/faults.test.ts (a
// sample) and bench/faults.mjs (--smoke, --all), which bundles this file with esbuild.

export const OWNER = 'acme';
export const REPO = 'widgets';
const TOKEN = 'ghs_fault_token_0123456789abcdef';
const GOAL = 'refactor src/parser.js';
/** Settled: nothing more for omk to do. A delivery goal that is fine ends `merged`. */
const SETTLED = new Set(['merged', 'cancelled', 'rejected', 'failed']);
/** How many recovery commands a point may take before the goal counts as stuck. */
const MAX_RECOVERIES = 4;

export type FaultPoint =
  | { kind: 'event'; type: string; n: number }
  | { kind: 'api'; operationId: string; phase: 'before' | 'after' }
  /** A step that appends no event (OMK_FAULT_AT): see FAULT_STEPS. */
  | { kind: 'step'; step: FaultStep }
  /** While the planning agent runs (it hangs until the harness has killed omk). */
  | { kind: 'planner' };

/** The planning points, in the order a run reaches them: the first event is written after them all. */
export const PLANNING_POINTS: FaultPoint[] = [
  { kind: 'step', step: 'goal_recorded' },
  { kind: 'planner' },
  { kind: 'step', step: 'plan_proposed' },
  { kind: 'step', step: 'plan_files_written' },
  { kind: 'step', step: 'goal_planned' },
];

export function pointName(point: FaultPoint): string {
  switch (point.kind) {
    case 'event':
      return `after event ${point.type}${point.n > 1 ? `:${point.n}` : ''}`;
    case 'api':
      return `during ${point.operationId} (${point.phase} GitHub carries it out)`;
    case 'step':
      return `at step ${point.step}`;
    case 'planner':
      return 'while the planning agent runs';
  }
}

export interface PointResult {
  point: string;
  /** Did the kill land (false: the run never reached the point). */
  killed: boolean;
  duplicates: string[];
  lost: string[];
  /**
   * The status the goal was left in when it did not settle, or what goal.json said after the
   * first recovery command when its events already recorded the merge; null when it settled.
   */
  stuck: string | null;
  proof: boolean;
  /** The commands run after the kill, with their exit codes. */
  recovery: string[];
  seconds: number;
}

export interface Reference {
  /** Event types in the order a clean run appends them (first occurrence). */
  events: string[];
  /** API operation ids in the order a clean run first calls them, with whether each writes. */
  operations: { operationId: string; writes: boolean }[];
  result: PointResult;
}

const PACKAGE = `${JSON.stringify(
  { name: 'fault-fixture', private: true, type: 'module', scripts: { test: 'node --test test/' } },
  null,
  2,
)}\n`;

const FILES: Record<string, string> = {
  // No CI runs on the fake GitHub: the gated merge must not wait for one.
  '.omk/config.yml': 'version: 1\nmerge:\n  requireChecks: none\n',
  'package.json': PACKAGE,
  'README.md': '# fault fixture\n',
  'src/parser.js': 'export const parse = (text) => text;\n',
  'test/parser.test.js': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { parse } from '../src/parser.js';",
    "test('parse keeps text', () => assert.equal(parse('a'), 'a'));",
    '',
  ].join('\n'),
};

/** Next to the agent: while this file exists, the planning agent hangs (the harness kills omk then). */
const HANG_PLANNER = 'hang-planner';
/** What a hanging planning agent writes in its working directory, so the harness knows it runs. */
const PLANNING_MARKER = 'planning.pid';

/**
 * Appends a comment to every path in the slice's write set. Asked to plan, it answers nothing
 * (the heuristic plans), or, while HANG_PLANNER exists next to it, notes its pid in its working
 * directory and waits until the file is gone.
 */
const TOUCH_AGENT = `#!/usr/bin/env node
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const hang = join(dirname(fileURLToPath(import.meta.url)), '${HANG_PLANNER}');
if (process.env.OMK_TASK_ID === 'plan' && existsSync(hang)) {
  writeFileSync('${PLANNING_MARKER}', String(process.pid));
  const timer = setInterval(() => { if (!existsSync(hang)) clearInterval(timer); }, 50);
}
for (const path of JSON.parse(process.env.OMK_WRITES ?? '[]')) {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) continue;
  appendFileSync(path, '\\n// touched by ' + process.env.OMK_TASK_ID + '\\n');
}
`;

interface Fixture {
  repo: TempRepo;
  stateDir: string;
  agent: string;
  fake: FakeGitHub;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function setUp(): Promise<Fixture> {
  const repo = await createTempRepo(FILES);
  git(repo.root, 'push', '--quiet', 'origin', 'main');
  const stateDir = await mkdtemp(join(tmpdir(), 'omk-fault-state-'));
  const agent = join(stateDir, 'touch.mjs');
  await writeFile(agent, TOUCH_AGENT);
  await chmod(agent, 0o755);
  const fake = await startFakeGitHub({ owner: OWNER, repo: REPO, bareRepoPath: repo.origin, token: TOKEN });
  git(repo.root, 'remote', 'set-url', 'origin', fake.gitUrl);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: stateDir,
    OMK_STATE_DIR: stateDir,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: fake.url,
    // The fake GitHub has no secondary rate limit; the walk is about recovery, not pacing.
    OMK_GITHUB_WRITE_INTERVAL_MS: '0',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  };
  return {
    repo,
    stateDir,
    agent,
    fake,
    env,
    async cleanup() {
      await fake.close();
      await repo.cleanup();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function startOmk(
  bin: string,
  args: readonly string[],
  fixture: Fixture,
  extra: Record<string, string> = {},
) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: fixture.repo.root,
    env: { ...fixture.env, ...extra },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exited };
}

function runArgs(fixture: Fixture): string[] {
  return [
    'goal',
    'run',
    GOAL,
    '--agent',
    `script:${fixture.agent}`,
    '--policy',
    'auto-pr',
    '--merge-policy',
    'gated',
    '--forge',
    'github',
    '--json',
  ];
}

/** The one goal under the state dir, or null before it exists. */
async function goalId(stateDir: string): Promise<string | null> {
  const ids = await readdir(join(stateDir, 'goals')).catch(() => [] as string[]);
  return ids[0] ?? null;
}

async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Events and decisions as identities that survive a rewrite of the file (seq, type, data). */
async function history(stateDir: string, id: string): Promise<Set<string>> {
  const dir = join(stateDir, 'goals', id);
  const keys = new Set<string>();
  for (const line of await readLines(join(dir, 'events.jsonl'))) {
    try {
      const event = JSON.parse(line) as { type: string; data: unknown; ts: string };
      keys.add(`event ${event.type} ${event.ts} ${JSON.stringify(event.data)}`);
    } catch {
      // a torn last line: the kill landed mid-write, nothing was promised for it
    }
  }
  for (const line of await readLines(join(dir, 'decisions.jsonl'))) {
    try {
      const decision = JSON.parse(line) as { kind: string; decision: string; ts?: string };
      keys.add(`decision ${decision.kind} ${decision.ts ?? ''} ${decision.decision}`);
    } catch {
      // as above
    }
  }
  return keys;
}

/**
 * The plan's history a recovered goal lacks: its opening and plan events (a run killed while it
 * planned must be planned again, not executed from a task graph its log never names).
 */
async function planGaps(stateDir: string, id: string): Promise<string[]> {
  const types = new Set<string>();
  for (const line of await readLines(join(stateDir, 'goals', id, 'events.jsonl'))) {
    try {
      types.add((JSON.parse(line) as { type: string }).type);
    } catch {
      // a torn line
    }
  }
  return ['goal_created', 'graph_validated', 'plan_written']
    .filter((type) => !types.has(type))
    .map((type) => `no ${type} event in the recovered goal's log`);
}

async function goalStatus(stateDir: string, id: string): Promise<string> {
  const text = await readFile(join(stateDir, 'goals', id, 'goal.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { status?: string }).status ?? 'missing';
}

/** Whether events.jsonl records the merge (`goal_merged`). */
async function mergeRecorded(stateDir: string, id: string): Promise<boolean> {
  const lines = await readLines(join(stateDir, 'goals', id, 'events.jsonl'));
  return lines.some((line) => {
    try {
      return (JSON.parse(line) as { type: string }).type === 'goal_merged';
    } catch {
      return false;
    }
  });
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Duplicates on the fake GitHub: PRs per head, check runs per name and head, labels, comments, merges. */
export function duplicatesOn(fake: FakeGitHub): string[] {
  const found: string[] = [];
  const twice = (what: string, keys: string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) found.push(`${what}: ${key}`);
      seen.add(key);
    }
  };
  const pulls = [...fake.state.pulls.values()];
  twice(
    'PR',
    pulls.map((p) => p.head),
  );
  twice(
    'check run',
    fake.state.checkRuns.map((r) => `${r.name}@${r.headSha}`),
  );
  for (const pull of pulls) twice(`label on #${pull.number}`, pull.labels);
  twice(
    'comment',
    fake.state.comments.map((c) => JSON.stringify(c)),
  );
  twice(
    'merge',
    fake.requests
      .filter((r) => r.operationId === 'pulls/merge' && r.status === 200 && !r.injected)
      .map((r) => r.path),
  );
  return found;
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-2).join(' / ').slice(0, 300);
}

/** Kills the child (SIGKILL) and waits until it is gone. */
async function kill(child: ChildProcess, exited: Promise<Exit>): Promise<void> {
  child.kill('SIGKILL');
  await exited;
}

/** Waits until the planning agent has noted its pid, then kills omk (the agent exits once HANG_PLANNER is gone). */
async function killWhilePlanning(
  stateDir: string,
  child: ChildProcess,
  exited: Promise<Exit>,
): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!done) {
    const id = await goalId(stateDir);
    const marker = id === null ? null : join(stateDir, 'goals', id, 'artifacts', 'planner', PLANNING_MARKER);
    if (marker !== null && (await exists(marker))) {
      await kill(child, exited);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One point: the run, killed there; then recovery until the goal settles. `bin` is the CLI to
 * run (bin/omk.js, or the bench's snapshot of it).
 */
export async function runPoint(bin: string, point: FaultPoint | null): Promise<PointResult> {
  const started = performance.now();
  const fixture = await setUp();
  try {
    const extra: Record<string, string> =
      point?.kind === 'event'
        ? { OMK_FAULT_AFTER_EVENT: `${point.type}:${point.n}` }
        : point?.kind === 'step'
          ? { OMK_FAULT_AT: point.step }
          : {};
    const hang = join(fixture.stateDir, HANG_PLANNER);
    if (point?.kind === 'planner') await writeFile(hang, '');
    const run = startOmk(bin, runArgs(fixture), fixture, extra);
    let snapshot: Set<string> | null = null;
    if (point?.kind === 'planner') {
      await killWhilePlanning(fixture.stateDir, run.child, run.exited);
      await rm(hang, { force: true });
    }
    if (point?.kind === 'api') {
      fixture.fake.holdNext(point.operationId, point.phase, async () => {
        await kill(run.child, run.exited);
        const id = await goalId(fixture.stateDir);
        if (id !== null) snapshot = await history(fixture.stateDir, id);
      });
    }
    const first = await run.exited;
    const killed = first.signal === 'SIGKILL';
    const id = await goalId(fixture.stateDir);
    if (id === null) {
      throw new Error(`${point ? pointName(point) : 'clean run'}: no goal was created\n${first.stderr}`);
    }
    if (point === null && first.code !== 0) throw new Error(`the clean run failed:\n${first.stderr}`);
    snapshot ??= await history(fixture.stateDir, id);
    const recovery: string[] = [];
    // The goal's recorded status must follow its events from the first command after the kill:
    // a merge in events.jsonl is a merged goal.json, not a `ready` waiting for another merge.
    let stale: string | null = null;
    const step = async (args: string[]) => {
      const done = await startOmk(bin, args, fixture).exited;
      const why = done.code === 0 ? '' : ` (${lastLine(done.stderr)})`;
      recovery.push(`${args.slice(1, 3).join(' ')}: exit ${done.code}${why}`);
      if (recovery.length === 1 && (await mergeRecorded(fixture.stateDir, id))) {
        const recorded = await goalStatus(fixture.stateDir, id);
        if (recorded !== 'merged') stale = `goal.json ${recorded} though its events record the merge`;
      }
    };
    for (let i = 0; i < MAX_RECOVERIES && !SETTLED.has(await goalStatus(fixture.stateDir, id)); i += 1) {
      await step(['goal', 'resume', '--auto', '--forge', 'github']);
      const status = await goalStatus(fixture.stateDir, id);
      if (SETTLED.has(status)) break;
      // Nothing was left to resume (the kill fell after execution): deliver and merge again, as a
      // person would, with the goal's own policy.
      if (status === 'ready') {
        await step(['goal', 'open-pr', id, '--forge', 'github']);
        await step(['goal', 'merge', id, '--forge', 'github']);
      } else {
        await step(['goal', 'execute', id, '--agent', `script:${fixture.agent}`, '--forge', 'github']);
      }
    }
    const after = await history(fixture.stateDir, id);
    const lost = [...snapshot].filter((key) => !after.has(key));
    lost.push(...(await planGaps(fixture.stateDir, id)));
    const status = await goalStatus(fixture.stateDir, id);
    return {
      point: point ? pointName(point) : 'clean run',
      killed,
      duplicates: duplicatesOn(fixture.fake),
      lost,
      stuck: stale ?? (SETTLED.has(status) ? null : status),
      proof: await exists(join(fixture.stateDir, 'goals', id, 'proof.json')),
      recovery,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await fixture.cleanup();
  }
}

/** A clean run: which event kinds and API calls it makes, the points to walk. */
export async function reference(bin: string): Promise<Reference> {
  const fixture = await setUp();
  try {
    const run = await startOmk(bin, runArgs(fixture), fixture).exited;
    if (run.code !== 0) throw new Error(`the clean run failed (exit ${run.code}):\n${run.stderr}`);
    const id = await goalId(fixture.stateDir);
    if (id === null) throw new Error('the clean run created no goal');
    const status = await goalStatus(fixture.stateDir, id);
    if (status !== 'merged') throw new Error(`the clean run left the goal ${status}, not merged`);
    const events: string[] = [];
    for (const line of await readLines(join(fixture.stateDir, 'goals', id, 'events.jsonl'))) {
      const type = (JSON.parse(line) as { type: string }).type;
      if (!events.includes(type)) events.push(type);
    }
    const operations: Reference['operations'] = [];
    for (const request of fixture.fake.requests) {
      const operationId = request.operationId;
      if (request.kind !== 'api' || operationId === null) continue;
      if (operations.some((o) => o.operationId === operationId)) continue;
      operations.push({ operationId, writes: request.method !== 'GET' });
    }
    fixture.fake.assertClean();
    return {
      events,
      operations,
      result: {
        point: 'clean run',
        killed: false,
        duplicates: duplicatesOn(fixture.fake),
        lost: [],
        stuck: null,
        proof: await exists(join(fixture.stateDir, 'goals', id, 'proof.json')),
        recovery: [],
        seconds: 0,
      },
    };
  } finally {
    await fixture.cleanup();
  }
}

/**
 * Every point of a reference run: the planning points, each event kind, each API call (writes
 * before and after).
 */
export function allPoints(ref: Reference): FaultPoint[] {
  return [
    ...PLANNING_POINTS,
    ...ref.events.map((type): FaultPoint => ({ kind: 'event', type, n: 1 })),
    ...ref.operations.flatMap(({ operationId, writes }): FaultPoint[] => [
      ...(writes ? [{ kind: 'api' as const, operationId, phase: 'before' as const }] : []),
      { kind: 'api', operationId, phase: 'after' },
    ]),
  ];
}
