import { isAbsolute, relative } from 'node:path';
import type { AgentRunResult } from '../agents/port.js';
import { failedBeyondTests } from '../gates/test-verdict.js';
import type { Finding, GateEvidence, GateTests } from '../proof/schema.js';
import { stoppedOnHead } from '../proof/unread-on-base.js';
import { clip } from '../text/clip.js';

// The failure goes into the next attempt's prompt and into events: bounded, so a noisy gate or a
// flood of findings cannot crowd out the rest.
const MAX_FINDINGS = 20;
const MAX_MESSAGE_CHARS = 500;
const MAX_PATHS = 10;
const MAX_GATE_OUTPUT_CHARS = 3_000;
const MAX_GATE_OUTPUT_LINES = 60;
const MAX_TEST_NAMES = 20;
const MAX_TEST_NAME_CHARS = 200;
/** The header of the blocking findings' part of a failure (findingsSection). */
const FINDINGS_HEADER = 'review found blocking problems:';

export interface AttemptChecks {
  agent: AgentRunResult;
  findings: readonly Finding[];
  /** The required gates that did not pass. */
  failingGates: readonly GateEvidence[];
  /**
   * The worktree the next agent works in: each gate's full log is named relative to it, so the
   * prompt (and the events and proof it reaches) carries no directory of this machine.
   */
  workdir: string;
}

/**
 * Why an attempt failed, for the next prompt: the agent's own failure, every blocking finding with
 * its paths, and every failing gate with the end of its output. Null when nothing blocks.
 */
export function describeAttemptFailure(checks: AttemptChecks): string | null {
  const parts = [agentFailure(checks.agent), describeChecks(checks)].filter(
    (part): part is string => part !== null,
  );
  return parts.length === 0 ? null : parts.join('\n\n');
}

/** Every blocking finding with its paths and every failing gate with its output; null when none. */
export function describeChecks(checks: Omit<AttemptChecks, 'agent'>): string | null {
  const blocking = checks.findings.filter((finding) => finding.severity === 'blocking');
  const parts = [
    blocking.length > 0 ? findingsSection(blocking) : null,
    ...checks.failingGates.map((gate) => gateSection(gate, checks.workdir)),
  ];
  const shown = parts.filter((part): part is string => part !== null);
  return shown.length === 0 ? null : shown.join('\n\n');
}

/** Each of these gates with its failing tests named and the end of its output; null when none. */
export function describeGateFailures(gates: readonly GateEvidence[], workdir: string): string | null {
  return gates.length === 0 ? null : gates.map((gate) => gateSection(gate, workdir)).join('\n\n');
}

function agentFailure(result: AgentRunResult): string | null {
  if (result.outcome === 'succeeded') return null;
  return `agent ${result.outcome}${result.exitCode === null ? '' : ` (exit ${result.exitCode})`}: ${result.summary}`;
}

function findingsSection(blocking: readonly Finding[]): string {
  const lines = blocking.slice(0, MAX_FINDINGS).map((finding) => {
    const paths = finding.paths.slice(0, MAX_PATHS);
    const more = finding.paths.length > MAX_PATHS ? ` and ${finding.paths.length - MAX_PATHS} more` : '';
    const where = paths.length > 0 ? ` (paths: ${paths.join(', ')}${more})` : '';
    return `- [${finding.review} review] ${clip(oneLine(finding.message), MAX_MESSAGE_CHARS)}${where}`;
  });
  if (blocking.length > MAX_FINDINGS) lines.push(`- … and ${blocking.length - MAX_FINDINGS} more`);
  return `${FINDINGS_HEADER}\n${lines.join('\n')}`;
}

function gateSection(gate: GateEvidence, workdir: string): string {
  const header = `gate ${gate.name} ${gate.outcome} (exit ${gate.exitCode ?? '-'}):`;
  const named = [...testNames(gate), ...newDiagnostics(gate)].join('\n');
  const output = trimOutput(gate.tail);
  const log = gate.artifact === null ? '' : `\n(full output: ${logPath(gate.artifact, workdir)})`;
  return `${header}\n${named === '' ? '' : `${named}\n`}${output === '' ? '(no output)' : output}${log}`;
}

