import { plainLines, type TestResults, testResults } from './types.js';

const RESULT = /^test (.+?) \.\.\. (ok|FAILED|ignored)\b/;
/** cargo's header of a test binary's run: `Running unittests src/lib.rs (target/debug/deps/add_one-1a2b)`. */
const RUNNING = /^\s*Running .*\(.*?([^/\\\s]+?)-([0-9a-f]{8,})(?:\.exe)?\)$/;
/** Any header of a run, one whose binary's name the line does not give too. */
const HEADER = /^\s*Running /;
/** cargo's header of a crate's doc tests; rustdoc names them by their file, so none collide. */
const DOC_TESTS = /^\s*Doc-tests \S+$/;
/** libtest's first line in each run of a test binary, rustdoc's too. */
const RUN_START = /^running \d+ tests?$/;
/** rustdoc's name for a doc test: `src/lib.rs - path::item (line 12)`, maybe `- compile fail` after. */
const DOC_TEST = /^(.+ - .*?) ?\(line (\d+)\)(.*)$/;

type Outcome = 'ok' | 'FAILED' | 'ignored';

/**
 * libtest's plain output, as `cargo test` prints it: `test path::name ... ok|FAILED|ignored`, for
 * unit, integration and doc tests alike. Null when no such line is found. A doc test is named by
 * its place among its item's examples (`src/lib.rs - add (example 1)`), not by the line rustdoc
 * names: a fix that adds a line above would otherwise rename every doc test below it, and an old
 * failing one would read as a new failure on the head.
 *
 * A workspace runs one test binary per member target, and two of them may hold a test of the same
 * name (`tests::it_works` in add_one and add_two, `from_outside` in each member's tests/api.rs):
 * such a name is qualified by its target's crate, `add_one::tests::it_works`, or where the crates'
 * names are the same too, by the binary cargo ran, `api-ab8371649b62d211::from_outside` (its hash
 * is the same in every worktree). Merged, add_two's failure would hide add_one's fix, or a member's
 * old failure another member's regression. Where the runs and cargo's headers do not pair up, no
 * name is qualified.
 */
export function parseCargoTest(output: string): TestResults | null {
  const results: { name: string; outcome: Outcome; run: number }[] = [];
  // cargo's headers go to stderr, the test binaries' lines to stdout, and omk's log keeps each
  // stream's order but not their order between them: the n-th header is the n-th run's.
  const headers: (Target | null)[] = [];
  let runs = 0;
  for (const raw of plainLines(output)) {
    const line = raw.trimEnd();
    const running = RUNNING.exec(line);
    if (running !== null) headers.push({ crate: running[1] ?? '', hash: running[2] ?? '' });
    else if (DOC_TESTS.test(line) || HEADER.test(line)) headers.push(null);
    if (RUN_START.test(line)) runs += 1;
    const match = RESULT.exec(line);
    if (match === null) continue;
    results.push({ name: match[1] ?? '', outcome: (match[2] ?? 'ok') as Outcome, run: runs - 1 });
  }
  if (results.length === 0) return null;
  // A binary that printed no `running N tests` (`harness = false`) leaves the pairing unknown.
  const paired = headers.length === runs;
  const targets = results.map(({ name, run }) => ({ name, target: paired ? (headers[run] ?? null) : null }));
  const renamed = docTestNames(results.map((result) => result.name));
  const qualified = targetNames(targets);
  const passed: string[] = [];
  const failed: string[] = [];
  const ignored: string[] = [];
  for (const [index, { name, outcome }] of results.entries()) {
    const named = qualified[index] ?? renamed.get(name) ?? name;
    if (outcome === 'ok') passed.push(named);
    else if (outcome === 'FAILED') failed.push(named);
    else ignored.push(named);
  }
  return testResults('cargo-test', passed, failed, ignored.length, ignored);
}

/** Each doc test's name with its line replaced by its rank among the same item's examples. */
function docTestNames(names: readonly string[]): Map<string, string> {
  const byItem = new Map<string, { name: string; line: number; rest: string }[]>();
  for (const name of new Set(names)) {
    const match = DOC_TEST.exec(name);
    if (match === null) continue;
    const item = match[1] ?? '';
    const entries = byItem.get(item) ?? [];
    entries.push({ name, line: Number(match[2]), rest: match[3] ?? '' });
    byItem.set(item, entries);
  }
  const renamed = new Map<string, string>();
  for (const [item, entries] of byItem) {
    entries.sort((a, b) => a.line - b.line);
    entries.forEach((entry, index) => {
      renamed.set(entry.name, `${item}${item.endsWith(' ') ? '' : ' '}(example ${index + 1})${entry.rest}`);
    });
  }
  return renamed;
}

/** The test binary cargo ran: `add_one-be1d67a8d71ddaae` is crate add_one, hash be1d67a8d71ddaae. */
interface Target {
  crate: string;
  hash: string;
}

/** Per result, its name qualified by its target when another target reports the same name; else undefined. */
function targetNames(results: readonly { name: string; target: Target | null }[]): (string | undefined)[] {
  const targetsOf = new Map<string, Map<string, Target>>();
  for (const { name, target } of results) {
    if (target === null) continue;
    const targets = targetsOf.get(name) ?? new Map<string, Target>();
    targets.set(`${target.crate}-${target.hash}`, target);
    targetsOf.set(name, targets);
  }
  return results.map(({ name, target }) => {
    const targets = [...(targetsOf.get(name)?.values() ?? [])];
    if (target === null || targets.length < 2) return undefined;
    const sameCrate = targets.filter((other) => other.crate === target.crate).length > 1;
    return `${sameCrate ? `${target.crate}-${target.hash}` : target.crate}::${name}`;
  });
}
