#!/usr/bin/env node
// Goal events benchmark: how long `omk goal replay`, `goal proof` and `goal status` take on a goal
// whose events.jsonl holds N events, measured as a user meets them (a fresh `node bin/omk.js`
// process each time), next to the cost of starting node itself.
//
//   node bench/events.mjs [--events 100000] [--repeat 5] [--json] [--smoke]
//
// --smoke: --events 100 --repeat 1 and no warm-up round (a few seconds; every command and check
// still runs, once; a size given beside it wins). `npm test` runs it (test/bench/smoke.test.ts)
// so the script cannot rot; its figures mean nothing.
//
// Exits non-zero only when a correctness check fails (a command fails, or its output is wrong);
// timings are figures, never a pass/fail condition. See docs/benchmarks.md.

import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  load1,
  log,
  machineInfo,
  makeTempDir,
  measure,
  parseJsonOutput,
  printJson,
  round1,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  summarize,
  timeOmk,
  timeSpawn,
  withSizes,
} from './lib.mjs';

const GOAL_TEXT = 'fix the failing tests and add a regression test';
/** The second goal's size: small enough that status has nothing to grow with. */
const SMALL_EVENTS = 100;
/** Synthetic lines land in this byte range, like the runtime's own events with ids and reasons. */
const MIN_LINE_BYTES = 150;
const MAX_LINE_BYTES = 300;
/** Lines per stream write: big enough to be fast, small enough to keep memory flat at any N. */
const WRITE_BATCH = 2000;

async function main() {
  const options = parseOptions();
  const bin = snapshotOmk();
  const repo = createTempGitRepo('events-repo');
  const stateDir = makeTempDir('events-state');

  log(`setting up: goal with ${options.events} events, goal with ${SMALL_EVENTS} events`);
  const big = createGoal(bin, repo, stateDir);
  const bigLog = await fillEvents(big.events, options.events, 1);
  const small = createGoal(bin, repo, stateDir);
  await fillEvents(small.events, SMALL_EVENTS, 2);

  // --smoke times nothing worth a warm-up: each command runs once, and is checked.
  const warmupRounds = options.smoke ? 0 : 1;
  log(`timing: ${options.repeat} runs of each command after ${warmupRounds} warm-up round(s)`);
  const cases = buildCases({ bin, repo, stateDir, big, small, events: options.events });
  const loadBefore = load1();
  const samples = measure(cases, options.repeat, warmupRounds);
  const load = { before: loadBefore, after: load1() };
  const report = buildReport(options, cases, samples, bigLog, load, warmupRounds);

  if (options.json) printJson(report);
  else process.stdout.write(`${options.smoke ? SMOKE_NOTE : ''}${renderReport(report)}`);
}

// --- options -----------------------------------------------------------------------------------

function parseOptions() {
  let parsed;
  try {
    const { values } = parseArgs({
      options: {
        events: { type: 'string' },
        repeat: { type: 'string' },
        json: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
      },
    });
    parsed = withSizes(
      values,
      { events: '100000', repeat: '5' },
      { events: String(SMALL_EVENTS), repeat: '1' },
    );
  } catch (error) {
    throw new BenchError(
      `${error.message}\nusage: node bench/events.mjs [--events N] [--repeat R] [--json] [--smoke]`,
    );
  }
  // The goal's own creation events come first, so N must leave room for them; the small goal
  // has SMALL_EVENTS, and a big goal smaller than that would not show anything.
  return {
    events: positiveInt('--events', parsed.events, SMALL_EVENTS),
    repeat: positiveInt('--repeat', parsed.repeat, 1),
    json: parsed.json,
    smoke: parsed.smoke,
  };
}

function positiveInt(name, text, min) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new BenchError(`${name} must be an integer >= ${min}`);
  return n;
}

// --- fixture -----------------------------------------------------------------------------------

/**
 * Creates and plans a goal through the real CLI, exactly as a user would, and returns its id and
 * log path. `goal plan` rather than `goal run`: the bench needs a goal's history, not an agent
 * (`goal run` executes the plan and refuses to start without one).
 */
