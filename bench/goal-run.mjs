#!/usr/bin/env node
// What ONE `omk goal run` of a one-slice goal costs, end to end, and how many processes it starts:
// the wall time of the whole command (node start-up to exit, the project's gate runs included) and
// the child processes omk starts, git's by subcommand. With --baseline, the same runs of another
// build (another checkout's bin/ and dist/, e.g. the main branch's) alternate with this one's, so
// a change's effect is read off one table under the same load.
//
//   node bench/goal-run.mjs [--runs 10] [--baseline DIR] [--check] [--json] [--smoke]
//
// Fixture: a fresh temp git repository per run, shaped like a small Node project (package.json whose
// test script is `node --test test/`, src/parser.js, test/parser.test.js, a committed
// .omk/config.yml holding `version: 1`), and a fresh --state-dir. From the repository, as a user
// runs it: `omk --state-dir <dir> goal run "fix the bug in src/parser.js" --agent demo --json`; the
// heuristic planner makes one slice of it (checked). The gate runs three times: on the base, on the
// slice, on the integrated tree.
//
// Timing: wall time, and the CPU time (user + system) of the run's whole process tree, which load
// shakes far less. One untimed warm-up round, then --runs rounds; in each round every build runs once, the
// order alternating round by round. Counting: one more run of each build with the preload
// bench/lib/count-spawns.mjs (not timed: the preload adds its own cost).
//
// --check exits 1 when this build's run starts more than GIT_CEILING git processes.
// --smoke: --check, and the counted run is the only run (its time is no figure to quote), so that
// `npm test` can run it in one goal run and the count cannot drift up unnoticed.
// Exits non-zero as well when a run fails or the goal is not one slice, done.

import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createParserProject, PARSER_GOAL } from './lib/parser-project.mjs';
import {
  BenchError,
  childCpuMs,
  expectSuccess,
  formatTable,
  loadAverages,
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
  timeSpawn,
  withSizes,
} from './lib.mjs';

const GOAL_TEXT = PARSER_GOAL;
/**
 * Most git processes one run of the fixture's goal may start: 54 when this bench was written (69 before);
 * 57 since the base worktree is checked for files omk did not leave there before its evidence
 * counts (one `git status` and the config read that guards it).
 */
const GIT_CEILING = 58;
const PRELOAD = join(ROOT, 'bench', 'lib', 'count-spawns.mjs');

async function main() {
  const options = parseOptions();
  const builds = [{ name: 'this build', bin: snapshotOmk() }];
  if (options.baseline !== undefined) builds.push({ name: 'baseline', bin: snapshotOf(options.baseline) });
  const loadBefore = loadAverages();

  const times = new Map(builds.map((build) => [build.name, []]));
  /** CPU time (user + system) of each run's whole process tree: far less shaken by load than wall time. */
  const cpus = new Map(builds.map((build) => [build.name, []]));
  // The smoke run only checks that the script works and the count holds: the counted run is its one run.
  for (let round = options.smoke ? options.runs : -1; round < options.runs; round++) {
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const before = childCpuMs();
      const run = runGoal(build.bin);
      const after = childCpuMs();
      const cpu =
        before === null || after === null ? null : after.user + after.sys - before.user - before.sys;
      log(
        `${round < 0 ? 'warm-up' : `round ${round + 1}`}: ${build.name} ${(run.ms / 1000).toFixed(2)} s` +
          (cpu === null ? '' : `, cpu ${(cpu / 1000).toFixed(2)} s`),
      );
      if (round >= 0) {
        times.get(build.name).push(run.ms);
        if (cpu !== null) cpus.get(build.name).push(cpu);
      }
    }
  }
  const counts = new Map(builds.map((build) => [build.name, countSpawns(build.bin)]));
  if (options.smoke) for (const build of builds) times.get(build.name).push(counts.get(build.name).ms);
  const report = {
    bench: 'goal-run',
    smoke: options.smoke,
    runs: options.runs,
    goal: GOAL_TEXT,
    builds: builds.map((build) => {
      const { ms: _counted, ...count } = counts.get(build.name);
      const cpu = cpus.get(build.name);
      return {
        name: build.name,
        wallMs: summarize(times.get(build.name)),
        cpuMs: cpu.length === 0 ? null : summarize(cpu),
        ...count,
      };
    }),
    load: { before: loadBefore, after: loadAverages() },
    gitCeiling: GIT_CEILING,
    machine: machineInfo(),
  };
  const ours = report.builds[0];
  report.check = { met: ours.git <= GIT_CEILING, git: ours.git };

  if (options.json) printJson(report);
  else process.stdout.write(render(report));
  if (options.check && !report.check.met) {
    throw new BenchError(
      `check failed: one run started ${ours.git} git processes, at most ${GIT_CEILING} expected`,
    );
  }
}

