#!/usr/bin/env node
// Sandbox init cost: what the small init a sandboxed run's command starts under (it lists what the
// sandbox's pid namespace is about to end; src/adapters/sandbox/sandbox-init.ts) adds to each
// confined agent, gate and install run, next to the same command confined without it. Both go
// through omk's own bubblewrap runner and runProcess (bundled from src/), so the figures include
// the private temp, bwrap's namespaces and the report on fd 3.
//
//   node bench/sandbox-init.mjs [--repeat 20] [--json] [--smoke]
//
// --smoke: --repeat 2. Exits non-zero when a run's exit code is not passed through, when a run
// with the init carries no report or one without it does, when the init misses a process a
// command left, or when bubblewrap cannot run here (nothing to measure). See docs/benchmarks.md.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  bundleWithFakeGitHub,
  formatTable,
  load1,
  log,
  machineInfo,
  makeTempDir,
  printJson,
  ROOT,
  round1,
  runBench,
  summarize,
} from './lib.mjs';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string' },
    json: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const repeat = Number(values.repeat ?? (values.smoke ? 2 : 20));

await runBench(async () => {
  const { createBubblewrap } = await bundleWithFakeGitHub('sandbox-init', {
    entryPoints: [join(ROOT, 'src', 'adapters', 'sandbox', 'bubblewrap.ts')],
  });
  const { runProcess } = await bundleWithFakeGitHub('sandbox-init-run', {
    entryPoints: [join(ROOT, 'src', 'adapters', 'process', 'run-process.ts')],
  });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const withInit = createBubblewrap({ env });
  // No perl found: the command runs under bwrap alone, as before the init.
  const without = createBubblewrap({ env, perls: [] });
  const found = await withInit.probe();
  if (!found.available) throw new BenchError(`bubblewrap cannot run here: ${found.reason}`);
  const cwd = makeTempDir('sandbox-init-cwd');
  const commands = [
    { name: 'true', argv: ['true'], code: 0, left: 0 },
    { name: 'sh -c "exit 3"', argv: ['sh', '-c', 'exit 3'], code: 3, left: 0 },
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], code: 0, left: 0 },
    {
      name: 'sh leaving a setsid sleep',
      argv: ['sh', '-c', 'setsid sleep 300 </dev/null >/dev/null 2>&1 & sleep 0.05'],
      code: 0,
      left: 1,
    },
  ];
  const runners = { bwrap: without.runner(runProcess), 'bwrap + init': withInit.runner(runProcess) };
  const samples = new Map();
  const cases = [];
  for (const command of commands) {
    for (const how of Object.keys(runners)) {
      const name = `${command.name} ${how}`;
      samples.set(name, []);
      cases.push({ name, command, how });
    }
  }
  const before = load1();
  // Interleaved rounds, one warm-up: a burst of load spreads over all cases.
  for (let round = -1; round < repeat; round++) {
    for (const c of cases) {
      const spec = {
        argv: c.command.argv,
        cwd,
        env,
        timeoutMs: 60_000,
        confine: { writable: [], readable: [], network: 'open' },
      };
      const result = await runners[c.how](spec);
      if (result.exitCode !== c.command.code) {
        throw new BenchError(
          `${c.name}: exit ${result.exitCode} (${result.spawnError ?? result.signal}), expected ${c.command.code}`,
        );
      }
      const reported = result.ended !== undefined;
      if (reported !== (c.how === 'bwrap + init'))
        throw new BenchError(`${c.name}: report ${reported ? 'present' : 'missing'}`);
      if (reported && result.ended.length !== c.command.left)
        throw new BenchError(
          `${c.name}: ${result.ended.length} process(es) reported, expected ${c.command.left}`,
        );
      if (round >= 0) samples.get(c.name).push(result.durationMs);
    }
  }
  const rows = [];
  const report = { machine: machineInfo(), load1: { before, after: load1() }, repeat, commands: [] };
  for (const command of commands) {
    const bare = summarize(samples.get(`${command.name} bwrap`));
    const init = summarize(samples.get(`${command.name} bwrap + init`));
    const added = round1(init.median - bare.median);
    rows.push([command.name, bare.median, init.median, added, bare.p95, init.p95]);
    report.commands.push({ command: command.name, bwrap: bare, init, addedMedianMs: added });
  }
  if (values.json) {
    printJson(report);
    return;
  }
  log(`sandbox init: ${found.tool}; ${repeat} runs each, load ${before} → ${report.load1.after}`);
  log(
    formatTable(
      ['command', 'bwrap median ms', 'bwrap + init median ms', 'added ms', 'bwrap p95', 'init p95'],
      rows,
    ),
  );
});