function createGoal(bin, repo, stateDir) {
  const run = expectSuccess(
    'goal plan',
    timeOmk(bin, ['goal', 'plan', GOAL_TEXT, '--json'], { cwd: repo, stateDir }),
  );
  const out = parseJsonOutput('goal plan --json', run.stdout);
  const id = out?.goal?.id;
  const events = out?.paths?.events;
  if (typeof id !== 'string' || typeof events !== 'string' || !existsSync(events)) {
    throw new BenchError('goal plan --json did not report a goal id and an existing events.jsonl');
  }
  return { id, events };
}

/**
 * Appends synthetic events after the ones `goal plan` wrote until the log holds `target` events:
 * seq continues from the last real event and ts keeps increasing, so the file is one a reader
 * must accept as a healthy history. A fixed seed makes every run measure the same bytes.
 */
async function fillEvents(path, target, seed) {
  const existing = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  const last = existing.at(-1);
  if (existing.length > target) {
    throw new BenchError(`goal plan already wrote ${existing.length} events, more than --events ${target}`);
  }
  const random = mulberry32(seed);
  let time = Date.parse(last.ts);
  const stream = createWriteStream(path, { flags: 'a' });
  const lengths = { count: 0, total: 0, min: Number.POSITIVE_INFINITY, max: 0 };
  let batch = [];
  for (let seq = last.seq + 1; seq <= last.seq + (target - existing.length); seq++) {
    // 1 to 500 ms apart: 100k events span hours, as a long unattended run would.
    time += 1 + Math.floor(random() * 500);
    const line = syntheticEvent(random, seq, new Date(time).toISOString());
    lengths.count++;
    lengths.total += line.length;
    lengths.min = Math.min(lengths.min, line.length);
    lengths.max = Math.max(lengths.max, line.length);
    batch.push(line);
    if (batch.length === WRITE_BATCH) {
      await write(stream, batch);
      batch = [];
    }
  }
  await write(stream, batch);
  stream.end();
  await once(stream, 'finish');
  return {
    bytes: statSync(path).size,
    synthetic: lengths.count,
    lineBytes: lengths.count === 0 ? null : lengths,
  };
}

async function write(stream, lines) {
  if (lines.length === 0) return;
  // Respect backpressure so a large N streams instead of buffering the whole file in memory.
  if (!stream.write(`${lines.join('\n')}\n`)) await once(stream, 'drain');
}

const TASK_IDS = ['s1-fix-the-failing-tests', 's2-add-a-regression-test', 's3-update-the-changelog'];
const PATHS = ['src/parser.ts', 'src/cli/main.ts', 'test/parser.test.ts', 'test', 'docs', '.'];
const WORDS =
  'the slice agent gate test lint typecheck run failed passed retry budget limit head commit branch worktree proof evidence controller resumed after timeout on base sha with changes to files'.split(
    ' ',
  );

/**
 * One event of a type the runtime writes, with data shaped like the real thing. Each shape names
 * a free-text field (a reason, a note) that is filled with words to reach a random length in
 * [MIN_LINE_BYTES, MAX_LINE_BYTES], so sizes vary the way real reasons do.
 */
