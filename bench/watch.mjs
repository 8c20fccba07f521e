#!/usr/bin/env node
// `omk goal watch` benchmark (issue 14: "watch on a goal with 8 running slices redraws at least
// once a second using under 5% of one core"). A planned goal gets a synthetic journal: 8 slices
// leased and their agents started, then, while the watch runs, an event every 250 ms (a gate
// verified, a slice done and leased again, ...) and a new output line in each agent's transcript
// every 100 ms. `omk goal watch` runs on a pseudo-terminal (util-linux `script`), so it redraws in
// place as on a person's terminal; at the end the goal is cancelled and the watch must exit 4.
//
//  - redraws per second: the cursor-up sequences in its output (each redraw but the first), plus
//    the first, over the wall time it ran;
//  - CPU % of one core: the user+system time of the watch's process tree (node and `script`,
//    from /proc) over its wall time, node's start-up included.
//
//   node bench/watch.mjs [--seconds 10] [--interval 500] [--json] [--smoke]
//
// --smoke: --seconds 3. `npm test` runs it (test/bench/smoke.test.ts) so the script cannot rot.
// Exits non-zero when a check fails (no redraw, no slice line, another exit code than 4); the
// figures against the targets are printed, never a pass/fail condition. See docs/benchmarks.md.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  childCpuMs,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  loadAverages,
  log,
  machineInfo,
  makeTempDir,
  parseJsonOutput,
  printJson,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  timeOmk,
  withSizes,
} from './lib.mjs';

const DEFAULT_SIZES = { seconds: '10', interval: '500' };
const SMOKE_SIZES = { seconds: '3' };
const SLICES = 8;
/** ESC [ n A: the cursor goes back up over the last drawing, once per redraw. */
const CURSOR_UP = new RegExp(`${String.fromCharCode(27)}\\[\\d+A`, 'g');

