#!/usr/bin/env node
// How many times omk runs the gate suite per goal, by where it runs, for goals of 1, 4 and 8
// independent slices: the target is the base once per goal (its result serves every slice and the
// integration), each slice once and the integrated tree once (none for one slice whose tree it is:
// its results are taken, gates/reuse.ts), whatever the slice count.
//
//   node bench/gates.mjs [--slices 1,4,8] [--json]
//   --smoke: --slices 1,2 (a few seconds; `npm test` runs it so the script cannot rot)
//
// The gate is a counting command (a node script outside the repository that appends the commit
// it ran on and its working directory to a log), so the figures are counts read off that log, not
// timings. Goals run with `--sandbox off`: the counter writes outside the worktree. The
// preparation cost of a slice worktree (the "≤ 0.1× a fresh install") is measured by
// bench/prepare.mjs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  createTempGitRepo,
  expectSuccess,
  formatTable,
  git,
  log,
  makeTempDir,
  parseJsonOutput,
  printJson,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
  timeOmk,
} from './lib.mjs';

const MAX_SLICES = 8;

function options() {
  const { values } = parseArgs({
    options: { slices: { type: 'string' }, json: { type: 'boolean' }, smoke: { type: 'boolean' } },
  });
  const list = (values.slices ?? (values.smoke ? '1,2' : '1,4,8')).split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SLICES)) {
    throw new BenchError(
      `--slices: whole numbers from 1 to ${MAX_SLICES}, comma-separated (got ${values.slices})`,
    );
  }
  return { slices: list, json: values.json === true, smoke: values.smoke === true };
}

/** A repository of `n` directories with one file each, and a gate that only counts its runs. */
function fixture(n, counter) {
  const repo = createTempGitRepo(`gates-${n}`);
  const targets = [];
  for (let k = 0; k < n; k++) {
    const dir = `pkg${String(k).padStart(2, '0')}`;
    mkdirSync(join(repo, dir));
    writeFileSync(join(repo, dir, 'mod.js'), `export const value = ${k};\n`);
    targets.push(`${dir}/mod.js`);
  }
  mkdirSync(join(repo, '.omk'));
  writeFileSync(
    join(repo, '.omk', 'config.yml'),
    [
      'version: 1',
      'gates:',
      '  detect: false',
      '  list:',
      '    - name: test',
      '      kind: test',
      `      run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(counter.script)}]`,
      '',
    ].join('\n'),
  );
  git(repo, ['add', '--all']);
  git(repo, ['commit', '-q', '-m', `${n} modules and a counting gate`]);
  return { repo, targets, baseSha: git(repo, ['rev-parse', 'HEAD']) };
}

function counterScript(dir) {
  const script = join(dir, 'count.mjs');
  const logPath = join(dir, 'runs.log');
  writeFileSync(
    script,
    [
      "import { appendFileSync } from 'node:fs';",
      "import { execFileSync } from 'node:child_process';",
      "const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();",
      `appendFileSync(${JSON.stringify(logPath)}, JSON.stringify({ head, cwd: process.cwd() }) + '\\n');`,
      '',
    ].join('\n'),
  );
  return { script, logPath };
}

function agentScript(dir) {
  const path = join(dir, 'agent.sh');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'set -e',
      `file=\${OMK_WRITES#'["'}`,
      `file=\${file%%'"'*}`,
      'echo "// changed by $OMK_TASK_ID" >> "$file"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return path;
}

function measureGoal(bin, n) {
  const dir = makeTempDir(`gates-run-${n}`);
  const counter = counterScript(dir);
  const { repo, targets, baseSha } = fixture(n, counter);
  const goal = targets.map((target) => `refactor ${target}`).join('; ');
  const run = expectSuccess(
    `omk goal run (${n} slices)`,
    timeOmk(
      bin,
      [
        'goal',
        'run',
        goal,
        '--agent',
        `script:${agentScript(dir)}`,
        '--no-llm-planner',
        '--max-agents',
        String(n),
        // The counting gate appends to a log outside the worktree, which a confined gate may not
        // write (the sandbox is on by default where bubblewrap is installed).
        '--sandbox',
        'off',
        '--json',
      ],
      {
        cwd: repo,
        stateDir: join(dir, 'state'),
      },
    ),
  );
  const result = parseJsonOutput(`omk goal run (${n} slices)`, run.stdout);
  const proof = result.proof;
  if (proof?.status !== 'ready')
    throw new BenchError(
      `${n} slices: the proof is ${proof?.status}, not ready: ${JSON.stringify(proof?.knownGaps ?? [])}`,
    );
  const slices = proof.slices.length;
  if (slices !== n) throw new BenchError(`${n} slices asked for, the planner made ${slices}`);
  const runs = readFileSync(counter.logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const sliceHeads = new Set(proof.slices.map((slice) => slice.headSha));
  const onBase = runs.filter((r) => r.head === baseSha).length;
  const onSlices = runs.filter((r) => sliceHeads.has(r.head)).length;
  const onIntegration = runs.filter((r) => r.head === proof.git.headSha && !sliceHeads.has(r.head)).length;
  return { slices: n, total: runs.length, onBase, onSlices, onIntegration, wallMs: Math.round(run.ms) };
}

async function main() {
  const opts = options();
  if (opts.smoke) log(SMOKE_NOTE);
  const bin = snapshotOmk();
  const rows = [];
  for (const n of opts.slices) {
    log(`goal of ${n} slice(s) …`);
    rows.push(measureGoal(bin, n));
  }
  for (const row of rows) {
    if (row.onBase !== 1)
      throw new BenchError(`${row.slices} slices: the gates ran ${row.onBase} times on the base, not once`);
    if (row.onSlices !== row.slices)
      throw new BenchError(`${row.slices} slices: ${row.onSlices} slice gate runs, expected ${row.slices}`);
  }
  if (opts.json) {
    printJson({ rows });
    return;
  }
  console.log(
    formatTable(
      ['slices', 'gate runs', 'on the base', 'on slices', 'on the integration', 'wall (ms)'],
      rows.map((r) => [r.slices, r.total, r.onBase, r.onSlices, r.onIntegration, r.wallMs]),
    ),
  );
  console.log('target: the base once per goal, whatever the slice count: met');
}

await runBench(main);
