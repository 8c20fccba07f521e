#!/usr/bin/env node
// Fault walk: a delivery goal (one slice: a slice PR, an integrator PR, a gated merge) run against
// the fake GitHub on loopback, SIGKILLed at one point at a time, then recovered with
// `omk goal resume --auto` (and `goal open-pr` / `goal merge` when nothing was left to resume)
// until it settles. The points are every event kind a clean run appends (killed right after the
// event is on disk: OMK_FAULT_AFTER_EVENT, a test-only hook) and every API call kind it makes
// (killed while the call is in flight: before GitHub carries it out, and after, with the answer
// lost). The harness is test/faults/harness.ts, bundled here with esbuild like bench/api-calls.mjs.
//
//   node bench/faults.mjs [--smoke | --all] [--json]
//
// --smoke: two sampled points (a merge whose answer is lost, a kill right after the merge intent
// is recorded), about 30 s; `npm test` runs it (test/bench/smoke-delivery.test.ts). --all (the default):
// every point, about 15 s each. The last lines are the counts: "N duplicates" (PRs, check runs,
// labels, comments or merges made twice on the fake GitHub), "N lost" (events or decisions on disk
// before the kill and gone after), "N stuck" (a goal not merged, cancelled, rejected or failed
// after recovery, or whose goal.json was not `merged` after the first recovery command although
// its events recorded the merge). Exits 1 when any count is not 0 or a goal has no proof.json.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BenchError,
  bundleWithFakeGitHub,
  formatTable,
  log,
  printJson,
  ROOT,
  runBench,
  SMOKE_NOTE,
  snapshotOmk,
} from './lib.mjs';

/** What --smoke walks: the merge's answer lost, and a kill between the merge intent and the call. */
const SMOKE_POINTS = [
  { kind: 'api', operationId: 'pulls/merge', phase: 'after' },
  { kind: 'event', type: 'merge_requested', n: 1 },
];

async function main() {
  const options = parseOptions();
  const bin = snapshotOmk();
  log('bundling the fault harness (test/faults/harness.ts) with esbuild');
  const harness = await loadHarness();
  let points = SMOKE_POINTS;
  if (!options.smoke) {
    log('a clean run, to list the points');
    const ref = await harness.reference(bin);
    points = harness.allPoints(ref);
  }
  const results = [];
  for (const point of points) {
    log(`killing: ${harness.pointName(point)}`);
    const result = await harness.runPoint(bin, point);
    log(
      `  ${result.seconds} s, killed ${result.killed}; ${result.recovery.join('; ') || 'no recovery needed'}`,
    );
    results.push(result);
  }
  const totals = {
    points: results.length,
    killed: results.filter((r) => r.killed).length,
    duplicates: results.reduce((n, r) => n + r.duplicates.length, 0),
    lost: results.reduce((n, r) => n + r.lost.length, 0),
    stuck: results.filter((r) => r.stuck !== null).length,
    withoutProof: results.filter((r) => !r.proof).length,
  };
  if (options.json) printJson({ bench: 'faults', smoke: options.smoke, results, totals });
  else process.stdout.write(`${options.smoke ? SMOKE_NOTE : ''}${render(results, totals)}`);
  const bad = totals.duplicates + totals.lost + totals.stuck + totals.withoutProof;
  if (bad > 0 || totals.killed === 0) {
    throw new BenchError(
      totals.killed === 0
        ? 'no kill landed: the points were never reached'
        : 'a fault left duplicates, lost history, a stuck goal or no proof',
    );
  }
}

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        smoke: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    if (values.smoke && values.all) throw new Error('--smoke and --all exclude each other');
    return values;
  } catch (error) {
    throw new BenchError(`${error.message}\nusage: node bench/faults.mjs [--smoke | --all] [--json]`);
  }
}

/** The fault harness (test/faults/harness.ts) with the fake GitHub, bundled and imported. */
function loadHarness() {
  return bundleWithFakeGitHub('fault-harness', {
    entryPoints: [join(ROOT, 'test', 'faults', 'harness.ts')],
  });
}

function render(results, totals) {
  const rows = results.map((r) => [
    r.point,
    r.killed ? 'yes' : 'no',
    r.recovery.length,
    r.duplicates.length,
    r.lost.length,
    r.stuck ?? '-',
    r.proof ? 'yes' : 'NO',
    r.seconds,
  ]);
  let out = formatTable(
    ['point', 'killed', 'recovery steps', 'duplicates', 'lost', 'stuck', 'proof', 's'],
    rows,
  );
  for (const r of results) {
    for (const line of [...r.duplicates, ...r.lost]) out += `${r.point}: ${line}\n`;
    if (r.stuck !== null) out += `${r.point}: stuck ${r.stuck} after ${r.recovery.join('; ')}\n`;
  }
  out += `${totals.points} points, ${totals.killed} kills landed, ${totals.withoutProof} without proof.json\n`;
  out += `${totals.duplicates} duplicates\n${totals.lost} lost\n${totals.stuck} stuck\n`;
  return out;
}

await runBench(main);
