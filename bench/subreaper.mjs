#!/usr/bin/env node
// Subreaper cost: what running a process under omk's subreaper (Linux, perl; see
// docs/architecture.md) adds to each agent, gate and install run, next to the same process run
// without it. Both go through omk's own runProcess (bundled from src/), so the figures include the
// command lookup, the extra fd for the report and the end-of-run sweep of /proc.
//
//   node bench/subreaper.mjs [--repeat 40] [--json] [--smoke]
//
// --smoke: --repeat 2. Exits non-zero when a run's exit code is not passed through, or when the
// subreaper is not available on this host (nothing to measure). See docs/benchmarks.md.

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
const repeat = Number(values.repeat ?? (values.smoke ? 2 : 40));

await runBench(async () => {
  const mod = await bundleWithFakeGitHub('subreaper', {
    entryPoints: [join(ROOT, 'src', 'adapters', 'process', 'run-process.ts')],
  });
  const { probeSubreaper } = await bundleWithFakeGitHub('subreaper-probe', {
    entryPoints: [join(ROOT, 'src', 'adapters', 'process', 'subreaper.ts')],
  });
  const found = await probeSubreaper();
  if (!found.available) throw new BenchError(`no subreaper on this host: ${found.reason}`);
  const cwd = makeTempDir('subreaper-cwd');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const commands = [
    { name: 'true', argv: ['true'], code: 0 },
    { name: 'sh -c "exit 3"', argv: ['sh', '-c', 'exit 3'], code: 3 },
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], code: 0 },
  ];
  const samples = new Map();
  const cases = [];
  for (const command of commands) {
    for (const supervised of [false, true]) {
      const name = `${command.name} ${supervised ? 'subreaper' : 'direct'}`;
      samples.set(name, []);
      cases.push({ name, command, supervised });
    }
  }
  const before = load1();
  // Interleaved rounds, one warm-up: a burst of load spreads over all cases.
  for (let round = -1; round < repeat; round++) {
    for (const c of cases) {
      const spec = { argv: c.command.argv, cwd, env, timeoutMs: 60_000 };
      const result = await mod.runProcessWith(spec, c.supervised ? found : null);
      if (result.exitCode !== c.command.code) {
        throw new BenchError(
          `${c.name}: exit ${result.exitCode} (${result.signal}), expected ${c.command.code}`,
        );
      }
      if (c.supervised && result.ended === undefined)
        throw new BenchError(`${c.name}: ran without the subreaper`);
      if (round >= 0) samples.get(c.name).push(result.durationMs);
    }
  }
  const rows = [];
  const report = { machine: machineInfo(), load1: { before, after: load1() }, repeat, commands: [] };
  for (const command of commands) {
    const direct = summarize(samples.get(`${command.name} direct`));
    const reaped = summarize(samples.get(`${command.name} subreaper`));
    const added = round1(reaped.median - direct.median);
    rows.push([command.name, direct.median, reaped.median, added, direct.p95, reaped.p95]);
    report.commands.push({ command: command.name, direct, subreaper: reaped, addedMedianMs: added });
  }
  if (values.json) {
    printJson(report);
    return;
  }
  log(`subreaper: ${found.tool}; ${repeat} runs each, load ${before} → ${report.load1.after}`);
  log(
    formatTable(
      ['command', 'direct median ms', 'subreaper median ms', 'added ms', 'direct p95', 'subreaper p95'],
      rows,
    ),
  );
});