function parseOptions() {
  let values;
  try {
    values = parseArgs({
      options: {
        runs: { type: 'string' },
        baseline: { type: 'string' },
        check: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new BenchError(
      `${error.message}\nusage: node bench/goal-run.mjs [--runs 10] [--baseline DIR] [--check] [--json] [--smoke]`,
    );
  }
  const sizes = withSizes(values, { runs: '10' }, { runs: '1' });
  const runs = Number(sizes.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new BenchError(`--runs must be a whole number of runs, at least 1 (got ${sizes.runs})`);
  }
  return { ...values, runs, check: values.check || values.smoke };
}

/** Another checkout's built CLI, copied as snapshotOmk copies this one's (it may be rebuilt meanwhile). */
function snapshotOf(checkout) {
  const root = resolve(checkout);
  if (!existsSync(join(root, 'bin', 'omk.js')) || !existsSync(join(root, 'dist', 'cli.js'))) {
    throw new BenchError(
      `--baseline ${checkout}: no bin/omk.js and dist/cli.js there; build it first (npm run build).`,
    );
  }
  const dir = makeTempDir('omk-baseline');
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  return join(dir, 'bin', 'omk.js');
}

/** One goal run on a fresh fixture; checked to be one slice, done. */
function runGoal(bin, nodeArgs = [], extraEnv = {}) {
  const repo = createParserProject('goal-run-repo');
  const stateDir = makeTempDir('goal-run-state');
  // The state dir is the flag's; an OMK_STATE_DIR from the caller's environment must not matter.
  const { OMK_STATE_DIR: _ignored, ...env } = process.env;
  const run = timeSpawn(
    process.execPath,
    [...nodeArgs, bin, '--state-dir', stateDir, 'goal', 'run', GOAL_TEXT, '--agent', 'demo', '--json'],
    { cwd: repo, env: { ...env, ...extraEnv } },
  );
  expectSuccess('omk goal run', run);
  const id = parseJsonOutput('goal run --json', run.stdout)?.goal?.id;
  if (typeof id !== 'string') throw new BenchError('goal run --json names no goal id');
  const tasks = JSON.parse(readFileSync(join(stateDir, 'goals', id, 'task-graph.json'), 'utf8')).tasks;
  if (tasks.length !== 1 || tasks[0].status !== 'done') {
    throw new BenchError(
      `the goal was not one slice, done: ${tasks.map((t) => `${t.id} ${t.status}`).join(', ')}`,
    );
  }
  return run;
}

/** One more run with the counting preload: every child process, git's by subcommand. */
function countSpawns(bin) {
  const file = join(makeTempDir('goal-run-spawns'), 'spawns.jsonl');
  const run = runGoal(bin, ['--import', pathToFileURL(PRELOAD).href], { OMK_BENCH_SPAWNS_FILE: file });
  const spawns = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  const gitRuns = spawns.filter((spawn) => spawn.program === 'git');
  const byCommand = {};
  for (const { command } of gitRuns) byCommand[command ?? '?'] = (byCommand[command ?? '?'] ?? 0) + 1;
  const sum = (list) => round1(list.reduce((total, spawn) => total + (spawn.ms ?? 0), 0));
  return {
    ms: run.ms,
    children: spawns.length,
    git: gitRuns.length,
    gitMs: sum(gitRuns),
    configReads: byCommand.config ?? 0,
    gitByCommand: Object.fromEntries(Object.entries(byCommand).sort(([, a], [, b]) => b - a)),
  };
}

function render(report) {
  const seconds = (ms) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));
  const rows = report.builds.map((build) => [
    build.name,
    seconds(build.wallMs.median),
    seconds(build.wallMs.min),
    seconds(build.wallMs.max),
    seconds(build.cpuMs?.median),
    build.children,
    build.git,
    build.configReads,
    (build.gitMs / 1000).toFixed(2),
  ]);
  const [ours] = report.builds;
  return [
    report.smoke ? SMOKE_NOTE : '',
    `omk goal run: one \`omk goal run "${report.goal}" --agent demo\` (one slice), ${report.runs} timed run(s) per build, alternating`,
    `load average (1, 5, 15 min): ${report.load.before.join(', ')} before, ${report.load.after.join(', ')} after; ${report.machine.cpus} cpus`,
    '',
    formatTable(
      [
        'build',
        'median s',
        'min s',
        'max s',
        'cpu s (median)',
        'child processes',
        'git',
        'of them config',
        'git s (summed)',
      ],
      rows,
    ),
    `git by subcommand (this build): ${Object.entries(ours.gitByCommand)
      .map(([command, n]) => `${command} ${n}`)
      .join(', ')}`,
    `check: ${ours.git} git processes, at most ${report.gitCeiling}: ${report.check.met ? 'met' : 'NOT met'}`,
    '',
  ].join('\n');
}

await runBench(main);