function syntheticEvent(random, seq, ts) {
  const pick = (items) => items[Math.floor(random() * items.length)];
  const int = (max) => Math.floor(random() * max);
  const shapes = [
    () => ({ type: 'task_accepted', text: 'note', data: { taskId: pick(TASK_IDS), writes: [pick(PATHS)] } }),
    () => ({ type: 'task_rejected', text: 'reason', data: { taskId: pick(TASK_IDS), code: 'overlap' } }),
    () => ({
      type: 'proof_built',
      text: 'note',
      data: { status: pick(['not_ready', 'blocked', 'ready']), digest: `sha256:${hex(random, 64)}` },
    }),
    () => ({
      type: 'budget_added',
      text: 'note',
      data: { added: { timeMs: 60000 * (1 + int(30)) }, limits: { timeMs: 3600000, tokens: 200000, usd: 5 } },
    }),
    () => ({ type: 'goal_paused', text: 'reason', data: { from: 'running', to: 'interrupted' } }),
    () => ({ type: 'goal_resumed', text: 'reason', data: { from: 'interrupted', to: 'running' } }),
    () => ({ type: 'lock_recovered', text: 'why', data: { pid: 1000 + int(60000) } }),
    () => ({ type: 'graph_validated', text: 'note', data: { accepted: 1 + int(6), rejected: int(2) } }),
    () => ({ type: 'plan_written', text: 'note', data: { tasks: 1 + int(6), planner: 'heuristic' } }),
    () => ({
      type: 'oracle_decided',
      text: 'note',
      data: { testable: true, class: 'fix', shape: 'fail_to_pass' },
    }),
  ];
  const { type, text, data } = pick(shapes)();
  data[text] = '';
  const base = JSON.stringify({ v: 1, seq, ts, type, data }).length;
  const target = MIN_LINE_BYTES + int(MAX_LINE_BYTES - MIN_LINE_BYTES + 1);
  let filler = '';
  while (base + filler.length < target) {
    const next = filler === '' ? pick(WORDS) : ` ${pick(WORDS)}`;
    if (base + filler.length + next.length > MAX_LINE_BYTES) break;
    filler += next;
  }
  data[text] = filler;
  return JSON.stringify({ v: 1, seq, ts, type, data });
}

