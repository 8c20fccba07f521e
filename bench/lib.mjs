// Shared helpers for the scripts under bench/. Node built-ins only: a benchmark must run on a bare
// checkout with nothing but `npm run build` done, and must not measure a dependency's start-up.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (bench/..), so scripts work from any working directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Outputs of a large goal run to tens of megabytes; spawnSync's 1 MiB default would truncate them. */
const MAX_BUFFER = 1024 * 1024 * 1024;

/** A failed correctness check: the figures around it cannot be trusted, so the script exits non-zero. */
export class BenchError extends Error {}

/**
 * A private copy of the built CLI (bin/ and dist/, byte for byte) whose `bin/omk.js` the bench runs.
 * `npm test` rebuilds dist/ in place, so on a shared checkout the bundle can vanish or change in
 * the middle of a run; the copy pins the code being timed. The copy is checked with `--version`
 * (retrying briefly) because it may have been taken while a build was rewriting dist/cli.js.
 */
export function snapshotOmk() {
  for (let attempt = 1; ; attempt++) {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
      if (attempt >= 5) throw new BenchError('dist/cli.js is missing: run `npm run build` first.');
    } else {
      const dir = makeTempDir('omk');
      cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
      cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
      // bin/omk.js is ESM only because the repository's package.json says so.
      writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
      const bin = join(dir, 'bin', 'omk.js');
      const probe = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
      if (probe.status === 0) return bin;
      if (attempt >= 5) throw new BenchError(`the built CLI does not start:\n${probe.stderr}`);
    }
    sleepMs(1000);
  }
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- options -------------------------------------------------------------------------------------

/**
 * A script's option values: what parseArgs found, over the script's smoke sizes under --smoke,
 * over its defaults. An option given on the command line wins even with --smoke. The size options
 * must be declared without a `default` in parseArgs, or the command line could not be told apart.
 */
export function withSizes(values, defaults, smokeSizes) {
  return { ...defaults, ...(values.smoke ? smokeSizes : {}), ...values };
}

/**
 * The first line of a --smoke run's table. `npm test` runs every bench at its smoke size so that
 * none can rot unnoticed (test/bench/smoke*.test.ts); figures from such small sizes say nothing.
 */
export const SMOKE_NOTE =
  'smoke run (--smoke): the smallest sizes, only to check that the script still works\n';

/** Progress goes to stderr so stdout stays clean for --json. */
export function log(message) {
  process.stderr.write(`${message}\n`);
}

// --- temp dirs and git -------------------------------------------------------------------------

/** Temp dirs created through this module, removed by cleanupTempDirs(). */
const tempDirs = [];

