#!/usr/bin/env node
// Execution engine benchmark: two figures from the execution engine issue.
//
//  1. omk's own overhead. `omk goal run` of an N-slice goal on a generated repository of --files
//     files, with an agent and a gate that take no time, timed around the child process, against
//     the same git work done by hand with plain git commands on a fresh copy of the same
//     repository in the same round: N x (`git worktree add --no-track -b`, one small commit), then
//     an integration worktree and N `git merge --no-ff`. omk runs with full worktrees and with
//     `--slice-execution sparse`; the baseline always uses full worktrees.
//  2. Parallel efficiency. N slices whose agent sleeps --sleep seconds, with --max-agents N, on a
//     small repository (--parallel-files), so the figure is about scheduling rather than about
//     writing files to disk, which part 1 measures.
//
//   node bench/execution.mjs [--files 10000] [--slices 8] [--repeat 3] [--parallel-files 100]
//                            [--sleep 2] [--json] [--save report.json] [--smoke]
//
// --smoke: --files 10 --slices 2 --repeat 1 --parallel-files 2 --sleep 0.2 (a few seconds; every
// case, phase and check still runs; a size given beside it wins). `npm test` runs it
// (test/bench/smoke-execution.test.ts) so the script cannot rot; its figures mean nothing.
//
// Exits non-zero only when a correctness check fails (an omk run is not ready with every slice
// done, or the baseline does not produce its merges); timings are figures, never a pass/fail
// condition. See docs/benchmarks.md.

import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import {
  BenchError,
  childCpuMs,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  git,
  load1,
  loadAverages,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  pressure,
  printJson,
  ROOT,
  round1,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  summarize,
  timeOmk,
  withSizes,
} from './lib.mjs';

/** The heuristic planner makes at most 8 slices (MAX_SLICES in src/runtime/plan/heuristic.ts). */
const MAX_SLICES = 8;
/** 10,000 files make 100 directories of 100, about the shape of a mid-size monorepo. */
const FILES_PER_DIR = 100;
/** The issue's targets. */
const TARGETS = { worktreeRatio: 1.3, sparseRatio: 1.0, efficiency: 0.8 };
/** Sizes when no option says otherwise, and under --smoke (2 slices: still parallel, still merged). */
const DEFAULT_SIZES = {
  files: '10000',
  slices: String(MAX_SLICES),
  repeat: '3',
  'parallel-files': '100',
  sleep: '2',
};
const SMOKE_SIZES = { files: '10', slices: '2', repeat: '1', 'parallel-files': '2', sleep: '0.2' };

/**
 * One gate that takes no time, so gate cost does not hide omk's own. `detect: false` keeps omk
 * from looking for npm/go/python gates in the fixture; kind `test` because the oracle requires a
 * test gate (without one the proof can never be ready).
 */
const CONFIG_YML = `version: 1
gates:
  detect: false
  list:
    - name: test
      kind: test
      run: ["true"]
`;

async function main() {
  const options = parseOptions();
  checkDiskRoom(options);
  const bin = snapshotOmk();
  const loadBefore = { loadavg: loadAverages(), pressure: pressure() };

  log(`fixture: ${options.files} files, ${options.slices} slices (git add + commit + repack)`);
  const big = createFixture('big', options.files, options.slices);
  const overhead = await measureOverhead(bin, big, options);

  log(`fixture: ${options.parallelFiles} files for the parallel efficiency runs`);
  const small = createFixture('small', options.parallelFiles, options.slices);
  const parallel = measureParallel(bin, small, options);

  const load = { before: loadBefore, after: { loadavg: loadAverages(), pressure: pressure() } };
  const report = buildReport(bin, options, { big, small }, overhead, parallel, load);
  // A run takes many minutes: --save keeps the full figures even when the table is what is printed.
  if (options.save) writeFileSync(options.save, `${JSON.stringify(report, null, 2)}\n`);
  if (options.json) printJson(report);
  else process.stdout.write(`${options.smoke ? SMOKE_NOTE : ''}${renderReport(report)}`);
}

// --- options -----------------------------------------------------------------------------------

