#!/usr/bin/env node
// State-check benchmark: what the checks of omk's state root cost around one agent run (and one
// gate run: the same work). A run compares its goal's evidence with what the controller holds
// (execution.json, task-graph.json, events.jsonl, decisions.jsonl) and its proof.json before and
// after, and snapshots then compares every other path of the state root by a stat (the other
// goals, the local forge's records, any file dropped there). The goals are made by `omk goal
// plan`; the run's goal gets synthetic events up to --events.
//
//   node bench/state-checks.mjs [--events 200] [--goals 10] [--other-events 0] [--repeat 50] [--json] [--smoke]
//
// --other-events: synthetic events given to each other goal's events.jsonl (the logs the state
// root's check compares by digest around every run: the last 64 goals').
// --smoke: --events 50 --goals 2 --repeat 2 (a few seconds; the checks still run). `npm test`
// runs it (test/bench/smoke.test.ts) so the script cannot rot; its figures mean nothing.
//
// Exits non-zero only when a correctness check fails (a clean run reports a change, or a forged
// event line or a dropped file is not reported); timings are figures. See docs/benchmarks.md.

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  printJson,
  ROOT,
  round1,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  summarize,
  timeOmk,
} from './lib.mjs';

const GOAL_TEXT = 'fix the failing tests and add a regression test';

