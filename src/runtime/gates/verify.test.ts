import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../ports.js';
import type { RunnableGate } from './detector.js';
import type { GateRunContext } from './port.js';
import { boundTail, createGateVerifier } from './verify.js';

// The classification, with a scripted process runner; the same cases with real processes are in
// src/adapters/process/verify-gates.test.ts.

const SHA = 'a'.repeat(40);
const BASE_SHA = 'b'.repeat(40);
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-verify-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const GATE: RunnableGate = {
  name: 'unit',
  kind: 'test',
  argv: ['npm', 'test'],
  required: true,
  timeoutMs: 10_000,
  source: 'test',
};

/** The fields of a baseline gate result these tests do not look at. */
const BASELINE_FIELDS = {
  required: true,
  exitCode: 1,
  durationMs: 5,
  sha: BASE_SHA,
  tail: 'base boom',
  artifact: null,
};

function context(overrides: Partial<GateRunContext> = {}): GateRunContext {
  return {
    cwd: '/work/head',
    sha: SHA,
    baseCwd: null,
    baseSha: null,
    artifactsDir: join(root, 'gates'),
    env: { PATH: '/bin', CI: 'true' },
    ...overrides,
  };
}

function exited(exitCode: number, tail: string): ProcessResult {
  return {
    exitCode,
    signal: null,
    timedOut: false,
    cancelled: false,
    spawnError: null,
    durationMs: 5,
    stdout: tail,
    tail,
  };
}

/** A runner that answers each call with the next scripted result and records what it was asked. */
function scripted(...results: ProcessResult[]): { run: ProcessRunner; specs: ProcessSpec[] } {
  const specs: ProcessSpec[] = [];
  const run: ProcessRunner = async (spec) => {
    specs.push(spec);
    const next = results.shift();
    if (next === undefined) throw new Error(`unexpected run ${specs.length}`);
    return next;
  };
  return { run, specs };
}

describe('createGateVerifier', () => {
  it('runs each gate through the runner it is given: argv, cwd, env, timeout and a log', async () => {
    const { run, specs } = scripted(exited(0, 'all ok'));
    const [evidence] = await createGateVerifier(run)([GATE], context());
    expect(evidence).toMatchObject({ outcome: 'passed', exitCode: 0, sha: SHA, tail: 'all ok' });
    expect(specs).toEqual([
      {
        argv: ['npm', 'test'],
        cwd: '/work/head',
        env: { PATH: '/bin', CI: 'true' },
        timeoutMs: 10_000,
        logPath: join(root, 'gates', `${SHA.slice(0, 12)}-unit.log`),
        tailChars: 16 * 1024,
      },
    ]);
    expect(await readFile(evidence?.artifact ?? '', 'utf8')).toContain(`=== omk gate unit: run 1 on ${SHA}`);
  });

  it('reruns a failure, then tries the base, made only when it is needed', async () => {
    const { run, specs } = scripted(exited(1, 'boom'), exited(1, 'boom again'), exited(1, 'base boom'));
    let made = 0;
    const baseCwd = async () => {
      made += 1;
      return '/work/base';
    };
    const [evidence] = await createGateVerifier(run)([GATE], context({ baseCwd, baseSha: BASE_SHA }));
    expect(evidence).toMatchObject({ outcome: 'pre_existing', exitCode: 1 });
    expect(evidence?.tail).toContain(`fails on base ${BASE_SHA.slice(0, 12)} too`);
    expect(specs.map((spec) => spec.cwd)).toEqual(['/work/head', '/work/head', '/work/base']);
    expect(made).toBe(1);
  });

  it('calls a failure that passes on rerun flaky, without the base', async () => {
    const { run, specs } = scripted(exited(1, 'race lost'), exited(0, 'ok'));
    const [evidence] = await createGateVerifier(run)([GATE], context({ baseCwd: '/work/base' }));
    expect(evidence).toMatchObject({ outcome: 'flaky', exitCode: 1 });
    expect(specs).toHaveLength(2);
  });

  it('does not rerun a gate whose tool could not start, and asks the base', async () => {
    const noTool = { ...exited(-2, ''), spawnError: 'spawn npm ENOENT' };
    const { run, specs } = scripted(noTool, noTool);
    const [evidence] = await createGateVerifier(run)(
      [GATE],
      context({ baseCwd: '/work/base', baseSha: BASE_SHA }),
    );
    expect(evidence).toMatchObject({ outcome: 'unavailable', exitCode: null });
    expect(evidence?.tail).toContain('npm: could not start (spawn npm ENOENT)');
    expect(specs.map((spec) => spec.cwd)).toEqual(['/work/head', '/work/base']);
  });

  it('calls a tool that starts on the base but not on the head a failure of the change', async () => {
    const { run } = scripted(exited(127, 'sh: 1: ts-scripts: not found'), exited(0, 'ok'));
    const [evidence] = await createGateVerifier(run)(
      [GATE],
      context({ baseCwd: '/work/base', baseSha: BASE_SHA }),
    );
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 127 });
    expect(evidence?.tail).toContain('ts-scripts: command not found (exit 127), but it starts on base');
  });

  it('takes the base result from the baseline of the same base instead of running the gate there', async () => {
    const baseline = { sha: BASE_SHA, gates: [{ name: 'unit', kind: 'test', outcome: 'failed' as const }] };
    const { run, specs } = scripted(exited(1, 'boom'), exited(1, 'boom again'));
    const verify = createGateVerifier(run);
    const [evidence] = await verify(
      [GATE],
      context({
        baseCwd: '/work/base',
        baseSha: BASE_SHA,
        baseline: { sha: baseline.sha, gates: baseline.gates.map((g) => ({ ...g, ...BASELINE_FIELDS })) },
      }),
    );
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(specs.map((spec) => spec.cwd)).toEqual(['/work/head', '/work/head']);
  });

  it('runs the gate on the base when the baseline is of another base', async () => {
    const { run, specs } = scripted(exited(1, 'boom'), exited(1, 'boom again'), exited(0, 'ok'));
    const [evidence] = await createGateVerifier(run)(
      [GATE],
      context({
        baseCwd: '/work/base',
        baseSha: BASE_SHA,
        baseline: {
          sha: 'c'.repeat(40),
          gates: [{ name: 'unit', kind: 'test', outcome: 'failed', ...BASELINE_FIELDS }],
        },
      }),
    );
    expect(evidence).toMatchObject({ outcome: 'failed' });
    expect(evidence?.tail).toContain('the failure is new');
    expect(specs.map((spec) => spec.cwd)).toEqual(['/work/head', '/work/head', '/work/base']);
  });

  it('passes the abort signal on, and starts nothing once it has fired', async () => {
    const controller = new AbortController();
    const { run, specs } = scripted(exited(0, 'ok'));
    const verify = createGateVerifier(run);
    await verify([GATE], context({ signal: controller.signal }));
    expect(specs[0]?.signal).toBe(controller.signal);
    controller.abort();
    const [evidence] = await verify([GATE], context({ signal: controller.signal }));
    expect(evidence).toMatchObject({ outcome: 'skipped', artifact: null });
    expect(specs).toHaveLength(1);
  });
});

describe('boundTail', () => {
  it('keeps the note and the last lines within 60 lines and 8 KB', () => {
    const many = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const lines = boundTail('flaky', many).split('\n');
    expect(lines).toHaveLength(60);
    expect(lines[0]).toBe('[omk] flaky');
    expect(lines.at(-1)).toBe('line 199');
    const wide = boundTail(null, 'é'.repeat(10_000));
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(8 * 1024);
    expect(wide).not.toContain('\uFFFD');
  });
});