function parseOptions() {
  let parsed;
  try {
    const { values } = parseArgs({
      options: {
        files: { type: 'string' },
        slices: { type: 'string' },
        repeat: { type: 'string' },
        'parallel-files': { type: 'string' },
        sleep: { type: 'string' },
        json: { type: 'boolean', default: false },
        save: { type: 'string' },
        smoke: { type: 'boolean', default: false },
      },
    });
    parsed = withSizes(values, DEFAULT_SIZES, SMOKE_SIZES);
  } catch (error) {
    throw new BenchError(
      `${error.message}\nusage: node bench/execution.mjs [--files N] [--slices S] [--repeat R] [--parallel-files N] [--sleep SECONDS] [--json] [--save FILE] [--smoke]`,
    );
  }
  const slices = integer('--slices', parsed.slices, 1, MAX_SLICES);
  const sleep = Number(parsed.sleep);
  if (!Number.isFinite(sleep) || sleep <= 0 || sleep > 60) throw new BenchError('--sleep must be in (0, 60]');
  return {
    // Every slice edits a file of its own directory, so there must be at least one file per slice.
    files: integer('--files', parsed.files, slices, 1_000_000),
    slices,
    repeat: integer('--repeat', parsed.repeat, 1, 100),
    parallelFiles: integer('--parallel-files', parsed['parallel-files'], slices, 1_000_000),
    sleepMs: Math.round(sleep * 1000),
    json: parsed.json,
    save: parsed.save ?? null,
    smoke: parsed.smoke,
  };
}

function integer(name, text, min, max) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new BenchError(`${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * Every measurement's copy is kept until the bench exits (see measureOverhead for why), so a run
 * needs room for all of them at once: per copy, the repository and up to 10 checkouts of it
 * (omk's base, slices and integration), each file taking at least one 4 KiB block and one inode.
 */
function checkDiskRoom(options) {
  const copies = options.repeat * 4;
  const files = copies * options.files * 12 + options.repeat * options.parallelFiles * 12;
  let fs;
  try {
    fs = statfsSync(tmpdir());
  } catch {
    return; // No statfs here: go ahead, and let a full disk speak for itself.
  }
  const bytes = files * 4096;
  if (fs.ffree < files || fs.bavail * fs.bsize < bytes) {
    const gib = (n) => (n / 1024 ** 3).toFixed(1);
    throw new BenchError(
      `${tmpdir()} needs about ${files} free inodes and ${gib(bytes)} GiB for ${copies} copies of the fixture; it has ${fs.ffree} and ${gib(fs.bavail * fs.bsize)} GiB. Use fewer --files or --repeat.`,
    );
  }
}

// --- fixture -----------------------------------------------------------------------------------

/**
 * A repository of `files` small files in pkgNN/ directories, plus README.md and .omk/config.yml,
 * and a goal of one clause per slice, each naming a file in its own directory ("refactor
 * pkg03/mod000.js"), which the heuristic planner turns into independent slices. "refactor" makes it
 * a rewrite, whose proof needs no new test (an "update" goal is greenfield and would).
 */
function createFixture(label, files, slices) {
  const repo = createTempGitRepo(`execution-${label}`);
  const dirs = Math.max(slices, Math.ceil(files / FILES_PER_DIR));
  const perDir = Math.ceil(files / dirs);
  const dirName = (d) => `pkg${String(d).padStart(Math.max(2, String(dirs - 1).length), '0')}`;
  const fileName = (f) => `mod${String(f).padStart(Math.max(3, String(perDir - 1).length), '0')}.js`;
  for (let d = 0; d < dirs; d++) mkdirSync(join(repo, dirName(d)));
  for (let i = 0; i < files; i++) {
    // Round-robin over the directories, so each of them (the slices' included) gets files.
    const path = join(repo, dirName(i % dirs), fileName(Math.floor(i / dirs)));
    writeFileSync(path, `export const value = ${i};\n`);
  }
  mkdirSync(join(repo, '.omk'));
  writeFileSync(join(repo, '.omk', 'config.yml'), CONFIG_YML);
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', `${files} generated files and a zero-time gate`]);
  // A cloned repository is packed; 10,000 loose objects would make every checkout, omk's and the
  // baseline's alike, open 10,000 object files that no real repository has.
  git(repo, ['repack', '-a', '-d', '-q']);
  const targets = Array.from({ length: slices }, (_, k) => `${dirName(k)}/${fileName(0)}`);
  return {
    repo,
    files,
    dirs,
    targets,
    goalText: targets.map((target) => `refactor ${target}`).join('; '),
    baseSha: git(repo, ['rev-parse', 'HEAD']),
  };
}

/**
 * A fresh copy of the fixture for one measurement, with room beside it (outside the repository)
 * for omk's state dir, the baseline's worktrees and the agent's script and log.
 */
function copyFixture(fixture, label) {
  const root = makeTempDir(label);
  const repo = join(root, 'repo');
  cpSync(fixture.repo, repo, { recursive: true });
  // The copy has new inodes and mtimes: refresh the index so the repository is as clean as a
  // fresh clone and no timed git command pays for re-hashing every file.
  git(repo, ['update-index', '-q', '--refresh']);
  const copy = {
    root,
    repo,
    state: join(root, 'state'),
    worktrees: join(root, 'worktrees'),
    agentDir: join(root, 'agent'),
  };
  mkdirSync(copy.worktrees);
  mkdirSync(copy.agentDir);
  return copy;
}

/**
 * The `script:` agent: logs when it starts and ends (ms since the epoch, from `date`) to a file
 * outside the repository, optionally sleeps, and appends one line to the one file its slice
 * writes (the fixture plans exactly one file per slice, so OMK_WRITES is ["pkgNN/modNNN.js"]).
 * A shell script, not node, so the agent itself costs a few milliseconds, not a node start-up.
 */
function writeAgent(dir, sleepMs) {
  const path = join(dir, 'agent.sh');
  const logPath = join(dir, 'agent.log');
  if (/['\n\\]/.test(logPath)) throw new BenchError(`temp path ${logPath} cannot be quoted in a script`);
  const lines = [
    '#!/bin/sh',
    '# Written by bench/execution.mjs for one measurement.',
    'set -e',
    `log='${logPath}'`,
    'echo "start $OMK_TASK_ID $(date +%s%3N)" >> "$log"',
    ...(sleepMs > 0 ? [`sleep ${sleepMs / 1000}`] : []),
    `file=\${OMK_WRITES#'["'}`,
    `file=\${file%%'"'*}`,
    'echo "// changed by $OMK_TASK_ID" >> "$file"',
    'echo "end $OMK_TASK_ID $(date +%s%3N)" >> "$log"',
    '',
  ];
  writeFileSync(path, lines.join('\n'), { mode: 0o755 });
  return { path, log: logPath };
}

