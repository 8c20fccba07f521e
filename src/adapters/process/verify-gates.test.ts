import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunnableGate } from '../../runtime/gates/detector.js';
import type { GateRunContext } from '../../runtime/gates/port.js';
import { createGateVerifier } from '../../runtime/gates/verify.js';
import { runProcess } from './run-process.js';

// The gate verifier with real processes: each classification below comes from what the gate's
// process actually did (exit code, output, timeout, abort), as it does in a run.
const verifyGates = createGateVerifier(runProcess);

const SHA = 'a'.repeat(40);
const BASE_SHA = 'b'.repeat(40);
let root: string;
let head: string;
let base: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-verify-'));
  head = join(root, 'head');
  base = join(root, 'base');
  await mkdir(head);
  await mkdir(base);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function context(overrides: Partial<GateRunContext> = {}): GateRunContext {
  return {
    cwd: head,
    sha: SHA,
    baseCwd: null,
    baseSha: null,
    artifactsDir: join(root, 'artifacts', 'gates'),
    env: { PATH: process.env.PATH ?? '' },
    ...overrides,
  };
}

/** A gate running a Node script; every run appends a line to `runs.txt` in its cwd. */
function gate(name: string, code: string, extra: Partial<RunnableGate> = {}): RunnableGate {
  const counted = `require('fs').appendFileSync('runs.txt', 'x\\n'); ${code}`;
  return {
    name,
    kind: 'test',
    argv: [process.execPath, '-e', counted],
    required: true,
    timeoutMs: 10_000,
    source: 'test',
    ...extra,
  };
}

