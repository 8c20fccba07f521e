import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../ports.js';
import type { RunnableGate } from './detector.js';
import { diagnosticsTool } from './diagnostics/verdict.js';
import type { GateRunContext } from './port.js';
import { boundTail, createGateVerifier, treeRelative } from './verify.js';

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
        // A HOME of its own unless gates.home says the user's (below).
        ownHome: true,
        timeoutMs: 10_000,
        logPath: join(root, 'gates', `${SHA.slice(0, 12)}-unit.log`),
        tailChars: 16 * 1024,
      },
    ]);
    expect(await readFile(evidence?.artifact ?? '', 'utf8')).toContain(`=== omk gate unit: run 1 on ${SHA}`);
  });

  it("asks for the user's HOME only when gates.home is user", async () => {
    const { run, specs } = scripted(exited(0, 'ok'), exited(0, 'ok'));
    await createGateVerifier(run)([GATE], { ...context(), home: 'user' });
    await createGateVerifier(run)([GATE], { ...context(), home: 'own' });
    expect(specs.map((spec) => spec.ownHome)).toEqual([false, true]);
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

/** pytest's -rA short summary for these passing and failing tests. */
function pytest(passed: string[], failed: string[]): string {
  return [
    '=========================== short test summary info ============================',
    ...passed.map((name) => `PASSED tests/test_calc.py::${name}`),
    ...failed.map((name) => `FAILED tests/test_calc.py::${name} - AssertionError: assert 2 == 3`),
    `========================= ${failed.length} failed, ${passed.length} passed in 0.03s =========================`,
  ].join('\n');
}
const t = (name: string) => `tests/test_calc.py::${name}`;

describe('createGateVerifier, test by test', () => {
  const onBase = { baseCwd: '/work/base', baseSha: BASE_SHA };
  const base12 = BASE_SHA.slice(0, 12);

  it("fails a gate whose failing tests go beyond the base's, naming the regressions", async () => {
    const head = pytest(['test_a'], ['test_target', 'test_b', 'test_c']);
    const { run } = scripted(
      exited(1, head),
      exited(1, head),
      exited(1, pytest(['test_a', 'test_b', 'test_c'], ['test_target'])),
    );
    const [evidence] = await createGateVerifier(run)([GATE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'failed' });
    expect(evidence?.tail).toContain(
      `[omk] 2 test(s) fail here that did not fail on base ${base12}: ${t('test_b')}, ${t('test_c')}`,
    );
    expect(evidence?.tests).toMatchObject({
      source: 'pytest',
      baseSha: BASE_SHA,
      regressions: [t('test_b'), t('test_c')],
      stillFailing: [t('test_target')],
      failToPass: [],
    });
  });

  it('calls a gate pre-existing only when the same tests fail on the base', async () => {
    const head = pytest(['test_a'], ['test_target']);
    const { run } = scripted(exited(1, head), exited(1, head), exited(1, head));
    const [evidence] = await createGateVerifier(run)([GATE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(evidence?.tail).toContain(
      `fails on base ${base12} too, with the same failing tests: ${t('test_target')}`,
    );
    expect(evidence?.tests).toMatchObject({ stillFailing: [t('test_target')], regressions: [] });
  });

  it('names fail→pass from the baseline without running the base again', async () => {
    const baseline = {
      sha: BASE_SHA,
      gates: [{ name: 'unit', kind: 'test', outcome: 'failed' as const, ...BASELINE_FIELDS }],
      tests: {
        unit: { source: 'pytest' as const, passed: [t('test_a')], failed: [t('test_target')], skipped: 0 },
      },
    };
    const { run, specs } = scripted(exited(0, pytest(['test_a', 'test_target', 'test_new'], [])));
    const [evidence] = await createGateVerifier(run)([GATE], context({ ...onBase, baseline }));
    expect(evidence).toMatchObject({ outcome: 'passed' });
    expect(evidence?.tests).toEqual({
      source: 'pytest',
      baseSha: BASE_SHA,
      counts: {
        passed: 3,
        failed: 0,
        skipped: 0,
        failToPass: 1,
        regressions: 0,
        stillFailing: 0,
        added: 1,
        removed: 0,
      },
      failing: [],
      failToPass: [t('test_target')],
      regressions: [],
      stillFailing: [],
      added: [t('test_new')],
      removed: [],
    });
    expect(specs).toHaveLength(1);
  });

  it("fails a gate whose head run reported no tests though the base's did: the change stopped them", async () => {
    // ts-dedent's `"pretest": "npm run lint"`: the change's lint error ends `npm test` before
    // the runner starts, while the base runs its tests, one of them failing (committed so).
    const head = [
      '> ts-dedent@2.2.0 pretest',
      '> npm run lint',
      '',
      '/src/index.ts',
      "  3:7  error  'unused' is assigned a value but never used  @typescript-eslint/no-unused-vars",
      '',
      '✖ 1 problem (1 error, 0 warnings)',
    ].join('\n');
    const base = [
      ' FAIL  src/__tests__/index.spec.ts > dedent > keeps escaped newlines',
      ' Test Files  1 failed (1)',
      '      Tests  1 failed | 12 passed (13)',
    ].join('\n');
    const { run } = scripted(exited(1, head), exited(1, head), exited(1, base));
    const [evidence] = await createGateVerifier(run)([GATE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(evidence?.tail).toContain(
      `[omk] its run on the head reported no per-test results (it failed, exit 1) though its run on base ${base12} did: ` +
        "the change stopped the tests from running; see the log's last lines",
    );
    expect(evidence?.stoppedOnHead).toBe(true);
    expect(evidence?.tail).not.toContain('judged by exit code');
    expect(evidence?.tail).toContain('✖ 1 problem (1 error, 0 warnings)');
    expect(evidence).not.toHaveProperty('tests');
  });

  it('fails a gate whose tests all pass here but whose run still fails, while failing tests explained the base', async () => {
    // A fix goal: the base fails its committed failing test; the change fixes it but leaves an
    // unhandled rejection (vitest exits 1 with every test passing), or lowers coverage under a threshold.
    const base = [
      ' ✓ test/parser.test.js > parse > keeps text 1ms',
      ' × test/parser.test.js > parse > trims the text 2ms',
      ' FAIL  test/parser.test.js > parse > trims the text',
      ' Test Files  1 failed (1)',
      '      Tests  1 failed | 1 passed (2)',
    ].join('\n');
    const unhandled = [
      ' ✓ test/parser.test.js > parse > keeps text 1ms',
      ' ✓ test/parser.test.js > parse > trims the text 1ms',
      '⎯⎯⎯⎯⎯⎯ Unhandled Rejection ⎯⎯⎯⎯⎯⎯',
      'Error: left behind',
      ' ❯ test/parser.test.js:3:16',
      '⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯',
      ' Test Files  1 passed (1)',
      '      Tests  2 passed (2)',
      '     Errors  1 error',
      '   Duration  310ms',
    ].join('\n');
    const { run } = scripted(exited(1, unhandled), exited(1, unhandled), exited(1, base));
    const [evidence] = await createGateVerifier(run)([GATE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] every test passes here, yet the run fails (exit 1), while on base ${base12} failing tests explained its failure ` +
        '(test/parser.test.js > parse > trims the text): what fails beyond the tests is new, worse than on the base, ' +
        'or was hidden on the base behind its failing tests; its last lines: Unhandled Rejection | Error: left behind',
    );
    expect(evidence?.beyondTests).toEqual({
      lines: 'Unhandled Rejection | Error: left behind',
      coverage: [],
    });
    expect(evidence?.tests).toMatchObject({ failToPass: ['test/parser.test.js > parse > trims the text'] });

    const coverage = [
      ' ✓ test/parser.test.js > parse > keeps text 1ms',
      ' ✓ test/parser.test.js > parse > trims the text 1ms',
      ' Test Files  1 passed (1)',
      '      Tests  2 passed (2)',
      ' % Coverage report from v8',
      'ERROR: Coverage for lines (41.2%) does not meet global threshold (80%)',
    ].join('\n');
    const { run: below } = scripted(exited(1, coverage), exited(1, coverage), exited(1, base));
    const [uncovered] = await createGateVerifier(below)([GATE], context(onBase));
    expect(uncovered).toMatchObject({ outcome: 'failed' });
    expect(uncovered?.tail.split('\n')[0]).toContain(
      'its last lines: ERROR: Coverage for lines (41.2%) does not meet global threshold (80%)',
    );

    // The same coverage shortfall on both sides (no failing test on either): the base's own debt.
    const { run: both } = scripted(exited(1, coverage), exited(1, coverage), exited(1, coverage));
    const [old] = await createGateVerifier(both)([GATE], context(onBase));
    expect(old).toMatchObject({ outcome: 'pre_existing' });
    expect(old?.tail.split('\n')[0]).toBe(
      `[omk] every test passes here; the run fails (exit 1) only on coverage thresholds base ${base12} misses too, ` +
        'by as much or more: lines below 80% (global): 41.2% here, 41.2% on the base',
    );
    // Worse than the base's, whose tests all pass too: the change's.
    const lower = coverage.replace('41.2%', '39.5%');
    const { run: worse } = scripted(exited(1, lower), exited(1, lower), exited(1, coverage));
    const [worsened] = await createGateVerifier(worse)([GATE], context(onBase));
    expect(worsened).toMatchObject({ outcome: 'failed' });
    expect(worsened?.tail.split('\n')[0]).toContain(
      `every test passes here and on base ${base12}, yet the run fails (exit 1) on coverage thresholds it misses by more ` +
        "than the base, or that the base's output does not show missed (coverage: lines below 80% (global): 39.5% here, 41.2% on the base)",
    );
    // Some other failure on both sides, no threshold named: the exit codes decide, as before.
    const posttest = coverage.replace(/^ERROR: Coverage.*$/m, 'Error: dist/index.d.ts is missing');
    const { run: other } = scripted(exited(1, posttest), exited(1, posttest), exited(1, posttest));
    const [unknown] = await createGateVerifier(other)([GATE], context(onBase));
    expect(unknown).toMatchObject({ outcome: 'pre_existing' });
    expect(unknown?.tail).toContain('judged by exit codes: the output names no failing test');
  });

  it("calls coverage thresholds the base misses by as much its debt once the tests all pass, and a worse figure the change's", async () => {
    // Real vitest 3.2.7 runs (@vitest/coverage-v8) with the arguments detect-node.ts adds: the base
    // fails a test and misses 80% on lines and functions; the fix passes every test and covers as much.
    const fixture = (name: string) =>
      readFile(
        join(import.meta.dirname, 'test-results', 'fixtures', `coverage-vitest-3.2.7-${name}`),
        'utf8',
      );
    const gate: RunnableGate = {
      ...GATE,
      report: {
        format: 'junit-xml',
        prefer: 'report',
        args: [
          '--',
          '--reporter=default',
          '--reporter=junit',
          '--outputFile.junit={file}',
          '--coverage.reportOnFailure',
        ],
      },
    };
    /** Each run prints the captured console of `names[i]` and writes its JUnit report. */
    const runs = (...names: string[]): ProcessRunner => {
      return async (spec) => {
        const name = names.shift() ?? '';
        const report = spec.argv.find((arg) => arg.startsWith('--outputFile.junit='))?.split('=')[1] ?? '';
        await writeFile(report, await fixture(`${name}.xml`));
        return exited(1, await fixture(`${name}.txt`));
      };
    };
    const [evidence] = await createGateVerifier(runs('head', 'head', 'base'))([gate], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing', exitCode: 1 });
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] every test passes here; the run fails (exit 1) only on coverage thresholds base ${base12} misses too, by as much or more: ` +
        'lines below 80% (global): 35.29% here, 35.29% on the base; functions below 80% (global): 25% here, 25% on the base',
    );
    expect(evidence?.beyondTests?.coverage).toHaveLength(2);
    expect(evidence?.tests).toMatchObject({ counts: { failed: 0, failToPass: 1 } });

    const [worsened] = await createGateVerifier(runs('worse', 'worse', 'base'))([gate], context(onBase));
    expect(worsened).toMatchObject({ outcome: 'failed' });
    expect(worsened?.tail.split('\n')[0]).toContain(
      '(coverage: lines below 80% (global): 35% here, 35.29% on the base; functions below 80% (global): 20% here, 25% on the base)',
    );
  });

  it('keeps the exit-code rule, and says so, when neither side or only the head has readable tests', async () => {
    const { run } = scripted(
      exited(1, 'Segmentation fault'),
      exited(1, 'Segmentation fault'),
      exited(1, 'Segmentation fault'),
    );
    const [evidence] = await createGateVerifier(run)([GATE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(evidence?.tail).toContain(
      `fails on base ${base12} too (judged by exit codes: no per-test results could be read on the head or the base)`,
    );
    expect(evidence).not.toHaveProperty('tests');
    // The base's run that reported nothing is proof/unread-on-base.ts's to judge, downstream.
    const head = pytest([], ['test_target']);
    const { run: readOnHead } = scripted(exited(1, head), exited(1, head), exited(1, 'Segmentation fault'));
    const [unreadBase] = await createGateVerifier(readOnHead)([GATE], context(onBase));
    expect(unreadBase).toMatchObject({ outcome: 'pre_existing' });
    expect(unreadBase?.tail).toContain('judged by exit codes: no per-test results could be read on the base');
  });

  it('tells the caller every test of the run its evidence is about, unbounded', async () => {
    const many = Array.from({ length: 80 }, (_, i) => `test_${i}`);
    const { run } = scripted(exited(1, pytest([], many)), exited(1, pytest([], many)));
    const told: Record<string, number> = {};
    const [evidence] = await createGateVerifier(run)(
      [GATE],
      context({ onTestResults: (gate, results) => (told[gate] = results?.failed.length ?? -1) }),
    );
    expect(told).toEqual({ unit: 80 });
    expect(evidence?.tests?.failing).toHaveLength(50);
    expect(evidence?.tests?.counts.failed).toBe(80);
    expect(evidence?.tests?.baseSha).toBeNull();
  });

  it('asks a detected runner for its report at a fresh path per run and reads it', async () => {
    const junit = `<testsuite><testcase classname="t" name="ok"/><testcase classname="t" name="bad"><failure/></testcase></testsuite>`;
    const specs: ProcessSpec[] = [];
    const run: ProcessRunner = async (spec) => {
      specs.push(spec);
      const file = spec.argv.at(-1)?.replace('--junitxml=', '') ?? '';
      await writeFile(file, junit);
      return exited(1, 'crashed before the summary');
    };
    const gate = {
      ...GATE,
      argv: ['python3', '-m', 'pytest'],
      report: { format: 'junit-xml' as const, args: ['--junitxml={file}'] },
    };
    const [evidence] = await createGateVerifier(run)([gate], context());
    const reports = specs.map((spec) => spec.argv.at(-1));
    expect(reports).toEqual([
      `--junitxml=${join(root, 'gates', `${SHA.slice(0, 12)}-unit-1.xml`)}`,
      `--junitxml=${join(root, 'gates', `${SHA.slice(0, 12)}-unit-2.xml`)}`,
    ]);
    expect(evidence?.tests).toMatchObject({ source: 'junit-xml', failing: ['t::bad'] });
  });
});

describe('tails relative to the tree', () => {
  it("names pytest's rootdir and the files under it relative to it, not by the worktree's path", async () => {
    const cwd = join(root, 'worktrees', 'g', 's1');
    const output = [
      '============================= test session starts ==============================',
      `rootdir: ${cwd}`,
      'configfile: pyproject.toml',
      `${cwd}/tests/test_calc.py:5: AssertionError`,
      `${cwd}-other/keep.py stays: it is another directory`,
      'FAILED tests/test_calc.py::test_add - assert -1 == 5',
    ].join('\n');
    const { run } = scripted(exited(1, output), exited(1, output));
    const [evidence] = await createGateVerifier(run)([GATE], context({ cwd }));
    expect(evidence?.tail).toContain('\nrootdir: .\n');
    expect(evidence?.tail).toContain('\ntests/test_calc.py:5: AssertionError');
    expect(evidence?.tail).toContain(`${cwd}-other/keep.py`);
    expect(
      evidence?.tail.split('\n').filter((line) => line.includes(`${cwd}/`) || line.endsWith(cwd)),
    ).toEqual([]);
  });

  it("keeps no terminal colour codes: a project's addopts = --color=yes beats NO_COLOR", async () => {
    // humanize's pyproject.toml: [tool.pytest.ini_options] addopts = "--color=yes". The tail goes
    // into the proof, the PR body and the next attempt's prompt, where escape codes are noise.
    const cwd = '/w/tree';
    const output = [
      '\u001b[1mrootdir: /w/tree\u001b[0m',
      '\u001b[31mFAILED\u001b[0m tests/test_filesize.py::\u001b[1mtest_naturalsize[test_args47-1 Byte]\u001b[0m - AssertionError',
      '\u001b[31m\u001b[1m1 failed\u001b[0m, \u001b[32m63 passed\u001b[0m\u001b[31m in 0.31s\u001b[0m',
    ].join('\n');
    const { run } = scripted(exited(1, output), exited(1, output));
    const [evidence] = await createGateVerifier(run)([GATE], context({ cwd }));
    expect(evidence?.tail).not.toContain('\u001b');
    expect(evidence?.tail).toContain('rootdir: .\n');
    expect(evidence?.tail).toContain(
      'FAILED tests/test_filesize.py::test_naturalsize[test_args47-1 Byte] - AssertionError\n1 failed, 63 passed in 0.31s',
    );
  });

  it("drops the terminal escapes a tool prints though NO_COLOR is set (rustfmt's diff, TERM set)", async () => {
    const FORMAT: RunnableGate = {
      ...GATE,
      name: 'format',
      kind: 'format',
      argv: ['cargo', 'fmt', '--check'],
    };
    // cargo 1.95's rustfmt, its output a pipe: red and green lines, each reset with ESC ( B ESC [ m.
    const output =
      'Diff in src/lib.rs:244:\n\u001b[31m-            Ok(_) => { panic!(); },\n\u001b(B\u001b[m\u001b[32m+            Ok(_) => {\n\u001b(B\u001b[m         }\n';
    const { run } = scripted(exited(1, output), exited(1, output));
    const [evidence] = await createGateVerifier(run)([FORMAT], context());
    expect(evidence?.tail).toContain(
      'Diff in src/lib.rs:244:\n-            Ok(_) => { panic!(); },\n+            Ok(_) => {\n         }',
    );
    expect(evidence?.tail).not.toContain('\u001b');
  });

  it('strips a rootdir below the tree as well, so its files read relative to the rootdir', () => {
    const tail = [
      'rootdir: /w/tree/py, configfile: setup.cfg',
      '/w/tree/py/tests/test_a.py:3: in test_a',
      '/w/tree/README.md',
    ].join('\n');
    expect(treeRelative(tail, '/w/tree')).toBe(
      ['rootdir: ., configfile: setup.cfg', 'tests/test_a.py:3: in test_a', 'README.md'].join('\n'),
    );
    expect(treeRelative('nothing to strip', '/')).toBe('nothing to strip');
  });
});

describe('createGateVerifier, vitest and jest reports', () => {
  const VITEST_CONSOLE = [
    ' FAIL  test/a.test.js > a > breaks',
    ' Test Files  1 failed (1)',
    '      Tests  1 failed | 1 passed (2)',
  ].join('\n');

  it("reads vitest's JUnit report before its console, which names no passing test", async () => {
    const junit = `<testsuites><testsuite><testcase classname="test/a.test.js" name="a &gt; works"/><testcase classname="test/a.test.js" name="a &gt; breaks"><failure/></testcase></testsuite></testsuites>`;
    const run: ProcessRunner = async (spec) => {
      await writeFile(spec.argv.at(-1)?.replace('--outputFile.junit=', '') ?? '', junit);
      return exited(1, VITEST_CONSOLE);
    };
    const gate: RunnableGate = {
      ...GATE,
      report: {
        format: 'junit-xml',
        prefer: 'report',
        args: ['--', '--reporter=junit', '--outputFile.junit={file}'],
      },
    };
    const [evidence] = await createGateVerifier(run)([gate], context());
    expect(evidence?.tests).toMatchObject({
      source: 'junit-xml',
      failing: ['test/a.test.js::a > breaks'],
      counts: { passed: 1, failed: 1 },
    });
    // Without the preference (pytest's), the console wins when it can be read.
    const consoleFirst = { ...gate, report: { format: 'junit-xml' as const, args: gate.report?.args ?? [] } };
    const [fromConsole] = await createGateVerifier(run)([consoleFirst], context());
    expect(fromConsole?.tests?.source).toBe('vitest');
  });

  it("reads jest's --json results from the file it asked for, paths relative to the tree", async () => {
    const specs: ProcessSpec[] = [];
    const run: ProcessRunner = async (spec) => {
      specs.push(spec);
      const file = spec.argv.at(-1)?.replace('--outputFile=', '') ?? '';
      const results = [
        { ancestorTitles: ['math'], title: 'adds', status: 'passed' },
        { ancestorTitles: ['math'], title: 'subtracts', status: 'failed' },
      ];
      await writeFile(
        file,
        JSON.stringify({
          testResults: [{ name: `${spec.cwd}/test/math.test.js`, assertionResults: results }],
        }),
      );
      return exited(1, 'jest output');
    };
    const gate: RunnableGate = {
      ...GATE,
      report: { format: 'jest-json', prefer: 'report', args: ['--json', '--outputFile={file}'] },
    };
    const [evidence] = await createGateVerifier(run)([gate], context());
    expect(specs[0]?.argv.at(-1)).toBe(
      `--outputFile=${join(root, 'gates', `${SHA.slice(0, 12)}-unit-1.json`)}`,
    );
    expect(evidence?.tests).toMatchObject({
      source: 'jest',
      failing: ['test/math.test.js > math › subtracts'],
      counts: { passed: 1, failed: 1 },
    });
  });
});

describe('createGateVerifier, diagnostic by diagnostic', () => {
  const onBase = { baseCwd: '/work/base', baseSha: BASE_SHA };
  const base12 = BASE_SHA.slice(0, 12);
  const LINT: RunnableGate = { ...GATE, name: 'lint', kind: 'lint', argv: ['npx', 'eslint', '.'] };
  const unix = (cwd: string, ...lines: string[]) => lines.map((line) => `${cwd}/${line}`).join('\n');
  const debt = (cwd: string, shift = 0) =>
    unix(
      cwd,
      `src/old.js:${3 + shift}:7: 'x' is assigned a value but never used. [Error/no-unused-vars]`,
      `src/old.js:${9 + shift}:1: Unexpected console statement. [Error/no-console]`,
    );

  it("calls the base's debt pre-existing even when the lines moved, and counts it", async () => {
    const head = debt('/work/head', 2);
    const { run } = scripted(exited(1, head), exited(1, head), exited(1, debt('/work/base')));
    const [evidence] = await createGateVerifier(run)([LINT], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(evidence?.tail).toContain(
      `[omk] fails on base ${base12} too, with the same 2 diagnostic(s) (matched by file, rule and message)`,
    );
    expect(evidence?.diagnostics).toEqual({
      source: 'file-line-col',
      new: 0,
      fixed: 0,
      preExisting: 2,
      firstNew: [],
    });
  });

  it('fails a gate with any new diagnostic, naming it, and takes the base from the baseline', async () => {
    const head = `${debt('/work/head')}\n/work/head/src/new.js:1:1: 'y' is not defined. [Error/no-undef]`;
    const baseline = {
      sha: BASE_SHA,
      gates: [{ name: 'lint', kind: 'lint', outcome: 'failed' as const, ...BASELINE_FIELDS }],
      diagnostics: {
        lint: {
          source: 'file-line-col' as const,
          items: [
            {
              file: 'src/old.js',
              line: 3,
              column: 7,
              rule: 'no-unused-vars',
              message: "'x' is assigned a value but never used.",
            },
            {
              file: 'src/old.js',
              line: 9,
              column: 1,
              rule: 'no-console',
              message: 'Unexpected console statement.',
            },
            {
              file: 'src/gone.js',
              line: 1,
              column: 1,
              rule: 'no-console',
              message: 'Unexpected console statement.',
            },
          ],
        },
      },
    };
    const { run, specs } = scripted(exited(1, head), exited(1, head));
    const [evidence] = await createGateVerifier(run)([LINT], context({ ...onBase, baseline }));
    expect(specs).toHaveLength(2);
    expect(evidence).toMatchObject({ outcome: 'failed' });
    expect(evidence?.tail).toContain(
      `[omk] 1 diagnostic(s) not on base ${base12}: src/new.js:1:1 no-undef 'y' is not defined.`,
    );
    expect(evidence?.diagnostics).toEqual({
      source: 'file-line-col',
      new: 1,
      fixed: 1,
      preExisting: 2,
      firstNew: ["src/new.js:1:1 no-undef 'y' is not defined."],
    });
  });

  it('names the new diagnostics of a gate that passes on the base', async () => {
    const head = unix('/work/head', "src/a.js:1:1: 'y' is not defined. [Error/no-undef]");
    const { run } = scripted(exited(1, head), exited(1, head), exited(0, ''));
    const [evidence] = await createGateVerifier(run)([LINT], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'failed', diagnostics: { new: 1, preExisting: 0 } });
    expect(evidence?.tail).toContain(
      `passes on base ${base12}: the failure is new; 1 diagnostic(s) not on base`,
    );
  });

  it('keeps the exit-code rule and no diagnostics when the output cannot be read', async () => {
    const { run } = scripted(
      exited(1, 'Oops: config broken'),
      exited(1, 'Oops: config broken'),
      exited(1, debt('/work/base')),
    );
    const [evidence] = await createGateVerifier(run)([LINT], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(evidence).not.toHaveProperty('diagnostics');
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] fails on base ${base12} too; could not read diagnostics from eslint output; judged by exit code (none were read on the head)`,
    );
    // A test gate's output is never read as diagnostics.
    const head = debt('/work/head');
    const tests = scripted(exited(1, head), exited(1, head), exited(1, debt('/work/base')));
    const [test] = await createGateVerifier(tests.run)([GATE], context(onBase));
    expect(test).not.toHaveProperty('diagnostics');
  });
});

describe('createGateVerifier, diagnostics that cannot be read', () => {
  const onBase = { baseCwd: '/work/base', baseSha: BASE_SHA };
  const base12 = BASE_SHA.slice(0, 12);
  const STYLE: RunnableGate = { ...GATE, name: 'style', kind: 'lint', argv: ['sh', 'scripts/lint.sh'] };
  const prose = 'the style checker is unhappy with 3 things';

  it('says so when neither side can be read, and calls it pre-existing by exit code only', async () => {
    const { run } = scripted(exited(1, prose), exited(1, prose), exited(1, prose));
    const [evidence] = await createGateVerifier(run)([STYLE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'pre_existing' });
    expect(evidence).not.toHaveProperty('diagnostics');
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] fails on base ${base12} too; could not read diagnostics from lint.sh output; judged by exit code (none were read on the head nor on base ${base12})`,
    );
    expect(evidence?.tail).not.toContain('per-test');
  });

  it("names the base when only the base's output cannot be read", async () => {
    const head = "/work/head/src/a.js:1:1: 'y' is not defined. [Error/no-undef]";
    const { run } = scripted(exited(1, head), exited(1, head), exited(1, prose));
    const [evidence] = await createGateVerifier(run)([STYLE], context(onBase));
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] fails on base ${base12} too; could not read diagnostics from lint.sh output; judged by exit code (none were read on base ${base12})`,
    );
  });

  it('fails a gate that passes on the base, saying the failure was judged by exit code', async () => {
    const { run } = scripted(exited(1, prose), exited(1, prose), exited(0, 'all good'));
    const [evidence] = await createGateVerifier(run)([STYLE], context(onBase));
    expect(evidence).toMatchObject({ outcome: 'failed' });
    expect(evidence?.tail.split('\n')[0]).toBe(
      `[omk] passes on base ${base12}: the failure is new; could not read diagnostics from lint.sh output; judged by exit code (none were read on the head)`,
    );
  });

  it('says so without a base too, and never for a gate that passed', async () => {
    const { run } = scripted(exited(1, prose), exited(1, prose), exited(0, prose));
    const [failed, passed] = await createGateVerifier(run)([STYLE, { ...STYLE, name: 'style2' }], context());
    expect(failed).toMatchObject({ outcome: 'failed' });
    expect(failed?.tail.split('\n')[0]).toBe(
      '[omk] could not read diagnostics from lint.sh output; judged by exit code (none were read on the head)',
    );
    expect(passed).toMatchObject({ outcome: 'passed' });
    expect(passed?.tail).toBe(prose);
  });
});

describe('diagnosticsTool', () => {
  it('names the tool a gate runs, not its launcher', () => {
    expect(diagnosticsTool(['npx', 'eslint', '.'])).toBe('eslint');
    expect(diagnosticsTool(['npx', '--yes', 'prettier', '--check', '.'])).toBe('prettier');
    expect(diagnosticsTool(['python3', '-m', 'ruff', 'check'])).toBe('ruff');
    expect(diagnosticsTool(['sh', 'scripts/lint.sh'])).toBe('lint.sh');
    expect(diagnosticsTool(['bash', '-c', 'tools/check --strict src'])).toBe('check');
    expect(diagnosticsTool(['npm', 'run', 'lint'])).toBe('npm run lint');
    expect(diagnosticsTool(['cargo', 'clippy', '--', '-D', 'warnings'])).toBe('cargo clippy');
    expect(diagnosticsTool(['/usr/local/bin/golangci-lint', 'run'])).toBe('golangci-lint');
    expect(diagnosticsTool(['tsc'])).toBe('tsc');
  });
});

describe('createGateVerifier, go test -json', () => {
  it('reads the events and shows the output they carry as the tail', async () => {
    const events = [
      { Action: 'run', Package: 'example.com/calc', Test: 'TestDiv' },
      {
        Action: 'output',
        Package: 'example.com/calc',
        Test: 'TestDiv',
        Output: '    calc_test.go:21: got 0\n',
      },
      { Action: 'fail', Package: 'example.com/calc', Test: 'TestDiv' },
      { Action: 'output', Package: 'example.com/calc', Output: 'FAIL\texample.com/calc\t0.003s\n' },
      { Action: 'fail', Package: 'example.com/calc' },
    ];
    const output = events.map((event) => JSON.stringify(event)).join('\n');
    const { run, specs } = scripted(exited(1, output), exited(1, output));
    const gate = {
      ...GATE,
      argv: ['go', 'test', './...'],
      report: { format: 'go-test-json' as const, args: ['-json'] },
    };
    const [evidence] = await createGateVerifier(run)([gate], context());
    expect(specs[0]?.argv).toEqual(['go', 'test', './...', '-json']);
    expect(evidence?.tests).toMatchObject({ source: 'go-test-json', failing: ['example.com/calc::TestDiv'] });
    expect(evidence?.tail).toBe('    calc_test.go:21: got 0\nFAIL\texample.com/calc\t0.003s');
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