// --- part 1: overhead --------------------------------------------------------------------------

const OVERHEAD_CASES = [
  { key: 'baseline', name: 'git by hand (baseline)' },
  { key: 'worktree', name: 'omk goal run' },
  { key: 'sparse', name: 'omk goal run --slice-execution sparse' },
  { key: 'concurrent', name: 'git by hand, checkouts concurrent' },
];

/**
 * R rounds of every case, each on its own fresh copy. The case order rotates from round to round,
 * so a drift in the machine's load does not always hit the same case first. No warm-up round: a
 * round takes minutes, and the fresh copy already puts the objects in the page cache.
 *
 * Copies are removed only when the bench exits, never between cases: on ext4 without a journal
 * (this machine's root), the inode allocator skips inodes deleted in the last 60 s (360 s while
 * their inode table block is dirty) one by one, so removing the last case's 100,000 files made
 * the next case's checkouts several times slower in system time (`perf` put most of it in
 * recently_deleted and find_inode_bit).
 */
async function measureOverhead(bin, fixture, options) {
  const samples = Object.fromEntries(OVERHEAD_CASES.map((c) => [c.key, []]));
  const run = {
    baseline: (copy) => runGitBaseline(fixture, copy),
    concurrent: (copy) => runGitConcurrent(fixture, copy),
    worktree: (copy) => runOmkGoal(bin, fixture, copy, { mode: 'worktree', sleepMs: 0 }),
    sparse: (copy) => runOmkGoal(bin, fixture, copy, { mode: 'sparse', sleepMs: 0 }),
  };
  for (let round = 0; round < options.repeat; round++) {
    for (let i = 0; i < OVERHEAD_CASES.length; i++) {
      const c = OVERHEAD_CASES[(round + i) % OVERHEAD_CASES.length];
      const copy = copyFixture(fixture, c.key);
      settleDisk();
      const load = load1();
      const cpuPressure = pressure()?.cpu?.avg10 ?? null;
      log(
        `round ${round + 1}/${options.repeat}: ${c.name} (1-min load ${load}, cpu pressure ${cpuPressure}%)`,
      );
      const result = await run[c.key](copy);
      log(`  ${(result.ms / 1000).toFixed(2)} s`);
      samples[c.key].push({ round: round + 1, load1: load, cpuPressure, ...result });
    }
  }
  return samples;
}

function branchOf(k) {
  return `bench/s${k + 1}`;
}

/** What a script would do by hand, one slice after another: the denominator of the ratio. */
async function runGitBaseline(fixture, copy) {
  const result = await timed(() => {
    fixture.targets.forEach((target, k) => {
      const path = join(copy.worktrees, `s${k + 1}`);
      git(copy.repo, ['worktree', 'add', '--quiet', '--no-track', '-b', branchOf(k), path, fixture.baseSha]);
      appendFileSync(join(path, target), `// changed on ${branchOf(k)}\n`);
      git(path, ['add', '--all']);
      git(path, ['commit', '--quiet', '-m', `change ${target}`]);
    });
    mergeAll(fixture, copy);
  });
  checkBaseline('git baseline', fixture, copy);
  return result;
}

