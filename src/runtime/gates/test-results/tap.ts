import { plainLines, type TestResults, testResults } from './types.js';

const POINT = /^( *)(not ok|ok)\b(?:\s+(\d+))?(?:\s*-\s*|\s+)?(.*)$/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;
const TODO = /\s+#\s*TODO\b/i;
const VERSION_OR_PLAN = /^\s*(?:TAP version \d+|1\.\.\d+)\s*$/;
const VERSION = /^\s*TAP version \d+\s*$/;
/** node --test's and node-tap's line before each test; tape prints none. */
const SUBTEST = /^\s*# Subtest:/;
/** tape's test header, `# adds`, `# SKIP name` for a test skipped by its options, `# TODO name`. */
const HEADER = /^#\s+(?:(SKIP|TODO)\s+)?(\S.*?)\s*$/;

interface Point {
  name: string;
  ok: boolean;
  skipped: boolean;
}

/** A tape test: its header and the assertions printed under it. */
interface Header {
  name: string;
  skipped: boolean;
  /** `# SKIP name` (a test skipped by its options) or `# TODO name`. */
  mark?: 'SKIP' | 'TODO';
  /** The header before it in its run: the test that printed it, if it is no header but console output. */
  previous: Header | null;
  points: Point[];
  /** The run ended in it: no plan came before the output (or the next run's version line) did. */
  crashed?: boolean;
}

/**
 * TAP 13/14, as node --test (its `tap` reporter), tape and node-tap print it. Subtests are
 * indented four spaces and come before their parent's line; a parent is not a test of its own
 * (unless it failed with no failing subtest, e.g. a failing hook), and its name prefixes its
 * subtests': `suite > test`. tape (no `# Subtest:` lines) prints each test as a `# name` header
 * and its assertions as points under it: the test is the header, failed when an assertion under it
 * failed (a `t.test` subtest is a header of its own). An error thrown in a test ends tape's
 * process there, with no plan: that last test failed. Null without a plan or version line and a
 * test point.
 *
 * A test may print a line of its own that reads as a header (`console.log('# SKIP later')`) or a
 * point: tape's own lines are told apart where tape's output shows it (tape 5.10.2). A skipped
 * test runs nothing, so a `# SKIP name` with an assertion after it, and a todo test's assertions
 * all carry `# TODO`, so a `# TODO name` with one that does not, is the test before it printing:
 * its assertions are that test's. tape numbers its assertions 1, 2, 3… in a run, so a passing point
 * out of that order is console output (a failing one still fails). A plain `# name` is the same
 * line as `t.comment('name')` and stays a header: its assertions read as a test of that name.
 */
export function parseTap(output: string): TestResults | null {
  const lines = plainLines(output);
  if (!lines.some((line) => VERSION_OR_PLAN.test(line))) return null;
  const tape = !lines.some((line) => SUBTEST.test(line));
  const pending = new Map<number, Point[]>();
  const headers: Header[] = [];
  let header: Header | null = null;
  // Headers are read in a run: after its version line, before its plan (tape prints its plan
  // last, then its totals, `# tests 3`: comments, not tests).
  let inRun = false;
  // The run ended in the test open when it did: a skipped one ran nothing, so the one that printed it.
  const crash = (open: Header | null) => {
    let test = open;
    while (test !== null && test.mark === 'SKIP') test = test.previous;
    if (test !== null) test.crashed = true;
  };
  /** The last assertion number tape printed in this run. */
  let last = 0;
  let found = false;
  let inYaml = false;
  for (const line of lines) {
    // A YAML diagnostic block (`---` … `...`) may hold any text, even lines that look like results.
    if (/^\s*---\s*$/.test(line)) inYaml = true;
    else if (/^\s*\.\.\.\s*$/.test(line)) inYaml = false;
    if (inYaml) continue;
    if (tape && VERSION_OR_PLAN.test(line)) {
      if (VERSION.test(line)) {
        crash(header);
        last = 0;
      }
      inRun = VERSION.test(line);
      header = null;
    }
    const heading = tape && inRun ? HEADER.exec(line) : null;
    if (heading !== null) {
      const mark = heading[1]?.toUpperCase();
      header = {
        name: heading[2] ?? '',
        skipped: mark !== undefined,
        ...(mark === 'SKIP' || mark === 'TODO' ? { mark } : {}),
        previous: header,
        points: [],
      };
      headers.push(header);
      continue;
    }
    const match = POINT.exec(line);
    if (match === null) continue;
    found = true;
    const depth = Math.floor((match[1] ?? '').length / 4);
    const ok = match[2] === 'ok';
    const raw = match[4] ?? '';
    if (tape && depth === 0 && match[3] !== undefined) {
      const number = Number(match[3]);
      if (number === last + 1) last = number;
      else if (ok) continue;
    }
    if (tape && depth === 0 && header?.mark !== undefined && header.previous !== null) {
      if (header.mark === 'SKIP' || !TODO.test(raw)) header = comment(header, headers);
    }
    const skipped = DIRECTIVE.test(raw);
    const name = raw.replace(DIRECTIVE, '').replace(/\\#/g, '#').trim();
    const children = pending.get(depth + 1) ?? [];
    pending.delete(depth + 1);
    const tapeTest = depth === 0 ? header : null;
    const here = tapeTest?.points ?? pending.get(depth) ?? [];
    if (tapeTest === null) pending.set(depth, here);
    if (children.length === 0) {
      here.push({ name, ok, skipped });
      continue;
    }
    for (const child of children) here.push({ ...child, name: `${name} > ${child.name}` });
    if (!ok && !skipped && children.every((child) => child.ok)) here.push({ name, ok, skipped });
  }
  crash(header);
  if (!found && !headers.some((entry) => entry.skipped || entry.crashed)) return null;
  const points = [...pending.values()].flat();
  return tally([...points, ...headers.map(headerPoint).filter((point) => point !== null)]);
}

/** A header that is its test's console output: its assertions go back to that test, which is open again. */
function comment(header: Header, headers: Header[]): Header {
  const test = header.previous ?? header;
  headers.splice(headers.indexOf(header), 1);
  test.points.push(...header.points);
  return test;
}

/** A tape test as one point: failed when the run ended in it, skipped when skipped or every assertion is; null with no assertion. */
function headerPoint(header: Header): Point | null {
  if (header.crashed) return { name: header.name, ok: false, skipped: false };
  const asserted = header.points.filter((point) => !point.skipped);
  if (header.skipped || (header.points.length > 0 && asserted.length === 0)) {
    return { name: header.name, ok: true, skipped: true };
  }
  if (asserted.length === 0) return null;
  return { name: header.name, ok: asserted.every((point) => point.ok), skipped: false };
}

function tally(points: readonly Point[]): TestResults | null {
  const passed: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const point of points) {
    if (point.skipped) skipped += 1;
    else if (point.ok) passed.push(point.name);
    else failed.push(point.name);
  }
  return testResults('tap', passed, failed, skipped);
}
