#!/usr/bin/env node
// PR body rendering: how long the runtime takes to fit a huge slice or integrator body under
// GitHub's 65,536-character limit (src/runtime/delivery/pr-body.ts, bundled from src/). The inputs
// are those of src/runtime/delivery/pr-body-fold.test.ts: 10,000 changed files, 1 MB gate tails,
// 5,000 gaps with 1 KB messages, 2,000 failures with 20 KB of evidence and a 1 MB goal.
//
//   node bench/pr-body.mjs [--repeat 5] [--gaps 5000] [--failures 2000] [--json] [--smoke]
//
// Each body's length and the first 12 hex digits of its SHA-256 are printed, so a change to the
// renderer can be shown to leave the output byte for byte the same. Exits non-zero when a body is
// over the limit or differs between two renders of the same input. --smoke: --repeat 1 with 500
// gaps and 200 failures. See docs/benchmarks.md.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  BenchError,
  bundleWithFakeGitHub,
  formatTable,
  load1,
  machineInfo,
  printJson,
  ROOT,
  runBench,
  SMOKE_NOTE,
  summarize,
  withSizes,
} from './lib.mjs';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string' },
    gaps: { type: 'string' },
    failures: { type: 'string' },
    json: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
const sizes = withSizes(
  values,
  { repeat: 5, gaps: 5000, failures: 2000 },
  { repeat: 1, gaps: 500, failures: 200 },
);
const repeat = Number(sizes.repeat);
const gapCount = Number(sizes.gaps);
const failureCount = Number(sizes.failures);

// The inputs, built with the runtime's own test builders (complete, valid proofs and goals).
const ENTRY = `
import { buildProof } from '../proof/build.js';
import { evidence, gate } from '../proof/test-evidence.js';
import { MAX_BODY_CHARS, renderIntegratorPrBody, renderSlicePrBody } from './pr-body.js';
import { goalRecord, integratorInput, SLICE_SHA, sliceInput } from './test-delivery.js';

export { MAX_BODY_CHARS, renderIntegratorPrBody, renderSlicePrBody };

const MB = 1024 * 1024;
const files = (count) =>
  Array.from({ length: count }, (_, index) => ({ path: \`src/module-\${index}/file-\${index}.ts\`, additions: 1, deletions: 0 }));
const bigTail = (marker) =>
  \`\${Array.from({ length: 20_000 }, (_, index) => \`line \${index} \${'x'.repeat(40)}\`).join('\\n').slice(0, MB)}\\n\${marker}\`;
const gaps = (count, codes) =>
  Array.from({ length: count }, (_, index) => ({ code: \`code_\${index % codes}\`, message: \`gap \${index} \${'m'.repeat(1024)}\` }));
const withGaps = (proof, knownGaps, failures = []) => ({ ...proof, status: 'not_ready', knownGaps, failures });

export function cases(gapCount, failureCount) {
  const gapsOnly = withGaps(buildProof(evidence()), gaps(gapCount, 300));
  const tails = ['test', 'lint', 'typecheck'].map((kind) =>
    gate({ kind, outcome: 'failed', exitCode: 1, required: true, tail: bigTail(\`END OF \${kind}\`) }),
  );
  const tailProof = buildProof(evidence({ gates: tails }));
  const tailInput = sliceInput({ proof: tailProof });
  const evidenceTail = bigTail('evidence').slice(-20_000);
  const failures = Array.from({ length: failureCount }, (_, index) => ({
    code: \`failure_\${index % 50}\`, message: 'f'.repeat(2000), evidence: evidenceTail,
  }));
  const hugeProof = withGaps(
    buildProof(evidence({ goalText: 'g'.repeat(MB), gates: [gate({ tail: bigTail('t') })] })),
    gaps(gapCount, 300),
    failures,
  );
  const hugeInput = sliceInput({ proof: hugeProof, goal: goalRecord('g'.repeat(MB)) });
  const siblings = Array.from({ length: 500 }, (_, index) => ({ id: \`s\${index}\`, title: 't'.repeat(500), url: null }));
  const input = sliceInput();
  return [
    { name: 'slice, 10,000 changed files', render: () => renderSlicePrBody({ ...input, slice: { ...input.slice, changedFiles: files(10_000) } }) },
    { name: 'slice, three 1 MB gate tails', render: () => renderSlicePrBody({ ...tailInput, slice: { ...tailInput.slice, gates: tails.map((entry) => ({ ...entry, sha: SLICE_SHA })) } }) },
    { name: \`slice, \${gapCount} gaps (300 codes)\`, render: () => renderSlicePrBody(sliceInput({ proof: gapsOnly })) },
    {
      name: \`slice, \${gapCount} gaps + \${failureCount} failures + everything huge\`,
      render: () => renderSlicePrBody({ ...hugeInput, slice: { ...hugeInput.slice, changedFiles: files(10_000), gates: [gate({ outcome: 'failed', tail: bigTail('t') })] }, siblings }),
    },
    {
      name: \`integrator, \${gapCount} gaps + \${failureCount} failures + 1 MB goal\`,
      render: () => renderIntegratorPrBody(integratorInput({ proof: hugeProof, goal: goalRecord('g'.repeat(MB)) })),
    },
  ];
}
`;

await runBench(async () => {
  const mod = await bundleWithFakeGitHub('pr-body', {
    stdin: { contents: ENTRY, loader: 'ts', resolveDir: join(ROOT, 'src', 'runtime', 'delivery') },
  });
  const cases = mod.cases(gapCount, failureCount);
  const before = load1();
  const samples = new Map(cases.map((c) => [c.name, []]));
  const outputs = new Map();
  // Interleaved rounds after one warm-up round: a burst of load spreads over all cases.
  for (let round = -1; round < repeat; round++) {
    for (const c of cases) {
      const started = performance.now();
      const body = c.render();
      const ms = performance.now() - started;
      if (body.length > mod.MAX_BODY_CHARS)
        throw new BenchError(`${c.name}: ${body.length} characters, over the limit`);
      const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const seen = outputs.get(c.name);
      if (seen !== undefined && seen.digest !== digest) throw new BenchError(`${c.name}: two renders differ`);
      outputs.set(c.name, { digest, length: body.length });
      if (round >= 0) samples.get(c.name).push(ms);
    }
  }
  const report = { machine: machineInfo(), load1: { before, after: load1() }, repeat, cases: [] };
  const rows = cases.map((c) => {
    const figures = summarize(samples.get(c.name));
    const { digest, length } = outputs.get(c.name);
    report.cases.push({ case: c.name, ...figures, length, sha256: digest });
    return [c.name, figures.median, figures.max, length, digest];
  });
  if (values.json) {
    printJson(report);
    return;
  }
  process.stdout.write(values.smoke ? SMOKE_NOTE : '');
  process.stdout.write(
    `omk PR body benchmark: ${repeat} renders each, load ${before} → ${report.load1.after}\n`,
  );
  process.stdout.write(formatTable(['body', 'median ms', 'max ms', 'characters', 'sha256'], rows));
});
