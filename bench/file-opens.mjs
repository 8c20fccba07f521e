#!/usr/bin/env node
// File opens benchmark: how many times ONE `omk goal run` of a one-slice goal opens the
// repository's .omk/config.yml and the goal's goal.json (the issue's targets: at most 1 and at
// most 3), and, for information, the goal's events.jsonl and proof.json and the worktrees' copies
// of the config.
//
//   node bench/file-opens.mjs [--method auto|strace|preload] [--check] [--json] [--smoke]
//
// Fixture: a temp git repository shaped like a small Node project (package.json whose test script
// is `node --test test/`, src/parser.js, test/parser.test.js using node:test, a committed
// .omk/config.yml holding `version: 1`) and a temp --state-dir. From the repository, as a user
// runs it: `omk --state-dir <dir> goal run "fix the bug in src/parser.js" --agent demo --json`;
// the heuristic planner makes one slice of it (checked).
//
// Counting. With strace on PATH (--method auto picks it when it can trace here), `strace -f -y`
// records every openat of the run and every clone, so each open is put down to omk's own process
// (its threads included) or to a child (git, the npm gate). Only omk's successful opens count, of
// exactly <repo>/.omk/config.yml (the worktrees' copies are other files) and of
// <state>/goals/<id>/goal.json (not the .goal.json.*.tmp files of the atomic writes); the
// children's opens of the same files are shown beside them. Without strace, the run is
// `node --import bench/lib/count-opens.mjs`, which counts the opens of omk's process through
// node:fs (see that file for what it cannot see). The output names the method used.
//
// --check exits 1 when omk opens config.yml more than once or goal.json more than 3 times.
// --smoke is --check: one run already takes only a few seconds. `npm test` runs it
// (test/bench/smoke-opens-gates.test.ts), so omk cannot drift back to rereading these files unnoticed.
// Exits non-zero as well when a correctness check fails (the run fails or is not one slice).

import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createParserProject, PARSER_GOAL } from './lib/parser-project.mjs';
import {
  BenchError,
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
  snapshotOmk,
  timeSpawn,
} from './lib.mjs';

const GOAL_TEXT = PARSER_GOAL;
/** The issue's targets: most opens of each file in one run. */
const TARGETS = { config: 1, goal: 3 };
const PRELOAD = join(ROOT, 'bench', 'lib', 'count-opens.mjs');

async function main() {
  const options = parseOptions();
  const method = chooseMethod(options.method);
  log(`counting with ${method.name}${method.why ? ` (${method.why})` : ''}`);
  const bin = snapshotOmk();
  const repo = createParserProject('opens-repo');
  const stateDir = makeTempDir('opens-state');
  const work = makeTempDir('opens-work');
  const args = [bin, '--state-dir', stateDir, 'goal', 'run', GOAL_TEXT, '--agent', 'demo', '--json'];
  // The state dir is the flag's; an OMK_STATE_DIR from the caller's environment must not matter.
  const { OMK_STATE_DIR: _ignored, ...env } = process.env;

  log(`running: omk goal run "${GOAL_TEXT}" --agent demo`);
  const counted =
    method.name === 'strace' ? runTraced(args, repo, env, work) : runPreloaded(args, repo, env, work);
  const goal = checkRun(counted.run, stateDir);
  const report = buildReport({ options, method, repo, goal, counted });

  if (options.json) printJson(report);
  else process.stdout.write(render(report));
  if (options.check && !report.check.met) {
    throw new BenchError(`check failed: ${report.check.failures.join('; ')}`);
  }
}