/**
 * The tests a gate's per-test results name, by what the next attempt must do about them: the
 * ones its change broke, and the ones still failing as on the base (a fix goal's target tests).
 * Named even when the output's tail lost them.
 */
function testNames(gate: GateEvidence): string[] {
  const tests = gate.tests;
  if (tests === undefined) return [];
  const { passedOnBase, notOnBase } = splitRegressions(tests);
  return [
    namedList(
      'newly failing tests (they pass on the base)',
      passedOnBase,
      Math.max(0, tests.counts.regressions - notOnBase.length),
    ),
    namedList(
      'failing tests the base did not run (new, or never reached there)',
      notOnBase,
      notOnBase.length,
    ),
    namedList(
      'tests still failing (they fail on the base too)',
      tests.stillFailing,
      tests.counts.stillFailing,
    ),
  ].filter((line): line is string => line !== null);
}

/**
 * A regression passed on the base, or did not run there: a new test, or one the base's run never
 * reached (cargo stops at the first failing test target), which omk cannot say passes there.
 */
function splitRegressions(tests: GateTests): { passedOnBase: string[]; notOnBase: string[] } {
  const added = new Set(tests.added);
  return {
    passedOnBase: tests.regressions.filter((name) => !added.has(name)),
    notOnBase: tests.regressions.filter((name) => added.has(name)),
  };
}

function newDiagnostics(gate: GateEvidence): string[] {
  const diagnostics = gate.diagnostics;
  if (diagnostics === undefined || diagnostics.new === 0) return [];
  return [namedList('new diagnostics (not on the base)', diagnostics.firstNew, diagnostics.new)].filter(
    (line): line is string => line !== null,
  );
}

function namedList(title: string, names: readonly string[], count: number): string | null {
  if (names.length === 0) return null;
  const shown = names.slice(0, MAX_TEST_NAMES).map((name) => `- ${clip(oneLine(name), MAX_TEST_NAME_CHARS)}`);
  const more = Math.max(count, names.length) - shown.length;
  if (more > 0) shown.push(`- … and ${more} more`);
  return `${title}:\n${shown.join('\n')}`;
}

/** A gate log (under the goal directory) as the agent in `workdir` opens it: a relative path. */
export function logPath(artifact: string, workdir: string): string {
  return isAbsolute(artifact) && isAbsolute(workdir) ? relative(workdir, artifact) : artifact;
}

