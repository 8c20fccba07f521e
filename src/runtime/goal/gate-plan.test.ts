import { describe, expect, it } from 'vitest';
import type { GateSpec } from '../gates/port.js';
import { gatesRequiredEvent, gatesRequiredIn, reconcileOracle, wantedGates } from './gate-plan.js';
import { decideOracle } from './intake.js';
import { oracleSchema } from './schema.js';

const gate = (name: string, kind: string, argv: string[], required = true): GateSpec => ({
  name,
  kind,
  argv,
  required,
  timeoutMs: 600_000,
  source: 'test fixture',
});
const PYTEST = gate('test', 'test', ['python3', '-m', 'pytest']);
const RUFF = gate('lint', 'lint', ['ruff', 'check', '.']);

describe('reconcileOracle: the plan requires the gates the project has', () => {
  it('a pytest-only project: lint and typecheck are absent, not required, and no check names them', () => {
    const oracle = decideOracle('fix the failing test');
    expect(oracle.requiredGates).toEqual(['test', 'lint', 'typecheck']);
    const { oracle: planned, gates } = reconcileOracle(oracle, [PYTEST]);
    expect(planned.requiredGates).toEqual(['test']);
    expect(planned.absentGates).toEqual(['lint', 'typecheck']);
    expect(planned.checks.some((check) => /lint|typecheck/i.test(check))).toBe(false);
    expect(planned.checks).toHaveLength(oracle.checks.length - 1);
    expect(gates.run).toEqual([
      { name: 'test', kind: 'test', required: true, argv: ['python3', '-m', 'pytest'] },
    ]);
    expect(gates.absent).toEqual(['lint', 'typecheck']);
    expect(gates.notes).toEqual([
      'the project has no lint gate, so lint is not required (configure one in .omk/config.yml)',
      'the project has no typecheck gate, so typecheck is not required (configure one in .omk/config.yml)',
    ]);
    expect(oracleSchema.parse(planned)).toEqual(planned);
  });

  it('keeps the kinds the project has, and its check names only those', () => {
    const { oracle } = reconcileOracle(decideOracle('fix the failing test'), [PYTEST, RUFF]);
    expect(oracle.requiredGates).toEqual(['test', 'lint']);
    expect(oracle.absentGates).toEqual(['typecheck']);
    expect(oracle.checks.at(-1)).toBe('Lint passes on the head commit');
  });

  it('a greenfield goal with every static gate keeps its checks word for word', () => {
    const oracle = decideOracle('add a slugify function in src/slug.ts');
    expect(oracle.class).toBe('greenfield');
    const all = [
      PYTEST,
      RUFF,
      gate('typecheck', 'typecheck', ['mypy', '.']),
      gate('format', 'format', ['ruff', 'format', '--check']),
    ];
    const { oracle: planned } = reconcileOracle(oracle, all);
    expect(planned.checks).toEqual(oracle.checks);
    expect(planned.requiredGates).toEqual(oracle.requiredGates);
    expect(planned.absentGates).toEqual([]);
  });

  it('a project without a test gate: test stays required and the note says the proof cannot be ready', () => {
    const { oracle, gates } = reconcileOracle(decideOracle('fix the failing test'), [RUFF]);
    expect(oracle.requiredGates).toEqual(['test', 'lint']);
    expect(gates.absent).toEqual(['typecheck']);
    expect(gates.notes[0]).toMatch(/^the oracle needs a test gate but none was found/);
  });

  it('reconciling again with a gate added since brings its kind back (execution starts from the whole ask)', () => {
    const first = reconcileOracle(decideOracle('fix the failing test'), [PYTEST]).oracle;
    expect(wantedGates(first)).toEqual(['test', 'lint', 'typecheck']);
    const again = reconcileOracle(first, [PYTEST, RUFF]).oracle;
    expect(again.requiredGates).toEqual(['test', 'lint']);
    expect(again.absentGates).toEqual(['typecheck']);
  });

  it('leaves an untestable oracle as it is', () => {
    const oracle = decideOracle('make it better');
    expect(oracle.testable).toBe(false);
    expect(reconcileOracle(oracle, [PYTEST]).oracle).toBe(oracle);
  });
});

describe('gates_required: what a reconciliation requires, read back', () => {
  it('reads the latest event back, a name with a colon and an optional gate included', () => {
    const planned = [
      { name: 'format:check', kind: 'format', required: true },
      { name: 'bench', kind: 'benchmark', required: false },
    ];
    const event = (seq: number, gates: typeof planned) => ({
      v: 1 as const,
      seq,
      ts: '2026-01-01T00:00:00.000Z',
      ...gatesRequiredEvent(['test'], gates),
    });
    const events = [event(1, [{ name: 'test', kind: 'test', required: true }]), event(2, planned)];
    expect(events[1]?.data.gates).toEqual(['format:check:format', 'bench:benchmark (optional)']);
    expect(gatesRequiredIn(events)).toEqual(planned);
    expect(gatesRequiredIn([])).toEqual([]);
  });
});