async function runs(dir: string): Promise<number> {
  const text = await readFile(join(dir, 'runs.txt'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

const FAIL_IF_BROKEN = `if (require('fs').existsSync('broken')) { console.error('assertion failed'); process.exit(3); }`;

describe('verifyGates', () => {
  it('passes a gate that exits 0 and keeps its full log as an artifact', async () => {
    const [evidence] = await verifyGates([gate('unit', 'console.log("all 12 tests ok")')], context());
    expect(evidence).toMatchObject({
      name: 'unit',
      kind: 'test',
      required: true,
      outcome: 'passed',
      exitCode: 0,
      sha: SHA,
      artifact: join(root, 'artifacts', 'gates', `${SHA.slice(0, 12)}-unit.log`),
    });
    expect(evidence?.tail).toContain('all 12 tests ok');
    expect(await readFile(evidence?.artifact ?? '', 'utf8')).toContain('all 12 tests ok');
    expect(await runs(head)).toBe(1);
  });

  it('fails a gate that fails twice, with no base to compare', async () => {
    await writeFile(join(head, 'broken'), '');
    const [evidence] = await verifyGates([gate('unit', FAIL_IF_BROKEN)], context());
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(evidence?.tail).toContain('assertion failed');
    expect(await runs(head)).toBe(2);
  });

  it('times out a gate that runs too long, without a rerun', async () => {
    const started = Date.now();
    const sleeper = gate('slow', 'setTimeout(() => {}, 60_000)', { timeoutMs: 300 });
    const [evidence] = await verifyGates([sleeper], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(evidence).toMatchObject({ outcome: 'timeout', exitCode: null });
    expect(evidence?.tail).toContain('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await runs(head)).toBe(1);
    expect(await runs(base)).toBe(0);
  });

  it('marks a gate that fails once and passes on rerun as flaky', async () => {
    const code = `if (require('fs').readFileSync('runs.txt', 'utf8').length === 2) { console.log('race lost'); process.exit(1); }`;
    const [evidence] = await verifyGates([gate('unit', code)], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(evidence).toMatchObject({ outcome: 'flaky', exitCode: 1 });
    expect(evidence?.tail).toContain('failed once, passed on rerun');
    expect(evidence?.tail).toContain('race lost');
    expect(await runs(head)).toBe(2);
    expect(await runs(base)).toBe(0);
  });

  it('classifies a failure that the base has too as pre-existing', async () => {
    await writeFile(join(head, 'broken'), '');
    await writeFile(join(base, 'broken'), '');
    const [evidence] = await verifyGates(
      [gate('unit', FAIL_IF_BROKEN)],
      context({ baseCwd: base, baseSha: BASE_SHA }),
    );
    expect(evidence).toMatchObject({ outcome: 'pre_existing', exitCode: 3, sha: SHA });
    expect(evidence?.tail).toContain(`fails on base ${BASE_SHA.slice(0, 12)} too`);
    expect(await runs(base)).toBe(1);
    const log = await readFile(evidence?.artifact ?? '', 'utf8');
    expect(log).toContain(`run on base ${BASE_SHA} in ${base}`);
  });

  it("judges a linter by its diagnostics: the base's debt, lines moved, is pre-existing; a new one fails", async () => {
    // Prints `lint.txt`'s lines as eslint -f unix does, with absolute paths, and fails if any.
    const linter = `const fs = require('fs'); const lines = fs.existsSync('lint.txt') ? fs.readFileSync('lint.txt', 'utf8').split('\\n').filter(Boolean) : []; for (const l of lines) console.log(process.cwd() + '/' + l); process.exit(lines.length > 0 ? 1 : 0);`;
    const lint = gate('lint', linter, { kind: 'lint' });
    const debt = (line: number) =>
      `src/a.js:${line}:7: 'x' is assigned a value but never used. [Error/no-unused-vars]\n`;
    await writeFile(join(base, 'lint.txt'), debt(3));
    await writeFile(join(head, 'lint.txt'), debt(5));
    const [onlyDebt] = await verifyGates([lint], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(onlyDebt).toMatchObject({ outcome: 'pre_existing', diagnostics: { new: 0, preExisting: 1 } });

    await writeFile(join(head, 'lint.txt'), `${debt(5)}src/b.js:1:1: 'y' is not defined. [Error/no-undef]\n`);
    const [added] = await verifyGates([lint], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(added).toMatchObject({ outcome: 'failed', diagnostics: { new: 1, preExisting: 1, fixed: 0 } });
    expect(added?.diagnostics?.firstNew).toEqual(["src/b.js:1:1 no-undef 'y' is not defined."]);
    expect(added?.tail).toContain('1 diagnostic(s) not on base');
  });

  it('fails a gate that fails only on the head', async () => {
    await writeFile(join(head, 'broken'), '');
    const [evidence] = await verifyGates(
      [gate('unit', FAIL_IF_BROKEN)],
      context({ baseCwd: base, baseSha: BASE_SHA }),
    );
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(evidence?.tail).toContain('passes on base');
    expect(evidence?.tail).toContain('assertion failed');
    expect(await runs(head)).toBe(2);
    expect(await runs(base)).toBe(1);
  });

  it('calls a gate whose tool is not installed unavailable, and its log says why', async () => {
    const missing: RunnableGate = { ...gate('cargo', ''), argv: ['omk-no-such-tool-7f3a', 'test'] };
    const [evidence] = await verifyGates([missing], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(evidence).toMatchObject({ outcome: 'unavailable', exitCode: null });
    expect(evidence?.tail).toContain('omk-no-such-tool-7f3a: could not start');
    expect(evidence?.tail).toContain('ENOENT');
    expect(evidence?.tail).toContain(`cannot start on base ${BASE_SHA.slice(0, 12)} either`);
    const log = await readFile(evidence?.artifact ?? '', 'utf8');
    expect(log).toContain('=== no process ran: spawn omk-no-such-tool-7f3a ENOENT');
    expect(log).toContain('=== could not start: omk-no-such-tool-7f3a: could not start');
    expect(log).not.toContain('exit -2');
  });

  it('calls a script whose command is not found (exit 127) unavailable, naming the command', async () => {
    const script: RunnableGate = { ...gate('test', ''), argv: ['sh', '-c', 'omk-no-such-script-7f3a --run'] };
    const [evidence] = await verifyGates([script], context());
    expect(evidence).toMatchObject({ outcome: 'unavailable', exitCode: 127 });
    expect(evidence?.tail).toMatch(/^\[omk\] omk-no-such-script-7f3a: command not found \(exit 127\)/);
    const log = await readFile(evidence?.artifact ?? '', 'utf8');
    expect(log).toContain('=== exit 127');
    expect(log).toMatch(/omk-no-such-script-7f3a: (command )?not found/);
  });

  it('fails a gate that cannot start only on the head: the change made its tool unavailable', async () => {
    await writeFile(join(head, 'broken'), '');
    const code = `if (require('fs').existsSync('broken')) { console.error('sh: 1: ts-scripts: not found'); process.exit(127); }`;
    const [evidence] = await verifyGates([gate('unit', code)], context({ baseCwd: base, baseSha: BASE_SHA }));
    expect(evidence).toMatchObject({ outcome: 'failed', exitCode: 127 });
    expect(evidence?.tail).toContain(`but it starts on base ${BASE_SHA.slice(0, 12)}`);
    expect(await runs(head)).toBe(1);
    expect(await runs(base)).toBe(1);
  });

  it('fails a gate that prints when it should be silent (gofmt -l)', async () => {
    const lister = gate('format', 'console.log("main.go")', { failOnOutput: true, kind: 'format' });
    const quiet = gate('format-ok', 'console.error("progress on stderr is fine")', { failOnOutput: true });
    const [listed, clean] = await verifyGates([lister, quiet], context());
    expect(listed).toMatchObject({ outcome: 'failed', exitCode: 0 });
    expect(listed?.tail).toContain('main.go');
    expect(listed?.tail).toContain('fails when it prints anything');
    expect(clean?.outcome).toBe('passed');
  });

  it('gives gates only the environment it is handed', async () => {
    process.env.OMK_TEST_LEAK = 'leaked-secret';
    try {
      const probe = gate('env', 'console.log(JSON.stringify(Object.keys(process.env).sort()))');
      const [evidence] = await verifyGates(
        [probe],
        context({ env: { PATH: process.env.PATH ?? '', CI: 'true' } }),
      );
      expect(evidence?.tail).not.toContain('OMK_TEST_LEAK');
      expect(evidence?.tail).toContain('"CI"');
    } finally {
      delete process.env.OMK_TEST_LEAK;
    }
  });

  it('stops on abort: the running gate is skipped as cancelled, later gates never start', async () => {
    const controller = new AbortController();
    const sleeper = gate('slow', 'console.log("started"); setTimeout(() => {}, 60_000)');
    const later = gate('later', 'require("fs").writeFileSync("later-ran", "")');
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const evidence = await verifyGates([sleeper, later], context({ signal: controller.signal }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(evidence.map((item) => item.outcome)).toEqual(['skipped', 'skipped']);
    expect(evidence[0]?.tail).toContain('cancelled while running');
    expect(evidence[1]).toMatchObject({ exitCode: null, artifact: null });
    expect(evidence[1]?.tail).toContain('verification was cancelled');
    expect(existsSync(join(head, 'later-ran'))).toBe(false);
  });
});
