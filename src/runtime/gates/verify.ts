import { appendFile, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProcessResult, ProcessRunner } from '../ports.js';
import type { GateDiagnostics, GateEvidence } from '../proof/schema.js';
import { unreadOnHeadWords } from '../proof/unread-on-base.js';
import type { Confinement } from '../sandbox/port.js';
import { stripAnsi } from '../text/ansi.js';
import { cannotStart, type Unavailability, unavailableNote } from './availability.js';
import type { RunnableGate } from './detector.js';
import { parseDiagnostics } from './diagnostics/parse.js';
import type { Diagnostics } from './diagnostics/types.js';
import {
  baseDiagnostics,
  DIAGNOSTIC_KINDS,
  diagnosticsNote,
  diagnosticsTool,
  gateDiagnostics,
  unreadDiagnosticsNote,
} from './diagnostics/verdict.js';
import { gateLogName, safeGateName } from './log-name.js';
import type { GateRunContext, GateSpec, VerifyFn } from './port.js';
import { goTestConsole } from './test-results/go-test-json.js';
import { parseJestJson } from './test-results/jest-json.js';
import { parseJunitXml } from './test-results/junit-xml.js';
import { parseTestResults } from './test-results/parse.js';
import type { TestResults } from './test-results/types.js';
import { gateTests, judgeFailureOnBoth, regressionNote } from './test-verdict.js';

const TAIL_LINES = 60;
const TAIL_BYTES = 8 * 1024;

/** How one run of a gate ended. */
type RunStatus = 'passed' | 'failed' | 'timeout' | 'cancelled' | 'unavailable';

interface GateRun {
  status: RunStatus;
  result: ProcessResult;
  /** Output tail, with a line saying why when the gate failed on output alone. */
  tail: string;
  /** Why the gate could not start, when its status is `unavailable`. */
  unavailable?: Unavailability;
  /** Per-test results read from its output or report; null when none could be read. */
  tests: TestResults | null;
  /** Lint, format and typecheck gates: the diagnostics in its output; null when none could be read. */
  diagnostics: Diagnostics | null;
}

/** A gate's result on the base: how it ended and, when they could be read, its tests. */
interface BaseResult {
  status: RunStatus;
  /** Its output's last lines (the baseline's evidence keeps them with omk's note on top). */
  tail: string;
  tests: TestResults | null;
  diagnostics: Diagnostics | null;
}

/** Most of a log a parser reads: runners print their results last. */
const PARSE_BYTES = 16 * 1024 * 1024;

/**
 * Runs gates one after another (they may share build directories such as target/ or
 * node_modules/.cache) and classifies each: a failure is rerun once (passes → flaky); a repeated
 * failure is tried on the base. When both sides' per-test results can be read, it is pre_existing
 * only when every test failing here failed on the base too; any other failing test is a
 * regression and the gate failed. A test gate whose run here reported no tests while the base's
 * did failed: the change stopped its tests from running. Otherwise the exit codes decide (fails
 * on the base too → pre_existing) and the note says so. Timeouts and missing tools are
 * not rerun: a second attempt would only spend the same time or fail the same way. Each run goes
 * through `runProcess`, which the front door composes.
 */
export function createGateVerifier(runProcess: ProcessRunner): VerifyFn {
  return async (gates, context) => {
    await mkdir(context.artifactsDir, { recursive: true });
    const evidence: GateEvidence[] = [];
    for (const gate of gates) {
      if (context.signal?.aborted) {
        evidence.push(skipped(gate, context, 'not run: verification was cancelled', null));
        continue;
      }
      evidence.push(await verifyGate(runProcess, gate, context));
    }
    return evidence;
  };
}