/**
 * Diagnostic, not part of the ratio: the same git work shaped the way omk does it (worktrees
 * registered one at a time with --no-checkout, then all checkouts at once), to tell omk's own cost
 * from what concurrent checkouts cost on this machine.
 */
async function runGitConcurrent(fixture, copy) {
  const gitAsync = promisify(execFile);
  const paths = fixture.targets.map((_, k) => join(copy.worktrees, `s${k + 1}`));
  const result = await timed(async () => {
    paths.forEach((path, k) => {
      const args = ['worktree', 'add', '--quiet', '--no-checkout', '--no-track', '-b', branchOf(k), path];
      git(copy.repo, [...args, fixture.baseSha]);
    });
    await Promise.all(
      fixture.targets.map(async (target, k) => {
        const cwd = paths[k];
        await gitAsync('git', ['checkout', '--quiet', '--ignore-other-worktrees', branchOf(k), '--'], {
          cwd,
        });
        appendFileSync(join(cwd, target), `// changed on ${branchOf(k)}\n`);
        await gitAsync('git', ['add', '--all'], { cwd });
        await gitAsync('git', ['commit', '--quiet', '-m', `change ${target}`], { cwd });
      }),
    );
    mergeAll(fixture, copy);
  });
  checkBaseline('git concurrent', fixture, copy);
  return result;
}

/**
 * Wall time of `work`, and the CPU (user, system) that the processes it ran used, from the
 * children's times this process collects as it waits for them.
 */
async function timed(work) {
  const before = childCpuMs();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  return { ms, cpu: cpuSince(before) };
}

function cpuSince(before) {
  const after = childCpuMs();
  if (before === null || after === null) return null;
  return { user: round1(after.user - before.user), sys: round1(after.sys - before.sys) };
}

/**
 * Flushes dirty pages before a timed case: copying the fixture and removing the last case's
 * worktrees (100,000 files or more) leaves write-back work that would otherwise land inside the
 * next timing.
 */
function settleDisk() {
  try {
    execFileSync('sync', [], { stdio: 'ignore' });
  } catch {
    // No sync(1) here: the timing just includes whatever write-back is left.
  }
}

function mergeAll(fixture, copy) {
  const integration = join(copy.worktrees, 'integration');
  const add = ['worktree', 'add', '--quiet', '--no-track', '-b', 'bench/integration', integration];
  git(copy.repo, [...add, fixture.baseSha]);
  fixture.targets.forEach((_, k) => {
    git(integration, ['merge', '--quiet', '--no-ff', '--no-edit', branchOf(k)]);
  });
}

/** The baseline did the work it claims: one merge per slice, one changed file per slice. */
function checkBaseline(label, fixture, copy) {
  const merges = Number(git(copy.repo, ['rev-list', '--merges', '--count', 'bench/integration']));
  const changed = git(copy.repo, ['diff', '--name-only', fixture.baseSha, 'bench/integration'])
    .split('\n')
    .filter((line) => line !== '');
  const slices = fixture.targets.length;
  if (merges !== slices || changed.length !== slices) {
    throw new BenchError(
      `${label}: expected ${slices} merges and ${slices} changed files, got ${merges} and ${changed.length}`,
    );
  }
}

// --- omk runs ----------------------------------------------------------------------------------

/** One `omk goal run` on a fresh copy, timed around the child process, then checked. */
function runOmkGoal(bin, fixture, copy, { mode, sleepMs }) {
  const label = `omk goal run (${mode}${sleepMs > 0 ? `, agent sleeps ${sleepMs} ms` : ''})`;
  const agent = writeAgent(copy.agentDir, sleepMs);
  const slices = fixture.targets.length;
  const args = ['goal', 'run', fixture.goalText, '--repo', copy.repo, '--max-agents', String(slices)];
  // The fixture is planned by the heuristic (one slice per target); the agent only executes.
  args.push('--agent', `script:${agent.path}`, '--no-llm-planner', '--json');
  if (mode === 'sparse') args.push('--slice-execution', 'sparse');
  const cpuBefore = childCpuMs();
  const spawnedAt = Date.now();
  const run = timeOmk(bin, args, { cwd: copy.repo, stateDir: copy.state });
  const exitedAt = Date.now();
  const cpu = cpuSince(cpuBefore);
  const evidence = checkOmkRun(label, bin, fixture, copy, { mode, agent, run });
  return { ms: run.ms, cpu, phases: phasesOf(evidence, spawnedAt, exitedAt), evidence };
}