function hex(random, length) {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A small seeded PRNG: Math.random cannot be seeded, and the fixture must be reproducible. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- timed cases and their checks --------------------------------------------------------------

function buildCases({ bin, repo, stateDir, big, small, events }) {
  const omk = (label, args, check) => ({
    name: label,
    argv: ['omk', ...args],
    run: () => timeOmk(bin, args, { cwd: repo, stateDir }),
    check: (run) => check(expectSuccess(label, run)),
  });
  return [
    {
      name: 'node -e 0 (baseline)',
      argv: ['node', '-e', '0'],
      run: () => timeSpawn(process.execPath, ['-e', '0']),
      check: (run) => expectSuccess('node -e 0', run),
    },
    omk('goal replay --json', ['goal', 'replay', big.id, '--json'], (run) =>
      checkReplayJson(run, big, events),
    ),
    omk('goal replay', ['goal', 'replay', big.id], (run) => checkReplayText(run, big, events)),
    omk('goal proof --json', ['goal', 'proof', big.id, '--json'], (run) => {
      const proof = parseJsonOutput('goal proof --json', run.stdout);
      if (proof.goalId !== big.id) throw new BenchError(`goal proof --json: goalId is ${proof.goalId}`);
    }),
    omk('goal status --json', ['goal', 'status', big.id, '--json'], (run) => checkStatus(run, big, events)),
    omk(`goal status --json (${SMALL_EVENTS} events)`, ['goal', 'status', small.id, '--json'], (run) =>
      checkStatus(run, small, SMALL_EVENTS),
    ),
  ];
}

function checkReplayJson(run, goal, events) {
  const out = parseJsonOutput('goal replay --json', run.stdout);
  if (out.goalId !== goal.id) throw new BenchError(`goal replay --json: goalId is ${out.goalId}`);
  if (!Array.isArray(out.events) || out.events.length !== events) {
    throw new BenchError(`goal replay --json: expected ${events} events, got ${out.events?.length}`);
  }
  if (!Array.isArray(out.skipped) || out.skipped.length !== 0) {
    throw new BenchError(`goal replay --json: expected no skipped lines, got ${out.skipped?.length}`);
  }
  // The fixture numbers events 1..N; anything else means lines were lost, reordered or duplicated.
  for (let i = 0; i < out.events.length; i++) {
    if (out.events[i].seq !== i + 1) {
      throw new BenchError(`goal replay --json: event ${i + 1} has seq ${out.events[i].seq}`);
    }
  }
}

function checkReplayText(run, goal, events) {
  const lines = run.stdout.split('\n');
  const header = `goal ${goal.id}: ${events} events, 0 skipped lines`;
  if (lines[0] !== header) throw new BenchError(`goal replay: header is "${lines[0]}", expected "${header}"`);
  // Header, one line per event, and the '' after the final newline.
  if (lines.length !== events + 2) {
    throw new BenchError(`goal replay: expected ${events + 1} lines, got ${lines.length - 1}`);
  }
}

function checkStatus(run, goal, events) {
  const out = parseJsonOutput('goal status --json', run.stdout);
  if (out.id !== goal.id) throw new BenchError(`goal status --json: id is ${out.id}`);
  if (out.lastEventSeq !== events) {
    throw new BenchError(`goal status --json: lastEventSeq is ${out.lastEventSeq}, expected ${events}`);
  }
}

// --- report ------------------------------------------------------------------------------------

function buildReport(options, cases, samples, bigLog, load, warmupRounds) {
  const [baselineCase, ...omkCases] = cases;
  const baseline = summarize(samples.get(baselineCase.name));
  const commands = omkCases.map((c) => {
    const stats = summarize(samples.get(c.name));
    // Net: what omk adds on top of starting node; medians, as the least noisy pair.
    return { name: c.name, argv: c.argv, ...stats, netMedian: round1(stats.median - baseline.median) };
  });
  const byName = (name) => commands.find((c) => c.name === name);
  const large = byName('goal status --json');
  const small = byName(`goal status --json (${SMALL_EVENTS} events)`);
  return {
    bench: 'events',
    unit: 'ms',
    events: options.events,
    repeat: options.repeat,
    smoke: options.smoke,
    warmupRounds,
    log: bigLog,
    machine: machineInfo(),
    load1: load,
    baseline: { name: baselineCase.name, argv: baselineCase.argv, ...baseline },
    commands,
    status: {
      events: options.events,
      smallEvents: SMALL_EVENTS,
      median: large.median,
      smallMedian: small.median,
      ratio: ratio(large.median, small.median),
      netMedian: large.netMedian,
      smallNetMedian: small.netMedian,
      netRatio: ratio(large.netMedian, small.netMedian),
    },
  };
}

function ratio(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

/** One decimal always, so the table's columns line up. */
function ms(value) {
  return value.toFixed(1);
}

function renderReport(report) {
  const { machine, log: file, baseline, status, load1: load } = report;
  const rows = [
    ...report.commands.map((c) => [c.name, ms(c.median), ms(c.p95), ms(c.min), ms(c.netMedian)]),
    [baseline.name, ms(baseline.median), ms(baseline.p95), ms(baseline.min), '-'],
  ];
  const lineBytes = file.lineBytes
    ? `, synthetic lines ${file.lineBytes.min}-${file.lineBytes.max} bytes (mean ${Math.round(file.lineBytes.total / file.lineBytes.count)})`
    : '';
  return [
    `omk goal events benchmark: ${report.events} events, ${report.repeat} runs each (+${report.warmupRounds} warm-up), times in ms`,
    `events.jsonl: ${(file.bytes / 1024 / 1024).toFixed(1)} MiB${lineBytes}`,
    `machine: node ${machine.node}, ${machine.platform} ${machine.arch}, ${machine.cpus} cpus (${machine.cpuModel}), ${(machine.totalmem / 1024 ** 3).toFixed(1)} GiB; 1-min load ${load.before} before, ${load.after} after`,
    '',
    formatTable(['command', 'median', 'p95', 'min', 'net median'], rows),
    `net = median - baseline median (${ms(baseline.median)} ms: starting node itself)`,
    `status median: ${ms(status.median)} ms at ${status.events} events vs ${ms(status.smallMedian)} ms at ${status.smallEvents} events` +
      ` (ratio ${status.ratio}; net ${ms(status.netMedian)} vs ${ms(status.smallNetMedian)} ms, ratio ${status.netRatio})`,
    '',
  ].join('\n');
}

// Last, so every module-level constant above is initialised before main() runs.
await runBench(main);