async function verifyGate(
  runProcess: ProcessRunner,
  gate: RunnableGate,
  context: GateRunContext,
): Promise<GateEvidence> {
  const log = join(context.artifactsDir, gateLogName(context.sha, gate.name));
  await writeFile(log, '');
  let runs = 0;
  const run = (cwd: string, label: string) => {
    runs += 1;
    const report = join(
      context.artifactsDir,
      `${context.sha.slice(0, 12)}-${safeGateName(gate.name)}-${runs}.${gate.report?.format === 'jest-json' ? 'json' : 'xml'}`,
    );
    return runGate(runProcess, gate, { cwd, label, log, report }, context);
  };

  const first = await run(context.cwd, `run 1 on ${context.sha}`);
  const baseLabel = context.baseSha ?? 'the base';
  const base12 = baseLabel.slice(0, 12);
  /** The base's results once known (the baseline's, or a run there): the head is compared with them. */
  let baseTests: TestResults | null = fromBaseline(gate, context)?.tests ?? null;
  let baseDiags: Diagnostics | null = fromBaseline(gate, context)?.diagnostics ?? null;
  /** How the gate ended on the base, once asked, and its output's last lines. */
  let baseStatus: RunStatus | null = null;
  let baseTail = fromBaseline(gate, context)?.tail ?? '';
  /** The head's run reported no tests though the base's did: its note says so, no exit-code excuse. */
  let stoppedOnHead = false;
  const judgedByDiagnostics = DIAGNOSTIC_KINDS.includes(gate.kind);
  /**
   * A lint, format or typecheck gate that failed with no diagnostics compared: the exit codes
   * decided, and the note says whose output could not be read, so nothing passes or counts as the
   * base's own debt unsaid.
   */
  const unreadDiagnostics = (
    outcome: GateEvidence['outcome'],
    tailOf: GateRun,
    diagnostics: GateDiagnostics | null,
  ): string | null => {
    if (!judgedByDiagnostics || diagnostics !== null || tailOf.status !== 'failed') return null;
    if (outcome !== 'failed' && outcome !== 'pre_existing') return null;
    const unread = { head: tailOf.diagnostics === null, base: baseStatus === 'failed' && baseDiags === null };
    if (!unread.head && !unread.base) return null;
    return unreadDiagnosticsNote(
      diagnosticsTool(gate.argv),
      unread,
      context.baseSha === null ? null : base12,
    );
  };
  const evidence = (
    outcome: GateEvidence['outcome'],
    note: string | null,
    tailOf: GateRun,
    diagnostics: GateDiagnostics | null = null,
    beyondTests?: GateEvidence['beyondTests'],
  ): GateEvidence => {
    context.onTestResults?.(gate.name, tailOf.tests);
    context.onDiagnostics?.(gate.name, tailOf.diagnostics);
    // A passing gate needs no excuse; the renderers say for every test gate whether tests were read.
    const fellBack =
      tailOf.tests === null &&
      gate.kind === 'test' &&
      !stoppedOnHead &&
      (outcome === 'failed' || outcome === 'flaky')
        ? 'no per-test results could be read from its output: judged by its exit code'
        : unreadDiagnostics(outcome, tailOf, diagnostics);
    const notes = [note, fellBack].filter((text): text is string => text !== null);
    const result: GateEvidence = {
      name: gate.name,
      kind: gate.kind,
      required: gate.required,
      outcome,
      // A process that never started has no exit code (Node reports the errno, e.g. -2).
      exitCode: first.result.spawnError === null ? first.result.exitCode : null,
      durationMs: first.result.durationMs,
      sha: context.sha,
      tail: boundTail(notes.length === 0 ? null : notes.join('; '), tailOf.tail),
      artifact: log,
    };
    if (tailOf.tests !== null) result.tests = gateTests(tailOf.tests, baseTests, context.baseSha);
    if (diagnostics !== null) result.diagnostics = diagnostics;
    if (beyondTests !== undefined) result.beyondTests = beyondTests;
    if (stoppedOnHead && outcome === 'failed') result.stoppedOnHead = true;
    if (gate.preExisting === 'block') result.preExisting = 'block';
    return result;
  };

  /** The gate on the base: the goal's base run says it when it ran on this very base. */
  const onBase = async (where: string | (() => Promise<string>)): Promise<RunStatus> => {
    const known = fromBaseline(gate, context);
    if (known !== null) {
      baseStatus = known.status;
      return known.status;
    }
    const baseCwd = typeof where === 'string' ? where : await where();
    const ran = await run(baseCwd, `run on base ${baseLabel}`);
    baseTests = ran.tests;
    baseDiags = ran.diagnostics;
    baseStatus = ran.status;
    baseTail = ran.tail;
    return ran.status;
  };

  switch (first.status) {
    case 'passed':
      return evidence('passed', null, first);
    case 'cancelled':
      return skipped(gate, context, 'cancelled while running', log, first.result);
    case 'timeout':
      return evidence('timeout', `timed out after ${gate.timeoutMs} ms; the process group was killed`, first);
    case 'unavailable': {
      // Not rerun: a missing tool fails the same way twice. Whether it is the change's doing is
      // for the base to say: a tool that starts on the base and not here was broken by the change.
      const why = first.unavailable?.reason ?? 'could not start';
      if (context.baseCwd === null) {
        return evidence('unavailable', unavailableNote(why, null), first);
      }
      const base = await onBase(context.baseCwd);
      if (base === 'cancelled')
        return skipped(gate, context, `${why}; cancelled on the base`, log, first.result);
      if (base === 'unavailable') {
        return evidence('unavailable', unavailableNote(why, base12), first);
      }
      return evidence(
        'failed',
        `${why}, but it starts on base ${base12}: the change made it unavailable`,
        first,
      );
    }
    case 'failed':
      break;
  }

  const second = await run(context.cwd, `rerun on ${context.sha}`);
  if (second.status === 'passed') return evidence('flaky', 'failed once, passed on rerun', first);
  if (second.status === 'cancelled')
    return skipped(gate, context, 'cancelled during rerun', log, second.result);
  if (second.status !== 'failed' || context.baseCwd === null) {
    return evidence('failed', second.status === 'failed' ? null : `rerun: ${second.status}`, second);
  }

  const base = await onBase(context.baseCwd);
  // Only a completed failing run on the base can show the failure predates this change.
  // Lint, format and typecheck: any diagnostic the base does not have is new; the base's own debt is not.
  const diagnostics =
    base === 'failed' || base === 'passed'
      ? gateDiagnostics(second.diagnostics, baseDiagnostics(base === 'passed', baseDiags))
      : null;
  if (base === 'failed' && diagnostics !== null) {
    const note = diagnosticsNote(diagnostics, base12);
    return evidence(diagnostics.new === 0 ? 'pre_existing' : 'failed', note, second, diagnostics);
  }
  if (base === 'failed' && judgedByDiagnostics) {
    // Not read diagnostic by diagnostic: pre-existing by exit code only, which the note says and
    // the proof does not tolerate (proof/pre-existing.ts).
    return evidence('pre_existing', `fails on base ${base12} too`, second);
  }
  if (base === 'failed' && gate.kind === 'test' && second.tests === null && baseTests !== null) {
    // The runner reported its tests on the base and none here: the change stopped them from
    // running (a pretest step, a module every test imports), whatever the base's own failures.
    stoppedOnHead = true;
    const ended = { outcome: 'failed' as const, exitCode: second.result.exitCode };
    return evidence('failed', unreadOnHeadWords(ended, `on base ${base12}`), second);
  }
  if (base === 'failed') {
    const verdict = judgeFailureOnBoth(
      second.tests,
      baseTests,
      base12,
      { exitCode: second.result.exitCode, tail: second.tail },
      baseTail,
    );
    return evidence(verdict.outcome, verdict.note, second, null, verdict.beyondTests);
  }
  if (base === 'passed') {
    const named =
      diagnostics !== null && diagnostics.new > 0
        ? diagnosticsNote(diagnostics, base12)
        : regressionNote(second.tests, baseTests);
    const verdict = `passes on base ${base12}: the failure is new${named === null ? '' : `; ${named}`}`;
    return evidence('failed', verdict, second, diagnostics);
  }
  return evidence('failed', `base check inconclusive (${base})`, second);
}

