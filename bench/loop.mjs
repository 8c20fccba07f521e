#!/usr/bin/env node
// Until-ready loop benchmark (issue: the until-ready loop). `omk goal run --until-ready` of a
// one-slice goal whose agent is wrong on its first N attempts and right after, for N = 0, 1, 2:
//
//  - agent runs and wall time to `ready` (the proof must be ready after exactly N + 1 agent runs);
//  - one more case: the first attempt leaves only the target test failing (as on the base), so the
//    slice passes its own checks and the integrated tree reopens it in the same run (its extra
//    attempt also pays for one more integration);
//  - the loop's own overhead per extra attempt: how much longer the run takes for each wrong
//    attempt beyond what the agent and the gates themselves took (the goal's budget ledger, which
//    charges every agent run and every gate run): ((wall_N - spent_N) - (wall_0 - spent_0)) / N.
//    Target: under 1 s.
//
// The agent is a shell script (a few milliseconds) and the gate is `node --test` on one small file
// (its test of the bug fails on the base; a wrong attempt also breaks the other test), so the
// figures are about omk: a retry's reset of the worktree and its patch, the journal, the capture,
// the gate runner and the review. A fix is ready only with a test seen failing, then passing.
//
//   node bench/loop.mjs [--repeat 5] [--json] [--smoke]
//
// --smoke: --repeat 1 (a few seconds; every case and check still runs). `npm test` runs it
// (test/bench/smoke-loop-prepare.test.ts) so the script cannot rot; its figures mean nothing.
//
// Exits non-zero only when a correctness check fails (a run is not ready, or took another number
// of agent runs); timings are figures, never a pass/fail condition. See docs/benchmarks.md.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  git,
  loadAverages,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  printJson,
  round1,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  summarize,
  timeOmk,
  withSizes,
} from './lib.mjs';

const DEFAULT_SIZES = { repeat: '5' };
const SMOKE_SIZES = { repeat: '1' };
/** Wrong attempts before the right one; the planner gives a medium-risk slice 3 attempts. */
const WRONG = [0, 1, 2];
/** The case whose one wrong attempt fails only the target test: reopened after the integration. */
const TARGET_ONLY = 'target';
const CASES = [...WRONG, TARGET_ONLY];
const TARGET_OVERHEAD_MS = 1_000;
const GOAL = 'fix the bug in src/value.js';

/** One quick gate: node's test runner on test/value.test.js (TAP, read test by test). */
const CONFIG_YML = `version: 1
gates:
  detect: false
  list:
    - name: test
      kind: test
      run: ["node", "--test", "test/"]
`;

