import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatesConfigSchema } from '../../runtime/config/schema.js';
import { detectGates } from '../../runtime/gates/detect.js';
import type { RunnableGate } from '../../runtime/gates/detector.js';
import type { GateBaseline, GateRunContext } from '../../runtime/gates/port.js';
import type { TestResults } from '../../runtime/gates/test-results/types.js';
import { createGateVerifier } from '../../runtime/gates/verify.js';
import type { GateEvidence } from '../../runtime/proof/schema.js';
import { runProcess } from './run-process.js';

// Per-test verdicts with real toolchains (pytest, cargo): each fixture project commits one failing
// test on its base; the gate omk detects runs for real, first on the base (the goal's base run),
// then on a head, as a slice's verification does.
const verifyGates = createGateVerifier(runProcess);
const BASE_SHA = 'b'.repeat(40);
const HEAD_SHA = 'c'.repeat(40);

const HOST_ENV = ['PATH', 'HOME', 'CARGO_HOME', 'RUSTUP_HOME', 'PYENV_ROOT', 'PYENV_VERSION'];
function gateEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { LANG: 'C.UTF-8', ...extra };
  for (const name of HOST_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function write(root: string, files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return Object.keys(files);
}

interface Project {
  root: string;
  base: string;
  gate: RunnableGate;
  env: Record<string, string>;
  baseline: GateBaseline;
}

/** Writes the base tree, detects its test gate as omk would, and runs it there once (the base run). */
async function project(prefix: string, files: Record<string, string>, env: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const base = join(root, 'base');
  const listed = await write(base, files);
  const config = { gates: gatesConfigSchema.parse({}) };
  const gate = detectGates(base, listed, config).find((found) => found.kind === 'test');
  if (gate === undefined) throw new Error(`no test gate detected in ${listed.join(', ')}`);
  const tests: Record<string, TestResults> = {};
  const context: GateRunContext = {
    cwd: base,
    sha: BASE_SHA,
    baseCwd: null,
    baseSha: null,
    artifactsDir: join(root, 'artifacts'),
    env,
    onTestResults: (name, results) => {
      if (results !== null) tests[name] = results;
    },
  };
  const gates = await verifyGates([gate], context);
  const project: Project = { root, base, gate, env, baseline: { sha: BASE_SHA, gates, tests } };
  return project;
}

/** A head: the base with `changes` on top, verified against the base run. */
async function verifyHead(p: Project, name: string, changes: Record<string, string>): Promise<GateEvidence> {
  const head = join(p.root, name);
  await cp(p.base, head, { recursive: true, filter: (source) => !source.includes('__pycache__') });
  await write(head, changes);
  const [evidence] = await verifyGates([p.gate], {
    cwd: head,
    sha: HEAD_SHA,
    baseCwd: p.base,
    baseSha: BASE_SHA,
    baseline: p.baseline,
    artifactsDir: join(p.root, 'artifacts'),
    env: p.env,
  });
  if (evidence === undefined) throw new Error('no evidence');
  return evidence;
}

const CALC_BUGGY = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n';

describe('pytest, test by test', () => {
  let p: Project;
  const t = (name: string) => `tests/test_calc.py::${name}`;
  beforeAll(async () => {
    p = await project(
      'omk-pytest-',
      {
        'pyproject.toml': '[project]\nname = "calc"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\n',
        'calc.py': CALC_BUGGY,
        'tests/__init__.py': '',
        'tests/test_calc.py':
          'from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n' +
          'def test_mul():\n    assert mul(2, 3) == 6\n\n\ndef test_mul_zero():\n    assert mul(0, 9) == 0\n',
      },
      // Plugins this machine happens to have installed only slow each run down.
      gateEnv({ PYTHONDONTWRITEBYTECODE: '1', PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1' }),
    );
  });
  afterAll(async () => {
    await rm(p.root, { recursive: true, force: true });
  });

  it('the base run keeps every test and fails on the committed failing test', () => {
    expect(p.baseline.gates[0]?.outcome).toBe('failed');
    expect(p.baseline.tests?.[p.gate.name]).toMatchObject({
      source: 'pytest',
      passed: [t('test_mul'), t('test_mul_zero')],
      failed: [t('test_add')],
    });
  });

  it('a correct fix passes with the target named fail→pass', async () => {
    const evidence = await verifyHead(p, 'fixed', { 'calc.py': CALC_BUGGY.replace('a - b', 'a + b') });
    expect(evidence.outcome).toBe('passed');
    expect(evidence.tests).toMatchObject({
      source: 'pytest',
      baseSha: BASE_SHA,
      failToPass: [t('test_add')],
    });
    expect(evidence.tests?.regressions).toEqual([]);
  });

  it('a wrong fix that keeps the target failing and breaks another test fails, naming the regression', async () => {
    const wrong = CALC_BUGGY.replace('a - b', 'a - b + 1').replace('a * b', 'a * b + 1');
    const evidence = await verifyHead(p, 'wrong', { 'calc.py': wrong });
    expect(evidence.outcome).toBe('failed');
    expect(evidence.tests).toMatchObject({
      regressions: [t('test_mul'), t('test_mul_zero')],
      stillFailing: [t('test_add')],
      failToPass: [],
    });
    expect(evidence.tail).toContain(`2 test(s) fail here that did not fail on base ${BASE_SHA.slice(0, 12)}`);
    // pytest names the report it wrote; the tail names it without this machine's directories.
    expect(evidence.tail).toContain(`generated xml file: ${HEAD_SHA.slice(0, 12)}-test-2.xml`);
    expect(evidence.tail).not.toContain(join(p.root, 'artifacts'));
  });

  it('a no-op leaves the target still failing: pre-existing, never passing, nothing fail→pass', async () => {
    const evidence = await verifyHead(p, 'noop', {});
    expect(evidence.outcome).toBe('pre_existing');
    expect(evidence.tests).toMatchObject({ stillFailing: [t('test_add')], failToPass: [], regressions: [] });
  });
});

const LIB_BUGGY = [
  'pub fn add(a: i32, b: i32) -> i32 {',
  '    a - b',
  '}',
  '',
  'pub fn mul(a: i32, b: i32) -> i32 {',
  '    a * b',
  '}',
  '',
  '#[cfg(test)]',
  'mod tests {',
  '    use super::*;',
  '',
  '    #[test]',
  '    fn adds() {',
  '        assert_eq!(add(2, 3), 5);',
  '    }',
  '',
  '    #[test]',
  '    fn multiplies() {',
  '        assert_eq!(mul(2, 3), 6);',
  '    }',
  '}',
  '',
].join('\n');

describe('cargo test, test by test', () => {
  let p: Project;
  beforeAll(async () => {
    const target = await mkdtemp(join(tmpdir(), 'omk-cargo-target-'));
    p = await project(
      'omk-cargo-',
      {
        'Cargo.toml': '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
        'src/lib.rs': LIB_BUGGY,
      },
      // One target directory for every tree, as a goal shares it; no network.
      gateEnv({ CARGO_TARGET_DIR: target, CARGO_NET_OFFLINE: 'true', CARGO_TERM_COLOR: 'never' }),
    );
  });
  afterAll(async () => {
    await rm(p.root, { recursive: true, force: true });
    await rm(p.env.CARGO_TARGET_DIR ?? '', { recursive: true, force: true });
  });

  it('the base run keeps every test and fails on the committed failing test', () => {
    expect(p.baseline.tests?.[p.gate.name]).toMatchObject({
      source: 'cargo-test',
      passed: ['tests::multiplies'],
      failed: ['tests::adds'],
    });
  });

  it('a correct fix passes with the target named fail→pass', async () => {
    const evidence = await verifyHead(p, 'fixed', { 'src/lib.rs': LIB_BUGGY.replace('a - b', 'a + b') });
    expect(evidence.outcome).toBe('passed');
    expect(evidence.tests).toMatchObject({
      source: 'cargo-test',
      failToPass: ['tests::adds'],
      regressions: [],
    });
  });

  it('a wrong fix that breaks another test fails, naming the regression', async () => {
    const wrong = LIB_BUGGY.replace('a * b', 'a * b + 1');
    const evidence = await verifyHead(p, 'wrong', { 'src/lib.rs': wrong });
    expect(evidence.outcome).toBe('failed');
    expect(evidence.tests).toMatchObject({
      regressions: ['tests::multiplies'],
      stillFailing: ['tests::adds'],
    });
  });

  it('a no-op leaves the target still failing, never passing', async () => {
    const evidence = await verifyHead(p, 'noop', {});
    expect(evidence.outcome).toBe('pre_existing');
    expect(evidence.tests).toMatchObject({ stillFailing: ['tests::adds'], failToPass: [] });
  });
});