/** The goal's base run, when it ran on the base this context compares with; null: run it now. */
function fromBaseline(gate: RunnableGate, context: GateRunContext): BaseResult | null {
  const baseline = context.baseline;
  if (!baseline || baseline.sha !== context.baseSha) return null;
  const known = baseline.gates.find((g) => g.name === gate.name && g.kind === gate.kind);
  const tests = baseline.tests?.[gate.name] ?? null;
  const diagnostics = baseline.diagnostics?.[gate.name] ?? null;
  switch (known?.outcome) {
    case 'passed':
    case 'flaky':
      return { status: 'passed', tail: known.tail, tests, diagnostics };
    case 'failed':
    case 'timeout':
    case 'unavailable':
      return { status: known.outcome, tail: known.tail, tests, diagnostics };
    case 'pre_existing':
      // A base run compares with no base, so this comes from a baseline built some other way.
      return { status: 'failed', tail: known.tail, tests, diagnostics };
    default:
      return null;
  }
}

async function runGate(
  runProcess: ProcessRunner,
  gate: RunnableGate,
  { cwd, label, log, report }: { cwd: string; label: string; log: string; report: string },
  context: GateRunContext,
): Promise<GateRun> {
  const argv = gate.report
    ? [...gate.argv, ...gate.report.args.map((arg) => arg.replaceAll('{file}', report))]
    : gate.argv;
  const reportFile = writesReport(gate);
  if (reportFile) await rm(report, { force: true });
  // Confined, the runner can write nothing under the goal directory but its own report file,
  // which must exist to be made writable; left empty, it counts as missing.
  if (reportFile && context.confine) await writeFile(report, '');
  await appendFile(
    log,
    `\n=== omk gate ${gate.name}: ${label} in ${cwd}\n=== argv ${JSON.stringify(argv)}\n`,
  );
  const offset = (await stat(log)).size;
  const spec = {
    argv,
    cwd,
    env: context.env,
    ownHome: context.home !== 'user',
    timeoutMs: gate.timeoutMs,
    logPath: log,
    ...(context.logMaxBytes === undefined ? {} : { logMaxBytes: context.logMaxBytes }),
    tailChars: TAIL_BYTES * 2,
    ...(context.confine === undefined
      ? {}
      : { confine: withNetwork(withReport(context.confine, reportFile ? report : null), gate) }),
  };
  const start = () => runProcess(context.signal ? { ...spec, signal: context.signal } : spec);
  const result = await (context.aroundRun?.({ argv, cwd, env: context.env }, start) ?? start());
  const unavailable = result.cancelled || result.timedOut ? null : cannotStart(gate.argv, result);
  // Read before omk's own footer lands in the log.
  const ran = !result.cancelled && !result.timedOut && unavailable === null;
  const output = ran ? await runOutput(result, log, offset) : '';
  const tests = ran ? await readTests(gate, output, report, cwd) : null;
  const diagnostics = ran && DIAGNOSTIC_KINDS.includes(gate.kind) ? parseDiagnostics(output, cwd) : null;
  const ended =
    result.spawnError === null
      ? `exit ${result.exitCode ?? result.signal ?? 'none'} in ${result.durationMs} ms`
      : `no process ran: ${result.spawnError}`;
  await appendFile(
    log,
    `\n=== ${ended}\n${unavailable === null ? '' : `=== could not start: ${unavailable.reason}\n`}`,
  );
  const tail = readableTail(gate, result.tail, report, cwd);
  const none = { tests: null, diagnostics: null };
  if (result.cancelled) return { status: 'cancelled', result, tail, ...none };
  if (result.timedOut) return { status: 'timeout', result, tail, ...none };
  if (unavailable !== null) return { status: 'unavailable', result, tail, unavailable, ...none };
  if (result.exitCode !== 0) return { status: 'failed', result, tail, tests, diagnostics };
  if (gate.failOnOutput && result.stdout.trim() !== '') {
    const listed = `${tail}\n(this gate fails when it prints anything: fix what it listed above)`;
    return { status: 'failed', result, tail: listed, tests, diagnostics };
  }
  return { status: 'passed', result, tail, tests, diagnostics };
}