export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `omk-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function cleanupTempDirs() {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** git with an argv array (no shell), failing loudly: a broken fixture would make figures meaningless. */
export function git(cwd, args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * A throwaway repository with one commit. gc is off so a background `git gc` cannot land inside a
 * timed run; identity and signing are set locally so the user's global config cannot break the commit.
 */
export function createTempGitRepo(prefix = 'repo') {
  const dir = makeTempDir(prefix);
  git(dir, ['-c', 'init.defaultBranch=main', 'init', '-q']);
  git(dir, ['config', 'gc.auto', '0']);
  git(dir, ['config', 'user.name', 'omk bench']);
  git(dir, ['config', 'user.email', 'bench@omk.invalid']);
  git(dir, ['config', 'commit.gpgsign', 'false']);
  writeFileSync(join(dir, 'README.md'), '# bench fixture\n');
  git(dir, ['add', 'README.md']);
  git(dir, ['commit', '-q', '-m', 'initial commit']);
  return dir;
}

// --- processes and timing ----------------------------------------------------------------------

/**
 * Runs a process to completion and returns its wall time. Output is kept as Buffers while the clock
 * runs, so decoding tens of megabytes in this process is not billed to the child.
 */
export function timeSpawn(command, args, { cwd, env } = {}) {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, env, maxBuffer: MAX_BUFFER });
  const ms = performance.now() - start;
  return {
    ms,
    status: result.status,
    signal: result.signal,
    error: result.error,
    stdout: result.stdout?.toString('utf8') ?? '',
    stderr: result.stderr?.toString('utf8') ?? '',
  };
}

/** Runs the built CLI (`node <bin> ...`, bin from snapshotOmk()) and times it. */
export function timeOmk(bin, args, { cwd, stateDir }) {
  return timeSpawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, OMK_STATE_DIR: stateDir },
  });
}

/** Throws unless the run exited 0; the message carries the start of stderr to explain why. */
export function expectSuccess(label, run) {
  if (run.error) throw new BenchError(`${label}: could not run: ${run.error.message}`);
  if (run.status !== 0) {
    const why = run.signal ? `signal ${run.signal}` : `exit code ${run.status}`;
    throw new BenchError(`${label}: failed with ${why}\n${run.stderr.slice(0, 2000)}`);
  }
  return run;
}

export function parseJsonOutput(label, text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BenchError(`${label}: output is not valid JSON (${error.message})`);
  }
}

/**
 * Times each case `repeat` times after `warmupRounds` untimed warm-up rounds (one). Rounds are interleaved (a, b, c,
 * a, b, c, ...) rather than run case by case, so a burst of load on a shared machine spreads over
 * all cases instead of skewing one. `check` sees every run, warm-up included: a command that fails
 * once is a failure, whatever its timing.
 */
export function measure(cases, repeat, warmupRounds = 1) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = -warmupRounds; round < repeat; round++) {
    for (const c of cases) {
      const run = c.run();
      c.check?.(run);
      if (round >= 0) samples.get(c.name).push(run.ms);
    }
  }
  return samples;
}

// --- statistics --------------------------------------------------------------------------------

/**
 * Median, nearest-rank p95, min, max. With few samples p95 is simply the slowest run (5 samples:
 * the 5th), which is the honest reading of a small sample rather than an interpolated guess.
 */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p95 = sorted[Math.max(0, Math.ceil(0.95 * n) - 1)];
  return {
    median: round1(median),
    p95: round1(p95),
    min: round1(sorted[0]),
    max: round1(sorted[n - 1]),
    samples: sorted.map(round1),
  };
}

/**
 * The 1-minute load average, rounded. Taken before and after a run, it shows how contended a shared
 * machine was while the figures were taken (above the cpu count, runs were waiting for a core).
 */
export function load1() {
  return Math.round(loadavg()[0] * 100) / 100;
}

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on Linux unless getconf says so. */
let clockTicks = null;

/**
 * CPU time (user and system, ms) of every child process this process has waited for, and their
 * waited-for children in turn (Linux /proc/self/stat cutime and cstime); null where there is no
 * /proc. The difference around a run is the CPU its whole process tree used: a wall time that
 * grows while this stays put is waiting (for a core, the disk, a lock); system time that grows
 * is the kernel doing more work for the same job.
 */
export function childCpuMs() {
  let fields;
  try {
    // The command name (field 2) may hold spaces; the fields after its ')' do not.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
  if (clockTicks === null) {
    const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(probe.stdout) > 0 ? Number(probe.stdout) : 100;
  }
  // Fields 16 and 17 of proc(5), counted from field 3 (the state) here.
  const ms = (ticks) => (Number(ticks) * 1000) / clockTicks;
  return { user: ms(fields[13]), sys: ms(fields[14]) };
}

/**
 * Linux pressure stall information: the share of the last 10 and 60 seconds in which some task
 * waited for a cpu (or for io). Unlike the load average it says how much of the time work was
 * actually held up; null where /proc/pressure does not exist.
 */
export function pressure() {
  const read = (what) => {
    try {
      const some = readFileSync(`/proc/pressure/${what}`, 'utf8').split('\n')[0] ?? '';
      const field = (name) => Number(new RegExp(`${name}=([\\d.]+)`).exec(some)?.[1] ?? Number.NaN);
      return { avg10: field('avg10'), avg60: field('avg60') };
    } catch {
      return null;
    }
  };
  const cpu = read('cpu');
  const io = read('io');
  return cpu === null && io === null ? null : { cpu, io };
}

/** All three load averages (1, 5, 15 minutes), rounded: the 5 and 15 show whether load was rising. */
export function loadAverages() {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function round1(ms) {
  return Math.round(ms * 10) / 10;
}

// --- output ------------------------------------------------------------------------------------

/** What the figures were measured on: they mean little without it. */
export function machineInfo() {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: platform(),
    release: release(),
    arch: process.arch,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalmem: totalmem(),
  };
}

/** A plain-text table; the first column is left-aligned (labels), the rest right-aligned (numbers). */
export function formatTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])));
  const out = [line(header).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(line(row).join('  '));
  return `${out.join('\n')}\n`;
}

export function printJson(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a bench's main function: a BenchError (failed correctness check) exits 1 with its message,
 * anything else exits 1 with a stack; temp dirs are removed either way.
 */
export async function runBench(main) {
  // Ctrl-C mid-run should still leave no temp repos behind.
  process.once('SIGINT', () => {
    cleanupTempDirs();
    process.exit(130);
  });
  try {
    await main();
  } catch (error) {
    if (error instanceof BenchError) log(`bench: ${error.message}`);
    else log(`bench: unexpected error: ${error?.stack ?? error}`);
    process.exitCode = 1;
  } finally {
    cleanupTempDirs();
  }
}

/**
 * Bundles TypeScript that uses the fake GitHub (test/fake-github) into a temp dir and imports it:
 * `entry` is esbuild's `entryPoints` or `stdin` option. The fake reads GitHub's OpenAPI description
 * from `../fixtures/` next to its module, so the fixture is copied there.
 */
export async function bundleWithFakeGitHub(name, entry) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new BenchError('esbuild is missing: run `npm ci` (it is a devDependency).');
  }
  const dir = makeTempDir(name);
  mkdirSync(join(dir, 'bundle'));
  mkdirSync(join(dir, 'fixtures'));
  copyFileSync(
    join(ROOT, 'test', 'fixtures', 'github-openapi.json'),
    join(dir, 'fixtures', 'github-openapi.json'),
  );
  const outfile = join(dir, 'bundle', `${name}.mjs`);
  await esbuild.build({
    ...entry,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module';\nconst require = __benchRequire(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}
