import { describe, expect, it } from 'vitest';
import { BASE_SHA, gate, HEAD_SHA } from '../proof/test-evidence.js';
import type { GateSpec } from './port.js';
import { gateRunKey, type IntegratedTree, reuseDecision, reusedGates, type SliceGateRun } from './reuse.js';

const SLICE_SHA = 'd'.repeat(40);
const TREE = 'e'.repeat(40);
const OTHER_TREE = 'f'.repeat(40);

const spec: GateSpec = {
  name: 'test',
  kind: 'test',
  argv: ['npm', 'test'],
  required: true,
  timeoutMs: 600_000,
  source: 'package.json scripts.test',
};
const KEY = gateRunKey([spec], { PATH: '/usr/bin', CI: '1' });

function run(overrides: Partial<SliceGateRun> = {}): SliceGateRun {
  return {
    slice: 's1',
    sha: SLICE_SHA,
    tree: TREE,
    extra: [],
    key: KEY,
    baseSha: BASE_SHA,
    findings: 0,
    gates: [gate({ sha: SLICE_SHA, required: true })],
    ...overrides,
  };
}

const at = (overrides: Partial<IntegratedTree> = {}): IntegratedTree => ({
  tree: TREE,
  extra: [],
  key: KEY,
  baseSha: BASE_SHA,
  prepared: false,
  ...overrides,
});

describe('reuseDecision', () => {
  it("takes the slice's run on the same tree when both worktrees hold the tree alone", () => {
    const slice = run();
    expect(reuseDecision([slice], at())).toEqual({ reuse: slice });
  });

  it('takes the last matching run when a slice ran on the tree more than once', () => {
    const first = run({ gates: [gate({ sha: SLICE_SHA, outcome: 'flaky' })] });
    const second = run();
    expect(reuseDecision([first, second], at()).reuse).toBe(second);
  });

  it.each<[string, SliceGateRun[], IntegratedTree]>([
    ['another tree', [run({ tree: OTHER_TREE })], at()],
    ['no slice run at all', [], at()],
    ['files the agent left beside the tree (ignored ones too)', [run({ extra: ['build/'] })], at()],
    ['files in the integration worktree beside the tree', [run()], at({ extra: ['generated/'] })],
    ['omk preparing worktrees (installs, setup, environment)', [run()], at({ prepared: true })],
    ['other gate commands', [run({ key: gateRunKey([{ ...spec, argv: ['npm', 'run', 'ci'] }], {}) })], at()],
    ['another environment', [run()], at({ key: gateRunKey([spec], { PATH: '/usr/bin', CI: '0' }) })],
    ["failures compared with another commit (a dependency's head)", [run({ baseSha: HEAD_SHA })], at()],
    ['an integrity finding around the slice gates', [run({ findings: 1 })], at()],
    ['a gate the slice run skipped', [run({ gates: [gate({ outcome: 'skipped' })] })], at()],
    ['a sparse slice, which ran no gate', [run({ gates: [] })], at()],
  ])('runs the gates again for %s', (_why, runs, tree) => {
    const decision = reuseDecision(runs, tree);
    expect(decision.reuse).toBeNull();
    expect('why' in decision && decision.why).toMatch(/\w/);
  });
});

describe('gateRunKey', () => {
  it('does not depend on the order of the environment', () => {
    expect(gateRunKey([spec], { A: '1', B: '2' })).toBe(gateRunKey([spec], { B: '2', A: '1' }));
  });
});

describe('reusedGates', () => {
  it("gives the slice's results the integrated head's commit and names where they come from", () => {
    const slice = run();
    expect(reusedGates(slice, HEAD_SHA)).toEqual([
      { ...slice.gates[0], sha: HEAD_SHA, reusedFrom: { slice: 's1', sha: SLICE_SHA, tree: TREE } },
    ]);
  });
});