/** The end of a gate's output, where test runners put their summary; at most so many lines and chars. */
export function trimOutput(text: string): string {
  const lines = text.trimEnd().split('\n');
  const kept = lines.slice(-MAX_GATE_OUTPUT_LINES).join('\n');
  const cut = kept.length > MAX_GATE_OUTPUT_CHARS ? kept.slice(-MAX_GATE_OUTPUT_CHARS) : kept;
  return cut.length < text.trimEnd().length ? `(earlier output trimmed) …\n${cut}` : cut;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Regressions named on a failed attempt's one line; the rest are counted. */
const HEADLINE_NAMES = 3;

/**
 * A failed attempt in one line for the terminal: the failure's first line (its header's colon
 * dropped when what it introduces is not shown), with the first blocking finding when the review
 * blocked it, and for a gate that failed because the change broke tests, which ones.
 */
export function failureHeadline(failure: string, gates: readonly GateEvidence[]): string {
  const first = headlineStart(failure);
  const failed = gates.filter((gate) => gate.outcome === 'failed');
  const broken = failed.flatMap((gate) => gate.tests?.regressions ?? []);
  const notOnBase = new Set(
    failed.flatMap((gate) => (gate.tests === undefined ? [] : splitRegressions(gate.tests).notOnBase)),
  );
  const total = gates
    .filter((gate) => gate.outcome === 'failed')
    .reduce(
      (sum, gate) => sum + Math.max(gate.tests?.counts.regressions ?? 0, gate.tests?.regressions.length ?? 0),
      0,
    );
  const diagnostics = `${newDiagnosticsHeadline(failed)}${stoppedHeadline(failed)}${beyondTestsHeadline(failed)}`;
  if (broken.length === 0) return `${first.replace(/:$/, '')}${diagnostics}`;
  const shown = broken.slice(0, HEADLINE_NAMES);
  const more = total - shown.length;
  const listOf = (names: string[]) =>
    names.map((name) => clip(oneLine(name), MAX_TEST_NAME_CHARS)).join(', ');
  const passed = shown.filter((name) => !notOnBase.has(name));
  const unrun = shown.filter((name) => notOnBase.has(name));
  const parts = [
    ...(passed.length > 0 ? [`newly failing tests (they pass on the base): ${listOf(passed)}`] : []),
    ...(unrun.length > 0 ? [`failing tests the base did not run: ${listOf(unrun)}`] : []),
  ];
  return `${first.replace(/:$/, '')}; ${parts.join('; ')}${more > 0 ? ` and ${more} more` : ''}${diagnostics}`;
}

/**
 * The new diagnostics of the failed gates (a lint or format gate's), so the line says what broke
 * and where, in which member of a workspace, not only the gate's exit code; each after its gate
 * where more than one gate has some.
 */
function newDiagnosticsHeadline(failed: readonly GateEvidence[]): string {
  const diagnosed = failed.filter((gate) => (gate.diagnostics?.new ?? 0) > 0);
  const all = diagnosed.flatMap((gate) =>
    (gate.diagnostics?.firstNew ?? []).map((entry) =>
      diagnosed.length > 1 ? `${entry} (${gate.name})` : entry,
    ),
  );
  if (all.length === 0) return '';
  const shown = all.slice(0, HEADLINE_NAMES).map((entry) => clip(oneLine(entry), MAX_TEST_NAME_CHARS));
  const total = diagnosed.reduce((sum, gate) => sum + Math.max(gate.diagnostics?.new ?? 0, 0), 0);
  const more = Math.max(total, all.length) - shown.length;
  return `; new diagnostics (not on the base): ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The gates whose tests ran on the base but not on the head: the change stopped them (a pretest step). */
function stoppedHeadline(failed: readonly GateEvidence[]): string {
  const stopped = failed.filter(stoppedOnHead).map((gate) => gate.name);
  if (stopped.length === 0) return '';
  // "its" only where the line names that one gate alone.
  const whose = failed.length === 1 ? 'its tests' : `the tests of ${stopped.join(', ')}`;
  return `; the change stopped ${whose} from running (they run on the base)`;
}

/** The gates whose tests all pass but whose run fails (an unhandled error, a coverage threshold): what failed. */
function beyondTestsHeadline(failed: readonly GateEvidence[]): string {
  return failed
    .flatMap((gate) => {
      const lines = failedBeyondTests(gate);
      if (lines === null) return [];
      const whose = failed.length === 1 ? '' : ` (${gate.name})`;
      return [`; every test passes but the run fails beyond them${whose}: ${clip(lines, 300)}`];
    })
    .join('');
}

/** The failure's first line; a review's blocking findings as the first one, the others counted. */
function headlineStart(failure: string): string {
  const lines = failure.split('\n');
  const first = lines[0] ?? '';
  if (first !== FINDINGS_HEADER) return clip(first, 200);
  const findings: string[] = [];
  let uncounted = 0;
  for (const line of lines.slice(1)) {
    if (!line.startsWith('- ')) break;
    // findingsSection's last line when it left some out: "- … and <n> more".
    const left = /^- … and (\d+) more$/.exec(line);
    if (left !== null) uncounted += Number(left[1]);
    else findings.push(line.slice(2));
  }
  const [shown] = findings;
  if (shown === undefined) return first.replace(/:$/, '');
  const others = findings.length - 1 + uncounted;
  const more = others > 0 ? ` (and ${others} more)` : '';
  return `${first} ${clip(shown, 300)}${more}`;
}