/** This run's part of the log (stdout and stderr: jest prints to stderr), or its stdout when the runner wrote no log. */
async function runOutput(result: ProcessResult, log: string, offset: number): Promise<string> {
  const segment = await readFrom(log, offset, PARSE_BYTES);
  return segment !== '' ? segment : result.stdout;
}

/** The runner writes the report to a file (rather than printing it). */
function writesReport(gate: RunnableGate): boolean {
  return gate.report?.format === 'junit-xml' || gate.report?.format === 'jest-json';
}

/**
 * A test gate's per-test results: from its output, else from the report omk asked for; the report
 * first when the request prefers it (vitest, jest), the console then being the fallback.
 */
async function readTests(
  gate: RunnableGate,
  output: string,
  report: string,
  cwd: string,
): Promise<TestResults | null> {
  if (gate.kind !== 'test' && gate.report === undefined) return null;
  const read = writesReport(gate) ? await readFile(report, 'utf8').catch(() => null) : null;
  const file = read === '' ? null : read;
  if (gate.report?.format === 'jest-json') {
    return (file === null ? null : parseJestJson(file, cwd)) ?? parseTestResults(output);
  }
  if (gate.report?.prefer === 'report' && file !== null) {
    const fromReport = parseJunitXml(file);
    if (fromReport !== null) return fromReport;
  }
  return parseTestResults(output, file);
}