/**
 * A run counts only if it did the whole job: exit 0, proof ready (in the run's output and from
 * `omk goal proof latest`), every planned slice independent and done in the mode asked for, and
 * all of them merged. Anything else means the timing is of something else.
 */
function checkOmkRun(label, bin, fixture, copy, { mode, agent, run }) {
  expectSuccess(label, run);
  const out = parseJsonOutput(label, run.stdout);
  const goalId = out?.goal?.id;
  if (typeof goalId !== 'string') throw new BenchError(`${label}: --json output names no goal id`);
  const proofRun = timeOmk(bin, ['goal', 'proof', 'latest', '--json'], {
    cwd: copy.repo,
    stateDir: copy.state,
  });
  const proof = parseJsonOutput(
    `${label}: goal proof latest`,
    expectSuccess(`${label}: goal proof`, proofRun).stdout,
  );
  if (proof.goalId !== goalId || proof.status !== 'ready') {
    const gaps = JSON.stringify({ knownGaps: proof.knownGaps, failures: proof.failures }).slice(0, 2000);
    throw new BenchError(`${label}: proof of ${proof.goalId} is ${proof.status}, expected ready: ${gaps}`);
  }
  const goalDir = join(copy.state, 'goals', goalId);
  const slices = fixture.targets.length;
  const tasks = readJson(join(goalDir, 'task-graph.json')).tasks;
  if (tasks.length !== slices) {
    throw new BenchError(
      `${label}: planned ${tasks.length} slices, expected ${slices}: ${tasks.map((t) => t.id)}`,
    );
  }
  for (const task of tasks) {
    if (task.status !== 'done') throw new BenchError(`${label}: slice ${task.id} is ${task.status}`);
    if (task.dependsOn.length > 0) {
      throw new BenchError(
        `${label}: slice ${task.id} depends on ${task.dependsOn}; slices must be independent`,
      );
    }
  }
  const execution = readJson(join(goalDir, 'execution.json'));
  const wanted = mode === 'sparse' ? 'sparse-worktree' : 'worktree';
  for (const slice of execution.slices) {
    if (slice.workspaceMode !== wanted) {
      const why = slice.fallbackReason ? ` (${slice.fallbackReason})` : '';
      throw new BenchError(
        `${label}: slice ${slice.id} ran in a ${slice.workspaceMode}, not a ${wanted}${why}`,
      );
    }
  }
  if (execution.integration?.merged?.length !== slices) {
    throw new BenchError(
      `${label}: ${execution.integration?.merged?.length ?? 0} slices merged, expected ${slices}`,
    );
  }
  const ids = tasks.map((task) => task.id);
  return {
    goalId,
    ids,
    events: readEvents(join(goalDir, 'events.jsonl')),
    agents: readAgentLog(agent.log, ids),
  };
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readEvents(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** Start and end (ms since the epoch) of each slice's agent, exactly one run per slice. */
function readAgentLog(path, ids) {
  const runs = new Map(ids.map((id) => [id, {}]));
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [what, id, ms] = line.split(' ');
    // GNU date prints 13 digits for %s%3N; another date prints "%3N" literally.
    if (!/^\d{13}$/.test(ms ?? ''))
      throw new BenchError(`agent log: bad timestamp in "${line}" (GNU date needed)`);
    const run = runs.get(id);
    if (!run || !['start', 'end'].includes(what) || run[what] !== undefined) {
      throw new BenchError(`agent log: unexpected line "${line}"`);
    }
    run[what] = Number(ms);
  }
  for (const [id, run] of runs) {
    if (run.start === undefined || run.end === undefined) throw new BenchError(`agent log: no run of ${id}`);
  }
  return runs;
}

/**
 * Where an omk run's wall time went, from its events and the agent log. Events are stamped when
 * the journal saves them, and a slice's agent_finished, gates_verified and task_done are saved
 * together, so the agent log's start and end are what split a slice's time.
 */
function phasesOf({ ids, events, agents }, spawnedAt, exitedAt) {
  const at = (type) => {
    const event = events.find((e) => e.type === type);
    if (!event) throw new BenchError(`events.jsonl has no ${type} event`);
    return Date.parse(event.ts);
  };
  const perTask = (type) =>
    new Map(events.filter((e) => e.type === type).map((e) => [e.data.taskId, Date.parse(e.ts)]));
  const leased = perTask('task_leased');
  const done = perTask('task_done');
  const firstLeased = Math.min(...leased.values());
  const lastDone = Math.max(...done.values());
  const slice = (fn) => ids.map((id) => fn(agents.get(id), leased.get(id), done.get(id)));
  const workspace = slice((agent, lease) => agent.start - lease);
  const starts = ids.map((id) => agents.get(id).start);
  return {
    startup: at('goal_created') - spawnedAt,
    plan: at('execution_started') - at('goal_created'),
    takeover: firstLeased - at('execution_started'),
    slices: lastDone - firstLeased,
    leaseSpread: Math.max(...leased.values()) - firstLeased,
    startSpread: Math.max(...starts) - Math.min(...starts),
    sliceWorkspace: median(workspace),
    sliceWorkspaceMax: Math.max(...workspace),
    sliceAgent: median(slice((agent) => agent.end - agent.start)),
    sliceSettle: median(slice((agent, _lease, finished) => finished - agent.end)),
    integration: at('integration_done') - lastDone,
    finish: exitedAt - at('integration_done'),
    controller: at('execution_finished') - at('execution_started'),
  };
}

// --- part 2: parallel efficiency ---------------------------------------------------------------

function measureParallel(bin, fixture, options) {
  const runs = [];
  for (let round = 0; round < options.repeat; round++) {
    const copy = copyFixture(fixture, 'parallel');
    settleDisk();
    const load = load1();
    const cpuPressure = pressure()?.cpu?.avg10 ?? null;
    log(`parallel ${round + 1}/${options.repeat}: agents sleep ${options.sleepMs} ms (1-min load ${load})`);
    const result = runOmkGoal(bin, fixture, copy, { mode: 'worktree', sleepMs: options.sleepMs });
    const figures = parallelFigures(result, fixture.targets.length, options.sleepMs);
    log(`  ${(result.ms / 1000).toFixed(2)} s, controller ${(figures.controllerMs / 1000).toFixed(2)} s`);
    runs.push({ round: round + 1, load1: load, cpuPressure, ...figures, phases: result.phases });
  }
  return runs;
}

/**
 * Efficiency = (slices x sleep) / (max-agents x wall): the share of the agents' capacity spent
 * sleeping, i.e. doing the slices' work. With slices = max-agents it is sleep / wall, so 100%
 * means the controller added nothing to one agent's time. It is given against three walls: the
 * controller's run (execution_started to execution_finished: worktrees, agents, gates,
 * integration; the figure the target is about), the whole process (adds node start-up, intake,
 * planning and the proof), and the agents' own span (first start to last end: overlap alone).
 */
function parallelFigures(result, slices, sleepMs) {
  const { events, agents } = result.evidence;
  const at = (type) => Date.parse(events.find((e) => e.type === type).ts);
  const runs = [...agents.values()];
  const agentSpanMs = Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));
  const controllerMs = at('execution_finished') - at('execution_started');
  const efficiency = (wall) => (slices * sleepMs) / (slices * wall);
  return {
    wallMs: round1(result.ms),
    cpu: result.cpu,
    controllerMs,
    agentSpanMs,
    agentMs: runs.map((r) => r.end - r.start),
    maxConcurrent: maxConcurrent(runs),
    efficiency: {
      controller: round3(efficiency(controllerMs)),
      process: round3(efficiency(result.ms)),
      agents: round3(efficiency(agentSpanMs)),
    },
  };
}

