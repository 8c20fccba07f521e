#!/usr/bin/env node
// Action start-up benchmark: how soon `node dist/index.cjs` prints its first line (the runner's
// ::add-mask:: for the token, which must come before anything else), and how soon it finishes a
// step that fails fast (INPUT_COMMAND=status without a goal-id), and how soon `node dist/post.js`
// (the post step, run at the end of every job) prints its first line, next to the cost of starting
// node at all (`node -e 0`). Also reports the size of what a runner loads.
//
//   node bench/action-startup.mjs [--repeat 20] [--json] [--smoke]
//
// --smoke: --repeat 1 (one warm-up and one timed round, under a second; every check still runs;
// --repeat given beside it wins). `npm test` runs it (test/bench/smoke.test.ts) so the script
// cannot rot; its figures mean nothing.
//
// Exits non-zero only when a correctness check fails; timings are figures. See docs/benchmarks.md.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  BenchError,
  formatTable,
  load1,
  log,
  machineInfo,
  makeTempDir,
  printJson,
  ROOT,
  round1,
  runBench,
  SMOKE_NOTE,
  summarize,
  withSizes,
} from './lib.mjs';

const TOKEN = 'ghs_benchCanary0123456789abcdefXYZ';

/** A private copy of dist/ (a parallel `npm run build` could rewrite it mid-run). */
function snapshotAction() {
  if (!existsSync(join(ROOT, 'dist', 'index.cjs')))
    throw new BenchError('dist/index.cjs is missing: run `npm run build`.');
  const dir = makeTempDir('action');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  // dist/*.js is ESM because the action repository's package.json says so.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  return dir;
}

function bundleSizes(dir) {
  const entry = statSync(join(dir, 'dist', 'index.cjs')).size;
  const chunkDir = join(dir, 'dist', 'action');
  const chunks = existsSync(chunkDir)
    ? readdirSync(chunkDir).reduce((sum, name) => sum + statSync(join(chunkDir, name)).size, 0)
    : 0;
  return { entryBytes: entry, chunkBytes: chunks, totalBytes: entry + chunks };
}

/** Spawns node with `args`; resolves with ms to the first stdout byte and to exit, and the output. */
function timeFirstOutput(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstMs = null;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      firstMs ??= performance.now() - start;
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ firstMs, exitMs: performance.now() - start, code, stdout, stderr }),
    );
  });
}

function checkActionRun(run) {
  const lines = run.stdout.split('\n');
  const mask = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
  if (lines[0] !== `::add-mask::${TOKEN}` || lines[1] !== `::add-mask::${mask}`) {
    throw new BenchError(`the first lines are not the token masks:\n${lines.slice(0, 3).join('\n')}`);
  }
  if (
    run.code !== 1 ||
    !lines.some((line) => line.startsWith('::error::') && line.includes('goal-id: required'))
  ) {
    throw new BenchError(
      `expected exit 1 with an ::error:: naming goal-id, got ${run.code}:\n${run.stdout}${run.stderr}`,
    );
  }
  if (lines.some((line) => !line.startsWith('::add-mask::') && line.includes(TOKEN))) {
    throw new BenchError('the token appears outside its ::add-mask:: line');
  }
}

function checkPostRun(run) {
  const first = run.stdout.split('\n')[0];
  if (run.code !== 0 || !first.startsWith('omk: nothing to clean up')) {
    throw new BenchError(
      `expected dist/post.js without a saved trace to exit 0 after 'omk: nothing to clean up', got ${run.code}:\n${run.stdout}${run.stderr}`,
    );
  }
}

async function main() {
  const parsed = parseArgs({
    options: {
      repeat: { type: 'string' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  }).values;
  const values = withSizes(parsed, { repeat: '20' }, { repeat: '1' });
  const repeat = Number.parseInt(values.repeat, 10);
  if (!Number.isInteger(repeat) || repeat < 1) throw new BenchError('--repeat must be a positive integer');
  const dir = snapshotAction();
  const entry = join(dir, 'dist', 'index.cjs');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    INPUT_COMMAND: 'status',
    'INPUT_GITHUB-TOKEN': TOKEN,
  };
  const samples = { first: [], exit: [], post: [], baseline: [] };
  const loadBefore = load1();
  log(`action start-up: ${repeat} rounds (+1 warm-up), node ${process.version}`);
  for (let round = 0; round <= repeat; round += 1) {
    const action = await timeFirstOutput([entry], env, dir);
    checkActionRun(action);
    const post = await timeFirstOutput([join(dir, 'dist', 'post.js')], { PATH: env.PATH, HOME: dir }, dir);
    checkPostRun(post);
    const baseline = await timeFirstOutput(['-e', '0'], { PATH: env.PATH }, dir);
    if (baseline.code !== 0) throw new BenchError('node -e 0 failed');
    if (round === 0) continue;
    samples.first.push(action.firstMs);
    samples.exit.push(action.exitMs);
    samples.post.push(post.firstMs);
    samples.baseline.push(baseline.exitMs);
  }
  const first = summarize(samples.first);
  const exit = summarize(samples.exit);
  const postFirst = summarize(samples.post);
  const baseline = summarize(samples.baseline);
  const sizes = bundleSizes(dir);
  const result = {
    bench: 'action-startup',
    machine: { ...machineInfo(), load1Before: loadBefore, load1After: load1() },
    repeat,
    smoke: values.smoke,
    firstOutput: first,
    exit,
    postFirstOutput: postFirst,
    baseline,
    ratioFirstOutputToBaseline: round1(first.median / baseline.median),
    ratioPostFirstOutputToBaseline: round1(postFirst.median / baseline.median),
    netFirstOutputMs: round1(first.median - baseline.median),
    bundle: sizes,
  };
  if (values.json) {
    printJson(result);
    return;
  }
  const row = (label, s) => [
    label,
    s.median,
    s.p95,
    s.min,
    label.startsWith('node') ? '-' : round1(s.median - baseline.median),
  ];
  if (values.smoke) process.stdout.write(SMOKE_NOTE);
  process.stdout.write(
    formatTable(
      ['case', 'median', 'p95', 'min', 'net median'],
      [
        row('dist/index.cjs: first line (::add-mask::)', first),
        row('dist/index.cjs: exit (input error)', exit),
        row('dist/post.js: first line (post step)', postFirst),
        row('node -e 0 (baseline, exit)', baseline),
      ],
    ),
  );
  process.stdout.write(
    `\nfirst line / baseline (medians): ${result.ratioFirstOutputToBaseline}x; ` +
      `post step: ${result.ratioPostFirstOutputToBaseline}x\n` +
      `bundle: dist/index.cjs ${sizes.entryBytes} B + dist/action/ ${sizes.chunkBytes} B = ${sizes.totalBytes} B ` +
      `(${(sizes.totalBytes / 1024 / 1024).toFixed(2)} MiB)\n` +
      `node ${process.version}, load ${loadBefore} before, ${result.machine.load1After} after\n`,
  );
}

await runBench(main);