/** A gate's own network (`gates.list[].network`) over the run's. */
function withNetwork(confine: Confinement, gate: GateSpec): Confinement {
  return gate.network === undefined ? confine : { ...confine, network: gate.network };
}

function withReport(confine: Confinement, report: string | null): Confinement {
  return report === null ? confine : { ...confine, writable: [...confine.writable, report] };
}

/** The last `limit` bytes of a file from `offset` on; '' when there are none or it cannot be read. */
async function readFrom(path: string, offset: number, limit: number): Promise<string> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(path, 'r');
    const { size } = await file.stat();
    const start = Math.max(offset, size - limit);
    if (start >= size) return '';
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await file?.close();
  }
}

/**
 * The tail as a person reads it: go's JSON events as the output they carry, and the report file
 * omk added named without the machine's directories (pytest prints where it wrote it).
 */
function readableTail(gate: RunnableGate, output: string, report: string, cwd: string): string {
  if (gate.report?.format === 'go-test-json') return goTestConsole(output);
  // Colour the project's config asks for despite NO_COLOR (addopts = --color=yes) is noise in the
  // proof, the PR body and the next attempt's prompt, and hides the rootdir line from treeRelative.
  const tail = stripAnsi(output);
  const named = writesReport(gate) ? tail.replaceAll(report, basename(report)) : tail;
  return treeRelative(named, cwd);
}

/**
 * Paths in the tree the gate ran in, relative to it: pytest prints `rootdir: <absolute path>` (and
 * some tracebacks name files under it), which would put the worktree's directory, a path of this
 * machine, in the tail; the tree's own files read the same in every worktree.
 */
export function treeRelative(tail: string, cwd: string): string {
  const roots = new Set([cwd]);
  const rootdir = /^rootdir: (\/[^\s,]+)/m.exec(tail)?.[1];
  if (rootdir !== undefined && rootdir.length > 1) roots.add(rootdir.replace(/\/+$/, ''));
  let text = tail;
  // Longest first: a rootdir below the cwd is stripped before the cwd is.
  for (const root of [...roots].sort((a, b) => b.length - a.length)) {
    if (root === '' || root === '/') continue;
    text = text
      .replaceAll(`${root}/`, '')
      .replace(new RegExp(`(^rootdir: )${escapeRegExp(root)}(?=[\\s,]|$)`, 'gm'), '$1.');
  }
  return text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function skipped(
  gate: GateSpec,
  context: GateRunContext,
  note: string,
  artifact: string | null,
  result?: ProcessResult,
): GateEvidence {
  return {
    name: gate.name,
    kind: gate.kind,
    required: gate.required,
    outcome: 'skipped',
    exitCode: null,
    durationMs: result?.durationMs ?? 0,
    sha: context.sha,
    tail: boundTail(note, result?.tail ?? ''),
    artifact,
  };
}

/** A classification note on top, then the last lines of output, within 60 lines and 8 KB. */
export function boundTail(note: string | null, output: string): string {
  const header = note === null ? '' : `[omk] ${note}\n`;
  const budget = TAIL_BYTES - Buffer.byteLength(header);
  let lines = output.replace(/\s+$/, '').split('\n');
  lines = lines.slice(-(note === null ? TAIL_LINES : TAIL_LINES - 1));
  let text = lines.join('\n');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > budget) {
    // Cutting inside a multi-byte character leaves a replacement mark; drop it.
    text = bytes
      .subarray(bytes.length - budget)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
  }
  return header + text;
}