/** The bug: value should be 1. A fix goal needs a test that fails without the fix: this one. */
const TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { value } from '../src/value.js';
test('value is a number', () => assert.equal(typeof value, 'number'));
test('value is 1', () => assert.equal(value, 1));
`;

async function main() {
  const options = parseOptions();
  const bin = snapshotOmk();
  const loadBefore = loadAverages();
  const fixture = createFixture();
  const samples = new Map(CASES.map((wrong) => [wrong, []]));
  for (let round = 0; round < options.repeat; round++) {
    // Rotated, so a drift in the machine's load does not always hit the same case first.
    for (let i = 0; i < CASES.length; i++) {
      const wrong = CASES[(round + i) % CASES.length];
      log(`round ${round + 1}/${options.repeat}: ${caseName(wrong)}`);
      const run = runLoop(bin, fixture, wrong);
      log(`  ${(run.ms / 1000).toFixed(2)} s, ${run.agentRuns} agent run(s)`);
      samples.get(wrong).push(run);
    }
  }
  const report = buildReport(options, samples, { before: loadBefore, after: loadAverages() });
  if (options.json) printJson(report);
  else process.stdout.write(`${options.smoke ? SMOKE_NOTE : ''}${renderReport(report)}`);
}

function parseOptions() {
  let parsed;
  try {
    const { values } = parseArgs({
      options: {
        repeat: { type: 'string' },
        json: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
      },
    });
    parsed = withSizes(values, DEFAULT_SIZES, SMOKE_SIZES);
  } catch (error) {
    throw new BenchError(`${error.message}\nusage: node bench/loop.mjs [--repeat R] [--json] [--smoke]`);
  }
  const repeat = Number(parsed.repeat);
  if (!Number.isSafeInteger(repeat) || repeat < 1 || repeat > 100) {
    throw new BenchError('--repeat must be an integer from 1 to 100');
  }
  return { repeat, json: parsed.json, smoke: parsed.smoke };
}

/** A repository with a wrong src/value.js, its committed failing test, the gate, and a script agent per case. */
function createFixture() {
  const repo = createTempGitRepo('loop');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(repo, 'src', 'value.js'), 'export const value = 0;\n');
  mkdirSync(join(repo, 'test'));
  writeFileSync(join(repo, 'test', 'value.test.js'), TEST_JS);
  mkdirSync(join(repo, '.omk'));
  writeFileSync(join(repo, '.omk', 'config.yml'), CONFIG_YML);
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', 'a wrong value, its failing test and a gate that runs it']);
  const agents = makeTempDir('loop-agents');
  const agentFor = new Map(CASES.map((wrong) => [wrong, writeAgent(agents, wrong)]));
  return { repo, agentFor };
}

/**
 * A shell script agent: on attempts up to `wrong` it breaks another test (a regression: the
 * attempt fails), after that it fixes the value (the failing test passes: fail-to-pass). The
 * TARGET_ONLY agent's first attempt touches the file and leaves the value wrong (only the target
 * test fails, as on the base).
 */
function writeAgent(dir, wrong) {
  const path = join(dir, `${wrong === TARGET_ONLY ? 'target-only' : `wrong-${wrong}`}-then-right.sh`);
  const firstWrong =
    wrong === TARGET_ONLY
      ? "  printf '// looked\\nexport const value = 0;\\n' > src/value.js"
      : '  printf \'export const value = "1";\\n\' > src/value.js';
  const lines = [
    '#!/bin/sh',
    '# Written by bench/loop.mjs.',
    'set -e',
    `if [ "$OMK_ATTEMPT" -le ${wrong === TARGET_ONLY ? 1 : wrong} ]; then`,
    firstWrong,
    'else',
    "  printf '// fixed\\nexport const value = 1;\\n' > src/value.js",
    'fi',
    '',
  ];
  writeFileSync(path, lines.join('\n'), { mode: 0o755 });
  return path;
}

/** One `goal run --until-ready` in a fresh state dir; checks it is ready after wrong + 1 agent runs. */
function runLoop(bin, fixture, wrong) {
  const root = makeTempDir(`loop-run-${wrong}`);
  const stateDir = join(root, 'state');
  // Each run works on a clone of its own: no omk branch of an earlier run is in the way.
  const repo = join(root, 'repo');
  git(root, ['clone', '--quiet', fixture.repo, repo]);
  const label = `goal run, ${caseName(wrong)}`;
  const expectedRuns = wrong === TARGET_ONLY ? 2 : wrong + 1;
  const args = ['goal', 'run', GOAL, '--agent', `script:${fixture.agentFor.get(wrong)}`, '--until-ready'];
  const run = expectSuccess(label, timeOmk(bin, [...args, '--json'], { cwd: repo, stateDir }));
  const { goal } = parseJsonOutput(label, run.stdout);
  const proof = JSON.parse(readFileSync(join(stateDir, 'goals', goal.id, 'proof.json'), 'utf8'));
  if (proof.status !== 'ready') throw new BenchError(`${label}: the proof is ${proof.status}, not ready`);
  if (proof.agentRuns.length !== expectedRuns) {
    throw new BenchError(`${label}: ${proof.agentRuns.length} agent runs, expected ${expectedRuns}`);
  }
  return {
    ms: run.ms,
    agentRuns: proof.agentRuns.length,
    agentMs: proof.agentRuns.reduce((sum, agentRun) => sum + agentRun.durationMs, 0),
    spentMs: proof.budget.spent.timeMs,
  };
}

function caseName(wrong) {
  if (wrong === TARGET_ONLY) return 'target still failing 1×, then right';
  return wrong === 0 ? 'right first time' : `wrong ${wrong}×, then right`;
}

function buildReport(options, samples, load) {
  const cases = CASES.map((wrong) => {
    const runs = samples.get(wrong);
    return {
      wrong,
      agentRuns: runs[0].agentRuns,
      wallMs: summarize(runs.map((run) => run.ms)),
      spentMs: summarize(runs.map((run) => run.spentMs)),
      // omk's own time in the run: wall time minus what the agent and the gates took.
      ownMs: summarize(runs.map((run) => run.ms - run.spentMs)),
    };
  });
  const first = cases[0];
  const perExtra = cases
    .filter((c) => c.wrong !== TARGET_ONLY && c.wrong > 0)
    .map((c) => ({ wrong: c.wrong, ms: round1((c.ownMs.median - first.ownMs.median) / c.wrong) }));
  const overheadMs = round1(perExtra.reduce((sum, c) => sum + c.ms, 0) / perExtra.length);
  // The reopened attempt: its own time beyond a right-first-time run (one more integration too).
  const target = cases.find((c) => c.wrong === TARGET_ONLY);
  const reopenedMs = round1(target.ownMs.median - first.ownMs.median);
  return {
    machine: machineInfo(),
    repeat: options.repeat,
    load,
    cases,
    perExtraAttempt: perExtra,
    overheadPerExtraAttemptMs: overheadMs,
    overheadPerReopenedAttemptMs: reopenedMs,
    target: { overheadPerExtraAttemptMs: TARGET_OVERHEAD_MS, met: overheadMs < TARGET_OVERHEAD_MS },
  };
}

function renderReport(report) {
  const s = (ms) => (ms / 1000).toFixed(2);
  const rows = report.cases.map((c) => [
    caseName(c.wrong),
    c.agentRuns,
    s(c.wallMs.median),
    s(c.wallMs.p95),
    s(c.spentMs.median),
    s(c.ownMs.median),
  ]);
  const header = ['case (--until-ready)', 'agent runs', 'to ready (s)', 'p95', 'agent+gates', 'omk own'];
  const verdict = report.target.met ? 'met' : 'not met';
  return [
    `omk until-ready loop benchmark: ${report.repeat} run(s) per case, medians`,
    '',
    formatTable(header, rows).trimEnd(),
    '',
    `loop overhead per extra attempt: ${s(report.overheadPerExtraAttemptMs)} s (target < ${s(TARGET_OVERHEAD_MS)} s: ${verdict})`,
    `loop overhead of the attempt reopened after the integration: ${s(report.overheadPerReopenedAttemptMs)} s`,
    `1-min load before ${report.load.before[0]}, after ${report.load.after[0]} (${report.machine.cpus} cpus)`,
    '',
  ].join('\n');
}

await runBench(main);