/** Most agents alive at once, from their start/end times (an end at t counts before a start at t). */
function maxConcurrent(runs) {
  const edges = runs.flatMap((r) => [
    [r.start, 1],
    [r.end, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let alive = 0;
  let most = 0;
  for (const [, delta] of edges) {
    alive += delta;
    most = Math.max(most, alive);
  }
  return most;
}

// --- report ------------------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}

function ratio(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

function cpuRatio(runs, baseline) {
  const total = (r) => r.cpu.user + r.cpu.sys;
  if ([...runs, ...baseline].some((r) => r.cpu === null)) return null;
  return ratio(median(runs.map(total)), median(baseline.map(total)));
}

/** Median CPU of the runs' process trees (null without /proc), user + system and system alone. */
function cpuMedians(runs) {
  if (runs.some((r) => r.cpu === null)) return null;
  return {
    total: round1(median(runs.map((r) => r.cpu.user + r.cpu.sys))),
    sys: round1(median(runs.map((r) => r.cpu.sys))),
  };
}

/** Median of each phase over the runs of one case. */
function medianPhases(runs) {
  const keys = Object.keys(runs[0].phases);
  return Object.fromEntries(keys.map((key) => [key, round1(median(runs.map((r) => r.phases[key])))]));
}

function buildReport(bin, options, fixtures, overhead, parallel, load) {
  const stats = Object.fromEntries(
    OVERHEAD_CASES.map((c) => [
      c.key,
      { key: c.key, name: c.name, ...summarize(overhead[c.key].map((r) => r.ms)) },
    ]),
  );
  const base = stats.baseline;
  // Paired by round: the baseline and omk of one round ran minutes apart under similar load.
  const paired = (key) =>
    overhead[key].map((r) => ratio(r.ms, overhead.baseline.find((b) => b.round === r.round).ms));
  const ratios = Object.fromEntries(
    ['worktree', 'sparse', 'concurrent'].map((key) => [
      key,
      {
        median: ratio(stats[key].median, base.median),
        min: ratio(stats[key].min, base.min),
        perRound: paired(key),
        // CPU of the whole process tree: what omk costs in work rather than in waiting, which
        // a machine shared with other jobs inflates far less than the wall time.
        cpu: cpuRatio(overhead[key], overhead.baseline),
      },
    ]),
  );
  const efficiencies = (which) => parallel.map((r) => r.efficiency[which]);
  const { json: _json, save: _save, ...settings } = options;
  return {
    bench: 'execution',
    unit: 'ms',
    options: settings,
    omk: omkVersion(bin),
    machine: machineInfo(),
    loadavg: load,
    fixture: {
      overhead: describeFixture(fixtures.big),
      parallel: describeFixture(fixtures.small),
    },
    overhead: {
      cases: OVERHEAD_CASES.map((c) => ({
        ...stats[c.key],
        cpu: cpuMedians(overhead[c.key]),
        runs: overhead[c.key].map(({ round, load1, cpuPressure, ms, cpu, phases }) => ({
          round,
          load1,
          cpuPressure,
          ms: round1(ms),
          cpu,
          ...(phases ? { phases } : {}),
        })),
      })),
      ratios,
      phases: { worktree: medianPhases(overhead.worktree), sparse: medianPhases(overhead.sparse) },
      targets: {
        worktree: {
          below: TARGETS.worktreeRatio,
          ratio: ratios.worktree.median,
          met: ratios.worktree.median < TARGETS.worktreeRatio,
        },
        sparse: {
          below: TARGETS.sparseRatio,
          ratio: ratios.sparse.median,
          met: ratios.sparse.median < TARGETS.sparseRatio,
        },
      },
    },
    parallel: {
      sleepMs: options.sleepMs,
      maxAgents: options.slices,
      runs: parallel,
      median: {
        wallMs: round1(median(parallel.map((r) => r.wallMs))),
        controllerMs: median(parallel.map((r) => r.controllerMs)),
        agentSpanMs: median(parallel.map((r) => r.agentSpanMs)),
        maxConcurrent: median(parallel.map((r) => r.maxConcurrent)),
        efficiency: {
          controller: round3(median(efficiencies('controller'))),
          process: round3(median(efficiencies('process'))),
          agents: round3(median(efficiencies('agents'))),
        },
      },
      best: {
        efficiency: {
          controller: Math.max(...efficiencies('controller')),
          process: Math.max(...efficiencies('process')),
          agents: Math.max(...efficiencies('agents')),
        },
      },
      phases: medianPhases(parallel),
      target: {
        above: TARGETS.efficiency,
        efficiency: round3(median(efficiencies('controller'))),
        met: median(efficiencies('controller')) > TARGETS.efficiency,
      },
    },
  };
}

/**
 * Which code was timed: the snapshot's --version, and the checkout's commit with a note when the
 * working tree differs from it (a shared checkout often has work in progress in it).
 */
function omkVersion(bin) {
  const version = timeOmk(bin, ['--version'], { cwd: ROOT, stateDir: ROOT }).stdout.trim();
  let commit = null;
  try {
    commit = git(ROOT, ['rev-parse', '--short', 'HEAD']);
    if (git(ROOT, ['status', '--porcelain', '--untracked-files=no']) !== '')
      commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout (an unpacked release): the version alone says what ran.
  }
  return { version, commit };
}

function describeFixture(fixture) {
  const { files, dirs, targets, goalText } = fixture;
  return { files, trackedFiles: files + 2, dirs, slices: targets.length, goalText };
}

function s(ms) {
  return (ms / 1000).toFixed(2);
}

function pct(value) {
  return `${(value * 100).toFixed(0)}%`;
}

function renderReport(report) {
  const { machine, loadavg, overhead, parallel, fixture } = report;
  const o = report.options;
  const caseRows = overhead.cases.map((c) => {
    const r = overhead.ratios[c.key] ?? { median: 1, min: 1, cpu: 1 };
    const cpu = c.cpu ? [s(c.cpu.total), s(c.cpu.sys), r.cpu.toFixed(2)] : ['-', '-', '-'];
    return [c.name, s(c.median), s(c.min), s(c.max), r.median.toFixed(2), r.min.toFixed(2), ...cpu];
  });
  const met = (target) => (target.met ? 'met' : 'NOT met');
  const phaseNames = [
    ['startup', 'node start-up and intake'],
    ['plan', 'planning'],
    ['takeover', 'take-over to the first lease'],
    ['slices', 'slices: first lease to last done'],
    ['leaseSpread', '  first lease to last lease'],
    ['startSpread', '  first agent start to last'],
    ['sliceWorkspace', '  per slice: lease to agent start (median)'],
    ['sliceWorkspaceMax', '  per slice: lease to agent start (slowest)'],
    ['sliceAgent', '  per slice: agent (median)'],
    ['sliceSettle', '  per slice: capture, gates, review'],
    ['integration', 'integration: merges and gates'],
    ['finish', 'proof and exit'],
    ['controller', 'controller: execution_started to _finished'],
  ];
  const phaseRows = phaseNames.map(([key, name]) => [
    name,
    s(overhead.phases.worktree[key]),
    s(overhead.phases.sparse[key]),
    s(parallel.phases[key]),
  ]);
  const parallelRows = parallel.runs.map((r) => [
    String(r.round),
    `${r.load1} / ${r.cpuPressure ?? '-'}%`,
    s(r.wallMs),
    s(r.controllerMs),
    s(r.agentSpanMs),
    String(r.maxConcurrent),
    pct(r.efficiency.controller),
    pct(r.efficiency.process),
    pct(r.efficiency.agents),
  ]);
  const m = parallel.median;
  return [
    `omk execution benchmark: ${o.slices} slices, --max-agents ${o.slices}, ${o.repeat} rounds; times in s`,
    `omk ${report.omk.version}, commit ${report.omk.commit ?? 'unknown'}`,
    `machine: node ${machine.node}, ${machine.platform} ${machine.arch}, ${machine.cpus} cpus (${machine.cpuModel}), ${(machine.totalmem / 1024 ** 3).toFixed(1)} GiB; load averages (1/5/15 min) ${loadavg.before.loadavg.join(' ')} before, ${loadavg.after.loadavg.join(' ')} after; cpu pressure (some, avg60) ${loadavg.before.pressure?.cpu?.avg60 ?? '-'}% before, ${loadavg.after.pressure?.cpu?.avg60 ?? '-'}% after`,
    '',
    `1. Overhead: ${fixture.overhead.trackedFiles} tracked files in ${fixture.overhead.dirs} directories, zero-time agent, one zero-time gate`,
    '',
    formatTable(
      ['case', 'median', 'min', 'max', 'ratio (median)', 'ratio (min)', 'cpu', 'of it sys', 'cpu ratio'],
      caseRows,
    ),
    'cpu: median user + system time of the whole process tree (git included), from /proc/self/stat; cpu ratio = case cpu / baseline cpu',
    `ratio = case / git baseline; per round (paired): omk ${overhead.ratios.worktree.perRound.join(', ')}; sparse ${overhead.ratios.sparse.perRound.join(', ')}`,
    `target: omk under ${overhead.targets.worktree.below}x: ${met(overhead.targets.worktree)} (${overhead.targets.worktree.ratio}x); sparse under ${overhead.targets.sparse.below}x: ${met(overhead.targets.sparse)} (${overhead.targets.sparse.ratio}x)`,
    '',
    'Where omk spends the time (median of the runs; from events.jsonl and the agent log):',
    '',
    formatTable(
      ['phase', 'worktree', 'sparse', `parallel (${fixture.parallel.trackedFiles} files)`],
      phaseRows,
    ),
    `2. Parallel efficiency: ${fixture.parallel.trackedFiles} tracked files, agent sleeps ${o.sleepMs / 1000} s, efficiency = (slices x sleep) / (max-agents x wall)`,
    '',
    formatTable(
      [
        'round',
        'load',
        'process',
        'controller',
        'agent span',
        'max conc.',
        'eff. (controller)',
        'eff. (process)',
        'eff. (agents)',
      ],
      parallelRows,
    ),
    `median: controller ${s(m.controllerMs)} s, efficiency ${pct(m.efficiency.controller)} (process ${pct(m.efficiency.process)}, agents ${pct(m.efficiency.agents)}), max concurrency ${m.maxConcurrent}`,
    `target: efficiency over ${pct(parallel.target.above)} (controller wall): ${met(parallel.target)}`,
    '',
  ].join('\n');
}

// Last, so every module-level constant above is initialised before main() runs.
await runBench(main);