/** The runtime pieces the controller runs the checks with, bundled from src/ for this process. */
async function loadRuntime(dir) {
  const out = join(dir, 'state-checks-runtime.mjs');
  await build({
    stdin: {
      contents: [
        "export { GoalStore } from './src/runtime/goal/store.ts';",
        "export { watchStateRoot } from './src/runtime/integrity/state-root.ts';",
        "export { watchOwnProof } from './src/runtime/integrity/own-proof.ts';",
        "export { stateTree } from './src/adapters/integrity/state-tree.ts';",
        "export { localStateFiles } from './src/adapters/state/local-files.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

function createGoal(bin, repo, stateDir) {
  const run = expectSuccess(
    'goal plan',
    timeOmk(bin, ['goal', 'plan', GOAL_TEXT, '--json'], { cwd: repo, stateDir }),
  );
  const id = parseJsonOutput('goal plan --json', run.stdout)?.goal?.id;
  if (typeof id !== 'string') throw new BenchError('goal plan --json did not report a goal id');
  return id;
}

function event(seq, type, padding) {
  return `${JSON.stringify({ v: 1, seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), type, data: { taskId: 's1-slice', note: padding } })}\n`;
}

async function main() {
  const options = parseOptions();
  const bin = snapshotOmk();
  const repo = createTempGitRepo('state-checks-repo');
  const stateDir = makeTempDir('state-checks-state');
  const runtime = await loadRuntime(makeTempDir('state-checks-bundle'));

  log(
    `setting up: ${options.goals} other goal(s) with ${options.otherEvents} more events each, one goal with ${options.events} events`,
  );
  const others = [];
  for (let i = 0; i < options.goals; i++) others.push(createGoal(bin, repo, stateDir));
  for (const id of others) {
    const path = join(stateDir, 'goals', id, 'events.jsonl');
    let next = readFileSync(path, 'utf8').split('\n').filter(Boolean).length + 1;
    let lines = '';
    for (let i = 0; i < options.otherEvents; i++) lines += event(next++, 'agent_progress', 'o'.repeat(120));
    appendFileSync(path, lines);
  }
  const own = createGoal(bin, repo, stateDir);
  const forge = join(stateDir, 'forge', 'bench-repo');
  mkdirSync(forge, { recursive: true });
  writeFileSync(join(forge, 'forge.json'), `${JSON.stringify({ version: 1, pulls: [], checkRuns: [] })}\n`);

  const store = new runtime.GoalStore({
    stateRoot: stateDir,
    clock: { nowMs: () => Date.now(), nowIso: () => new Date().toISOString() },
    host: { pid: process.pid, hostname: 'bench', isAlive: () => false, killGroup: () => false },
    reporter: { info() {}, warn() {} },
    files: runtime.localStateFiles,
  });
  const paths = store.paths(own);
  // The controller appends its events through the store, so they are its own.
  let seq = 100;
  let text = '';
  for (let i = 0; i < options.events; i++) text += event(seq++, 'agent_progress', 'x'.repeat(120));
  await store.watchGoal(own);
  await store.files.appendLines(paths.events, text);
  await store.files.writeAtomic(
    paths.execution,
    `${JSON.stringify({ version: 1, pad: 'e'.repeat(20_000) }, null, 2)}\n`,
  );

  // One agent run's checks: the goal's files and the snapshot before, both compared after.
  const checks = async () => {
    const before = await store.verifyGoal(own);
    const root = await runtime.watchStateRoot(store, { stateTree: runtime.stateTree }, own);
    const proof = await runtime.watchOwnProof(store, own);
    const after = [...(await store.verifyGoal(own)), ...(await root.check()), ...(await proof.check())];
    return [...before, ...after];
  };
  const samples = [];
  for (let round = -1; round < options.repeat; round++) {
    const started = performance.now();
    const found = await checks();
    const ms = performance.now() - started;
    if (found.length > 0) throw new BenchError(`a clean run reported changes: ${JSON.stringify(found)}`);
    if (round >= 0) samples.push(ms);
  }
  // Correctness: a forged line is reported.
  appendFileSync(paths.events, event(seq++, 'gates_verified', 'forged'));
  const forged = await checks();
  if (!forged.some((t) => t.file === 'events.jsonl'))
    throw new BenchError('a forged gates_verified line was not reported');

  // A rewrite of another goal's log during a run is named (a line changed, the size kept).
  if (others.length > 0) {
    const other = join(stateDir, 'goals', others[0], 'events.jsonl');
    const watch = await runtime.watchStateRoot(store, { stateTree: runtime.stateTree }, own);
    const text = readFileSync(other, 'utf8');
    writeFileSync(other, text.replace('"type":"goal_created"', '"type":"goal_cre8ted"'));
    if (!(await watch.check()).some((change) => change.what === `goal ${others[0]} events.jsonl`))
      throw new BenchError("another goal's rewritten events.jsonl was not reported");
    writeFileSync(other, text);
  }

  // And a file dropped in the state root (any file, here beside the goal's evidence) is named.
  const root = await runtime.watchStateRoot(store, { stateTree: runtime.stateTree }, own);
  writeFileSync(join(paths.dir, 'dropped.json'), '{}\n');
  if (!(await root.check()).some((change) => change.what === 'dropped.json'))
    throw new BenchError('a file dropped in the goal directory was not reported');

  // The stat of every path of the state root alone, as each check takes it before and after a run.
  const treeSamples = [];
  let statPaths = 0;
  for (let round = -1; round < options.repeat; round++) {
    const started = performance.now();
    statPaths = (await runtime.stateTree(stateDir, ['worktrees', 'cache', 'shared-cache'])).size;
    if (round >= 0) treeSamples.push(performance.now() - started);
  }
  const tree = summarize(treeSamples);

  const stats = summarize(samples);
  const result = {
    events: options.events,
    otherGoals: options.goals,
    otherEvents: options.otherEvents,
    repeat: options.repeat,
    checksPerAgentRunMs: { median: round1(stats.median), p95: round1(stats.p95) },
    stateRootStat: { paths: statPaths, median: round1(tree.median), p95: round1(tree.p95) },
    machine: machineInfo(),
  };
  if (options.json) {
    printJson(result);
    return;
  }
  if (options.smoke) process.stdout.write(SMOKE_NOTE);
  process.stdout.write(
    `omk state-checks benchmark: ${options.events} events, ${options.goals} other goals, ${options.repeat} runs (${options.otherEvents} more events in each other goal's log)\n\n`,
  );
  process.stdout.write(
    formatTable(
      ['what', 'median ms', 'p95 ms'],
      [
        ['checks around one agent run', round1(stats.median), round1(stats.p95)],
        [`one stat of the state root (${statPaths} paths)`, round1(tree.median), round1(tree.p95)],
      ],
    ),
  );
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      goals: { type: 'string' },
      'other-events': { type: 'string' },
      help: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const number = (name, value, fallback) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new BenchError(`--${name} must be a whole number, got ${value}`);
    return n;
  };
  if (values.help) {
    process.stdout.write(
      'node bench/state-checks.mjs [--events 200] [--goals 10] [--other-events 0] [--repeat 50] [--json] [--smoke]\n',
    );
    process.exit(0);
  }
  const smoke = values.smoke;
  return {
    events: number('events', values.events, smoke ? 50 : 200),
    goals: number('goals', values.goals, smoke ? 2 : 10),
    otherEvents: number('other-events', values['other-events'], smoke ? 20 : 0),
    repeat: Math.max(1, number('repeat', values.repeat, smoke ? 2 : 50)),
    json: values.json,
    smoke,
  };
}

// Last, so every module-level constant above is initialised before main() runs.
await runBench(main);