function parseOptions() {
  let values;
  try {
    values = parseArgs({
      options: {
        method: { type: 'string', default: 'auto' },
        check: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new BenchError(
      `${error.message}\nusage: node bench/file-opens.mjs [--method auto|strace|preload] [--check] [--json] [--smoke]`,
    );
  }
  if (!['auto', 'strace', 'preload'].includes(values.method)) {
    throw new BenchError('--method must be auto, strace or preload');
  }
  // One run is already small: the smoke run is the real run, checked.
  return { ...values, check: values.check || values.smoke };
}

/**
 * strace when it is on PATH and may trace here (a container can forbid ptrace), else the preload.
 * Asking for strace by name makes its absence an error instead of a fallback.
 */
function chooseMethod(wanted) {
  if (wanted === 'preload') return { name: 'preload', why: '--method preload' };
  const probe = spawnSync('strace', ['-f', '-o', '/dev/null', process.execPath, '-e', '0'], {
    encoding: 'utf8',
  });
  let why = null;
  if (probe.error) why = probe.error.code === 'ENOENT' ? 'strace is not on PATH' : probe.error.message;
  else if (probe.status !== 0) why = `strace cannot trace here: ${probe.stderr.trim().split('\n')[0]}`;
  if (why === null) return { name: 'strace', why: null };
  if (wanted === 'strace') throw new BenchError(`--method strace: ${why}`);
  return { name: 'preload', why };
}

// --- counting with strace --------------------------------------------------------------------------

/**
 * The run under `strace -f -y`: -f follows threads and children, -y prints the directory of a
 * relative open (`AT_FDCWD</dir>`), `process` adds the clones that tell threads from children, and
 * -s keeps long paths whole.
 */
function runTraced(args, repo, env, work) {
  const traceFile = join(work, 'strace.txt');
  const strace = ['-f', '-y', '-s', '4096', '-e', 'trace=openat,process', '-o', traceFile];
  const run = timeSpawn('strace', [...strace, process.execPath, ...args], { cwd: repo, env });
  expectSuccess('omk goal run (under strace)', run);
  return { run, opens: opensFromTrace(readFileSync(traceFile, 'utf8'), repo) };
}

/** Every open in the trace: its absolute path, whether it succeeded and was read-only, and whose. */
function opensFromTrace(text, cwd) {
  const calls = traceCalls(text);
  if (calls.length === 0 || !calls[0].call.startsWith('execve(')) {
    throw new BenchError('the strace output does not start with the execve of node');
  }
  const root = calls[0].tid;
  // Each clone: the new task's creator, and whether it is a thread of the same process.
  const clones = new Map();
  for (const { tid, call } of calls) {
    const clone = /^(clone3?|fork|vfork)\(.*=\s*(\d+)\s*$/.exec(call);
    if (clone) clones.set(Number(clone[2]), { parent: tid, thread: call.includes('CLONE_THREAD') });
  }
  const processOf = (tid) => {
    let task = tid;
    for (let clone = clones.get(task); clone?.thread; clone = clones.get(task)) task = clone.parent;
    return task;
  };
  const opens = [];
  for (const { tid, call } of calls) {
    const open =
      /^openat\(\w+(?:<([^>]*)>)?, "((?:[^"\\]|\\.)*)"(?:\.\.\.)?, ([\w|]+)[^)]*\)\s*=\s*(-?\d+)/.exec(call);
    if (!open) continue;
    const [, dir, quoted, flags, result] = open;
    const omk = processOf(tid) === root;
    const path = unescapeC(quoted);
    // Without -y's directory, a relative open is placed only for omk, whose cwd is known.
    const absolute = isAbsolute(path) ? path : dir ? join(dir, path) : omk ? resolve(cwd, path) : null;
    if (absolute === null || Number(result) < 0) continue;
    opens.push({ path: absolute, read: /^O_RDONLY\b/.test(flags), omk });
  }
  if (!opens.some((open) => open.omk)) throw new BenchError('the trace shows no open by omk at all');
  return opens;
}

/**
 * The trace's system calls, one per task and call: a call another task interrupted is printed as
 * `<unfinished ...>` and its `<... openat resumed>` end comes later; the two are joined here.
 */
function traceCalls(text) {
  const pending = new Map();
  const calls = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) +(.*)$/.exec(line);
    if (!match) continue;
    const tid = Number(match[1]);
    let call = match[2];
    if (call.endsWith('<unfinished ...>')) {
      pending.set(tid, call.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(call);
    if (resumed) {
      call = `${pending.get(tid) ?? ''}${resumed[1]}`;
      pending.delete(tid);
    }
    calls.push({ tid, call });
  }
  return calls;
}

/** strace's C-style string escapes (\" \\ \n \t and octal); temp paths rarely have any. */
function unescapeC(text) {
  const named = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f' };
  return text.replace(/\\([0-7]{1,3}|.)/g, (_, code) =>
    /^[0-7]+$/.test(code) ? String.fromCharCode(Number.parseInt(code, 8)) : (named[code] ?? code),
  );
}

// --- counting in process ---------------------------------------------------------------------------

/** The run with the counting preload: omk's own process only; children are not counted. */
function runPreloaded(args, repo, env, work) {
  const opensFile = join(work, 'opens.jsonl');
  const run = timeSpawn(process.execPath, ['--import', pathToFileURL(PRELOAD).href, ...args], {
    cwd: repo,
    env: { ...env, OMK_BENCH_OPENS_FILE: opensFile },
  });
  expectSuccess('omk goal run (with the counting preload)', run);
  let text;
  try {
    text = readFileSync(opensFile, 'utf8');
  } catch {
    throw new BenchError(`the counting preload wrote no ${opensFile}: did the process exit normally?`);
  }
  const opens = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({ ...JSON.parse(line), omk: true }));
  if (opens.length === 0) throw new BenchError('the counting preload saw no open at all');
  return { run, opens };
}

// --- the run and the report ------------------------------------------------------------------------

/** The run did what the figures are about: one slice, done. */
function checkRun(run, stateDir) {
  const out = parseJsonOutput('goal run --json', run.stdout);
  const id = out?.goal?.id;
  if (typeof id !== 'string') throw new BenchError('goal run --json names no goal id');
  const goalDir = join(stateDir, 'goals', id);
  const tasks = JSON.parse(readFileSync(join(goalDir, 'task-graph.json'), 'utf8')).tasks;
  if (tasks.length !== 1) {
    throw new BenchError(`the goal was planned as ${tasks.length} slices, not 1: ${tasks.map((t) => t.id)}`);
  }
  if (tasks[0].status !== 'done')
    throw new BenchError(`slice ${tasks[0].id} is ${tasks[0].status}, not done`);
  return { id, status: out.goal.status, proof: out.proof?.status ?? null, slice: tasks[0].id, ms: run.ms };
}

function buildReport({ options, method, repo, goal, counted }) {
  const roots = new Set([repo, realpathSync(repo)].map((dir) => join(dir, '.omk', 'config.yml')));
  const inGoal = (name) => (path) => path.endsWith(`/goals/${goal.id}/${name}`);
  const files = [
    { key: 'config', name: '.omk/config.yml (repository root)', match: (path) => roots.has(path) },
    { key: 'goal', name: 'goal.json', match: inGoal('goal.json') },
    { key: 'events', name: 'events.jsonl', match: inGoal('events.jsonl') },
    { key: 'proof', name: 'proof.json', match: inGoal('proof.json') },
    {
      key: 'worktreeConfig',
      name: '.omk/config.yml (worktree copies)',
      match: (path) => path.endsWith('/.omk/config.yml') && !roots.has(path),
    },
  ];
  const traced = method.name === 'strace';
  const counts = Object.fromEntries(
    files.map(({ key, name, match }) => {
      const opens = counted.opens.filter((open) => match(open.path));
      const omk = opens.filter((open) => open.omk);
      return [
        key,
        {
          name,
          opens: omk.length,
          readOnly: omk.filter((open) => open.read).length,
          // The preload sees omk's process only.
          childOpens: traced ? opens.length - omk.length : null,
          target: TARGETS[key] ?? null,
        },
      ];
    }),
  );
  const failures = ['config', 'goal']
    .filter((key) => counts[key].opens > TARGETS[key])
    .map((key) => `${counts[key].name} opened ${counts[key].opens} times, target at most ${TARGETS[key]}`);
  return {
    bench: 'file-opens',
    method: method.name,
    methodWhy: method.why,
    smoke: options.smoke,
    goal: { ...goal, ms: round1(goal.ms), text: GOAL_TEXT },
    files: counts,
    check: { met: failures.length === 0, failures },
    machine: machineInfo(),
  };
}

function render(report) {
  const how =
    report.method === 'strace'
      ? 'strace -f (omk: its own process and threads; children: git, the npm gate)'
      : `the in-process preload bench/lib/count-opens.mjs (omk's process only${report.methodWhy ? `; ${report.methodWhy}` : ''})`;
  const rows = Object.values(report.files).map((file) => [
    file.name,
    file.opens,
    file.readOnly,
    file.childOpens ?? '-',
    file.target === null ? '-' : `≤ ${file.target}`,
  ]);
  const { goal, files, check } = report;
  return [
    `omk file opens: one \`omk goal run "${goal.text}" --agent demo\`, counted with ${how}`,
    `goal ${goal.id}: 1 slice (${goal.slice}), goal ${goal.status}, proof ${goal.proof}; the run took ${(goal.ms / 1000).toFixed(2)} s`,
    '',
    formatTable(['file', 'opens by omk', 'of them read-only', 'by child processes', 'target'], rows),
    `targets: config.yml ${files.config.opens} ≤ ${TARGETS.config}, goal.json ${files.goal.opens} ≤ ${TARGETS.goal}: ${check.met ? 'met' : 'NOT met'}`,
    '',
  ].join('\n');
}

await runBench(main);