await runBench(async () => {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const sizes = withSizes(values, DEFAULT_SIZES, SMOKE_SIZES);
  const seconds = Number(sizes.seconds);
  const interval = Number(sizes.interval);
  if (spawnSync('script', ['--version']).status !== 0)
    throw new BenchError('util-linux `script` is needed to give the watch a terminal.');

  const bin = snapshotOmk();
  const repo = createTempGitRepo('watch');
  const stateDir = makeTempDir('watch-state');
  const plan = expectSuccess(
    'omk goal plan',
    timeOmk(bin, ['goal', 'plan', 'update README.md', '--json', '--no-llm-planner'], { cwd: repo, stateDir }),
  );
  const id = parseJsonOutput('omk goal plan', plan.stdout).goal.id;
  const goalDir = join(stateDir, 'goals', id);
  const events = join(goalDir, 'events.jsonl');
  let seq = readFileSync(events, 'utf8').trimEnd().split('\n').length;
  const append = (type, data) => {
    seq += 1;
    appendFileSync(events, `${JSON.stringify({ v: 1, seq, ts: new Date().toISOString(), type, data })}\n`);
  };
  const slices = Array.from({ length: SLICES }, (_, i) => `s${i + 1}-synthetic-slice`);
  const transcript = (slice) => join(goalDir, 'artifacts', 'agent-runs', slice, 'transcript-1.log');
  append('execution_started', { pid: process.pid, host: 'bench', agent: 'synthetic' });
  for (const slice of slices) {
    mkdirSync(join(goalDir, 'artifacts', 'agent-runs', slice), { recursive: true });
    appendFileSync(transcript(slice), '# omk: agent synthetic\n\n');
    append('task_leased', { taskId: slice, attempt: 1, worker: process.pid });
    append('agent_started', { taskId: slice, attempt: 1, pid: process.pid });
  }

  log(`watching ${id} with ${SLICES} running slices for ${seconds} s (interval ${interval} ms)`);
  const cpuBefore = childCpuMs();
  const started = performance.now();
  const command = [process.execPath, bin, 'goal', 'watch', id, '--interval', String(interval)]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: repo,
    env: { ...process.env, OMK_STATE_DIR: stateDir, COLUMNS: '160', LINES: '40' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // When each redraw arrived: the rate is taken between the first and the last one.
  const redrawTimes = [];
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
    for (const _ of chunk.matchAll(CURSOR_UP)) redrawTimes.push(performance.now());
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));

  // The watch's own node process (the child of `script`), sampled once it has drawn: its CPU
  // without node's start-up, over the same stretch of wall time.
  const steady = await steadySample(() => output.length > 0, id);
  let tick = 0;
  const lines = setInterval(() => {
    tick += 1;
    for (const slice of slices) appendFileSync(transcript(slice), `step ${tick}: editing ${slice}\n`);
  }, 100);
  const writer = setInterval(() => {
    const slice = slices[tick % SLICES];
    append('gates_verified', { taskId: slice, sha: 'f00d', outcomes: ['test:passed'] });
  }, 250);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clearInterval(lines);
  clearInterval(writer);
  const steadyEnd = steady === null ? null : { cpu: processCpuMs(steady.pid), at: performance.now() };
  expectSuccess('omk goal cancel', timeOmk(bin, ['goal', 'cancel', id], { cwd: repo, stateDir }));
  const code = await exited;
  const wallMs = performance.now() - started;
  const cpuAfter = childCpuMs();

  if (code !== 4)
    throw new BenchError(`omk goal watch exited ${code}, not 4 (cancelled):\n${output.slice(-2000)}`);
  const redraws = (output.match(CURSOR_UP) ?? []).length + 1;
  if (redraws < 2) throw new BenchError(`omk goal watch never redrew in place:\n${output.slice(-2000)}`);
  if (!new RegExp(`${slices[SLICES - 1]}\\s+running\\s+attempt 1`).test(output))
    throw new BenchError(`the watch did not show the running slices:\n${output.slice(-2000)}`);
  const cpuMs =
    cpuBefore === null || cpuAfter === null
      ? null
      : cpuAfter.user + cpuAfter.sys - (cpuBefore.user + cpuBefore.sys);
  // Redraws while watching: the intervals between the first redraw and the last one.
  const first = redrawTimes[0] ?? 0;
  const last = redrawTimes.at(-1) ?? 0;
  const perSecond = redrawTimes.length < 2 ? 0 : (redrawTimes.length - 1) / ((last - first) / 1000);
  const steadyPercent =
    steady === null || steadyEnd === null || steady.cpu === null || steadyEnd.cpu === null
      ? null
      : ((steadyEnd.cpu - steady.cpu) / (steadyEnd.at - steady.at)) * 100;
  const cpuPercent = cpuMs === null ? null : (cpuMs / wallMs) * 100;
  const result = {
    machine: machineInfo(),
    load: loadAverages(),
    slices: SLICES,
    seconds,
    intervalMs: interval,
    wallMs: Math.round(wallMs),
    redraws,
    redrawsPerSecond: Math.round(perSecond * 100) / 100,
    cpuMs: cpuMs === null ? null : Math.round(cpuMs),
    cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 100) / 100,
    steadyCpuPercent: steadyPercent === null ? null : Math.round(steadyPercent * 100) / 100,
    events: seq,
  };
  if (values.json) {
    printJson(result);
    return;
  }
  if (values.smoke) process.stdout.write(SMOKE_NOTE);
  process.stdout.write(
    formatTable(
      ['omk goal watch', 'slices', 'wall s', 'redraws', 'redraws/s', 'cpu ms', 'cpu %'],
      [
        [
          `${SLICES} running, interval ${interval} ms`,
          SLICES,
          (wallMs / 1000).toFixed(1),
          redraws,
          perSecond.toFixed(2),
          cpuMs === null ? 'n/a' : Math.round(cpuMs),
          cpuPercent === null ? 'n/a' : cpuPercent.toFixed(2),
        ],
      ],
    ),
  );
  process.stdout.write(
    `redraws per second: ${perSecond.toFixed(2)} (target ≥ 1: ${perSecond >= 1 ? 'met' : 'not met'})\n`,
  );
  process.stdout.write(
    cpuPercent === null
      ? 'CPU of one core: n/a (no /proc)\n'
      : `CPU of one core, start-up included: ${cpuPercent.toFixed(2)}%\n`,
  );
  process.stdout.write(
    steadyPercent === null
      ? 'CPU of one core while watching: n/a (no /proc)\n'
      : `CPU of one core while watching: ${steadyPercent.toFixed(2)}% (target < 5%: ${steadyPercent < 5 ? 'met' : 'not met'})\n`,
  );
  process.stdout.write(`load ${loadAverages().join(' ')}; ${seq} events in the journal\n`);
});

/** user+system ms of one process (Linux /proc/<pid>/stat), null when it cannot be read. */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc's times (a function: this file's top level awaits the bench). */
function ticksPerSecond() {
  const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(probe.stdout) > 0 ? Number(probe.stdout) : 100;
}

/** Waits for the first drawing, then finds the watch's node process and samples its CPU. */
async function steadySample(drawn, id) {
  for (let i = 0; i < 400 && !drawn(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  const pid = findWatch(id);
  return pid === null ? null : { pid, cpu: processCpuMs(pid), at: performance.now() };
}

/** The node process running `omk goal watch <id>` (under `script` and its shell). */
function findWatch(id) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const entry of entries) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0] === process.execPath && argv.includes('watch') && argv.includes(id)) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return null;
}
