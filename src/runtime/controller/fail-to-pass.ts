import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TestResults } from '../gates/test-results/types.js';
import { FAIL_TO_PASS_NOT_SHOWN, FAIL_TO_PASS_SHOWN } from '../proof/gaps.js';
import { passedOrTolerated } from '../proof/pre-existing.js';
import type { Finding, GateEvidence } from '../proof/schema.js';
import { failedOnBase, readPerTest, unreadOnBase, unreadOnBaseWords } from '../proof/unread-on-base.js';
import { isTestPath } from '../review/files.js';
import { testDataRead } from '../review/test-data.js';
import { isTestSetupPath, testSetupRead } from '../review/test-setup.js';
import { testsEditedByChange } from '../review/tests-weakened.js';
import { byCount } from '../text/agree.js';
import { baseGateEnv } from './base-run.js';
import type { RunContext } from './context.js';
import { editedTest } from './edited-test.js';

type Decision = { kind: string; decision: string; reason: string };

/** The evidence, and a blocking finding when omk's base worktree held what omk did not put there. */
export interface FailToPassEvidence {
  decision: Decision;
  durationMs: number;
  findings?: Finding[];
}

/** The integrated head: where its files are, which it changed from the base, and how. */
export interface HeadTree {
  cwd: string;
  changedFiles: readonly { path: string }[];
  /** The head's diff from the base: which tests' own lines the change edited. */
  diff: string;
}

const short = (sha: string) => sha.slice(0, 12);
const NAMES_SHOWN = 5;

function named(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/**
 * A fix is shown by a test that fails on the base and passes on the head. In order:
 * 1. per-test results: a test that failed on the base and passes on the head (`tests.failToPass`),
 *    unless the change edited that test's own lines: it may pass by its new expectation, so it
 *    counts only through 2.;
 * 2. the head's new or changed tests run against the base's source: omk puts the head's changed
 *    test files into the base worktree, runs the test gates there and puts the base back; a test
 *    that fails there and passes on the head shows the fix (a regression test written with it);
 * 3. the test gates' exit codes on the base and the head, only for a gate neither run of which
 *    reported per-test results (a custom command with no readable output): where the base named
 *    its failing tests, the head must show those tests passing (1.), and a head that ran none of
 *    them or reported nothing shows nothing; where the head's run reported its tests and the
 *    base's did not, the base's run ended before reporting (a crash, a timeout, a vanished temp
 *    dir) and its failure shows nothing about the fix. So in 2.: a gate run there that fails with
 *    no per-test results counts only when its head run reported none either. Nor does a gate that
 *    passed in 2. count by exit codes (the base failed it only by the test files the change edited).
 * Whichever way it goes, the decision says what was seen.
 */
export async function failToPassEvidence(
  ctx: RunContext,
  headGates: readonly GateEvidence[],
  head: HeadTree,
): Promise<FailToPassEvidence> {
  const tests = ctx.gates.filter((gate) => gate.kind === 'test');
  const headTests = headGates.filter((gate) => gate.kind === 'test');
  const where = `base ${short(ctx.base.baseSha)}, head ${short(headTests[0]?.sha ?? '')}`;
  if (tests.length === 0) {
    return {
      durationMs: 0,
      decision: {
        kind: 'oracle',
        decision: FAIL_TO_PASS_NOT_SHOWN,
        reason: 'no test gate to run on the base',
      },
    };
  }
  // A gate whose only failing tests fail on the base too counts: its other tests pass.
  const passedOnHead = headTests.length > 0 && headTests.every(passedOrTolerated);
  const edited = testsEditedByChange(
    head.diff,
    head.changedFiles.map((file) => file.path),
    await headTestFiles(head),
  );
  const flipped = headTests.flatMap((gate) => gate.tests?.failToPass ?? []);
  const perTest = flipped.filter((name) => !editedTest(name, edited));
  const rewritten = flipped.filter((name) => editedTest(name, edited));
  if (perTest.length > 0 && passedOnHead) {
    return {
      durationMs: 0,
      decision: {
        kind: 'oracle',
        decision: FAIL_TO_PASS_SHOWN,
        reason: `${named(perTest)} failed on the base and ${byCount(perTest.length, 'passes', 'pass')} on the head (${where})`,
      },
    };
  }

  // A conftest.py goes with them: the head's tests use its fixtures (test-setup.ts).
  const changedTests = head.changedFiles
    .map((file) => file.path)
    .filter((path) => isTestPath(path) || isTestSetupPath(path));
  if (passedOnHead && changedTests.length > 0) {
    // A test failing on the head too (a pre-existing failure the gate tolerates) shows nothing.
    const failingOnHead = new Set(headTests.flatMap((gate) => gate.tests?.failing ?? []));
    // A gate whose head run reported no tests shows none of its tests passing there.
    const onBaseSource = await headTestsOnBaseSource(ctx, head, changedTests, {
      failing: failingOnHead,
      read: readPerTest(headTests),
    });
    if (onBaseSource.foreign.length > 0) return foreignInBase(onBaseSource.foreign, where);
    if (onBaseSource.shown.length > 0) {
      return {
        durationMs: onBaseSource.durationMs,
        decision: {
          kind: 'oracle',
          decision: FAIL_TO_PASS_SHOWN,
          reason: `the head's tests fail against the base's source and pass on the head: ${named(onBaseSource.shown)} (${where})`,
        },
      };
    }
    if (rewritten.length > 0)
      return testsRewritten(rewritten, where, onBaseSource.durationMs, true, changedTests);
    const exitOnly = await exitCodeEvidence(ctx, headTests, passedOnHead, where, onBaseSource.passed);
    return {
      ...withUnreadOnBaseSource(exitOnly, onBaseSource.unread),
      durationMs: exitOnly.durationMs + onBaseSource.durationMs,
    };
  }
  if (rewritten.length > 0 && passedOnHead) return testsRewritten(rewritten, where, 0, false, changedTests);
  return exitCodeEvidence(ctx, headTests, passedOnHead, where);
}

/**
 * The head's text of its changed test files (and Rust files, which may hold inline tests): which
 * test a changed line is in is read from the whole file, not the hunk's few lines of context.
 */
async function headTestFiles(head: HeadTree): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const { path } of head.changedFiles) {
    if (!isTestPath(path) && !path.endsWith('.rs')) continue;
    // Only a regular file: a link or a fifo the agent left there is read by no one.
    const stat = await lstat(join(head.cwd, path)).catch(() => null);
    if (stat === null || !stat.isFile()) continue;
    const text = await readFile(join(head.cwd, path), 'utf8').catch(() => null);
    if (text !== null) files.set(path, text);
  }
  return files;
}

/** A decision that shows nothing also says which gates ran against the base's source and reported no test. */
function withUnreadOnBaseSource(
  evidence: FailToPassEvidence,
  unread: readonly GateEvidence[],
): FailToPassEvidence {
  if (unread.length === 0 || evidence.decision.decision !== FAIL_TO_PASS_NOT_SHOWN) return evidence;
  const words = unread.map((gate) => unreadOnBaseWords(gate, "with the head's tests on the base's source"));
  return {
    ...evidence,
    decision: { ...evidence.decision, reason: `${words.join('; ')}; ${evidence.decision.reason}` },
  };
}

/** Only tests the change itself edited went from failing to passing: that shows no fix. */
function testsRewritten(
  rewritten: readonly string[],
  where: string,
  durationMs: number,
  ranOnBaseSource: boolean,
  /** The changed test files: a golden file, snapshot or conftest.py among them is named as what was edited. */
  changedTests: readonly string[],
): FailToPassEvidence {
  const data = [...new Set(rewritten.flatMap((name) => testDataRead(name, changedTests)))];
  const setup = [...new Set(rewritten.flatMap((name) => testSetupRead(name, changedTests)))];
  const listed = (paths: readonly string[]) =>
    `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}`;
  const they = (one: string, many: string) => (rewritten.length === 1 ? one : many);
  const what = [
    ...(data.length === 0 ? [] : [`the test data ${they('it reads', 'they read')}: ${listed(data)}`]),
    ...(setup.length === 0 ? [] : [`the test set-up ${they('it uses', 'they use')}: ${listed(setup)}`]),
  ];
  const read = what.length === 0 ? '' : ` (${what.join('; ')})`;
  const checked = ranOnBaseSource
    ? "; the head's tests, run against the base's source, pass there too or were not read"
    : " (the edited tests are not in separate test files, so they cannot be run against the base's source apart from the fix)";
  return {
    durationMs,
    decision: {
      kind: 'oracle',
      decision: FAIL_TO_PASS_NOT_SHOWN,
      reason:
        `${named(rewritten)} failed on the base and ${byCount(rewritten.length, 'passes', 'pass')} on the head, but the change edited ${rewritten.length === 1 ? 'that test' : 'those tests'} ` +
        `itself${read}, so ${rewritten.length === 1 ? 'it' : 'they'} may pass by a new expectation rather than a fix${checked} (${where})`,
    },
  };
}

/**
 * The head's changed test files in the base worktree, the test gates run there, the base put back
 * as it was (files restored, new ones removed) whatever happens.
 */
async function headTestsOnBaseSource(
  ctx: RunContext,
  head: HeadTree,
  changedTests: readonly string[],
  onHead: { failing: ReadonlySet<string>; read: ReadonlySet<string> },
): Promise<{
  shown: string[];
  passed: string[];
  durationMs: number;
  foreign: string[];
  unread: GateEvidence[];
}> {
  // The head's tests are the agent's code: never run with the checkout's own node_modules.
  const base = await ctx.base.pathForAgentCode();
  const foreign = await ctx.base.foreign();
  if (foreign.length > 0) return { shown: [], passed: [], durationMs: 0, foreign, unread: [] };
  const saved = new Map<string, Buffer | null>();
  try {
    for (const path of changedTests) {
      const headFile = await readFile(join(head.cwd, path)).catch(() => null);
      if (headFile === null) continue; // deleted on the head: nothing to run
      saved.set(path, await readFile(join(base, path)).catch(() => null));
      await mkdir(dirname(join(base, path)), { recursive: true });
      await writeFile(join(base, path), headFile);
    }
    if (saved.size === 0) return { shown: [], passed: [], durationMs: 0, foreign, unread: [] };
    const gates = ctx.gates
      .filter((gate) => gate.kind === 'test')
      .map((gate) => ({ ...gate, required: false }));
    const runs = await ctx.deps.verify(gates, {
      cwd: base,
      sha: ctx.base.baseSha,
      baseCwd: null,
      baseSha: null,
      artifactsDir: join(ctx.deps.store.paths(ctx.goal.id).gateArtifacts, 'head-tests-on-base'),
      // The base's own: the head's PYTHONPATH would have its tests import the head's source.
      env: await baseGateEnv(ctx),
      signal: ctx.signal,
    });
    const durationMs = runs.reduce((sum, gate) => sum + gate.durationMs, 0);
    const shown = runs.flatMap((gate) => {
      // Named failures there count only as tests the head's run reported and did not fail.
      if (gate.tests !== undefined) {
        if (!onHead.read.has(gate.name)) return [];
        return gate.tests.failing.filter((name) => !onHead.failing.has(name));
      }
      // No per-test results there: a test gate that fails (and passed on the head) shows it only
      // when its head run reported none either; else the run there ended before reporting.
      if (onHead.read.has(gate.name)) return [];
      return gate.outcome === 'failed' || gate.outcome === 'pre_existing' ? [`gate ${gate.name}`] : [];
    });
    const unread = unreadOnBase(runs, onHead.read);
    // A gate passing there failed on the base only by the test files the change edited.
    const passed = runs.filter((gate) => gate.outcome === 'passed').map((gate) => gate.name);
    return { shown: [...new Set(shown)], passed, durationMs, foreign, unread };
  } finally {
    for (const [path, original] of saved) {
      if (original === null) await rm(join(base, path), { force: true });
      else await writeFile(join(base, path), original);
    }
    // What the run left (a cache of the head's tests) is omk's run's.
    await ctx.base.settled();
  }
}

/**
 * The test gates' outcomes on the base (reusing the goal's base run) against the head's. A gate
 * whose base run named its failing tests counts only when the head shows those same tests passing
 * (the per-test branch above): a head that ran none of them, skipped them or reported nothing
 * passes by its exit code alone, which shows nothing (pytest `--co` "passes" after collecting).
 * Only a gate neither the base's nor the head's run reported per-test results for is judged by exit
 * codes, as the words say: a base run with none where the head's has them ended before reporting.
 */
async function exitCodeEvidence(
  ctx: RunContext,
  headTests: readonly GateEvidence[],
  passedOnHead: boolean,
  where: string,
  passedWithHeadTests: readonly string[] = [],
): Promise<FailToPassEvidence> {
  const tests = ctx.gates.filter((gate) => gate.kind === 'test');
  // The run's check of the gates on the base already ran them there: reuse it.
  const known = ctx.baseline?.sha === ctx.base.baseSha ? ctx.baseline : null;
  const basePath = known === null ? await ctx.base.path() : null;
  const foreign = basePath === null ? [] : await ctx.base.foreign();
  if (foreign.length > 0) return foreignInBase(foreign, where);
  const baseResults: Record<string, TestResults> = { ...(known?.tests ?? {}) };
  const base =
    known?.gates.filter((gate) => gate.kind === 'test') ??
    (await ctx.deps.verify(
      tests.map((gate) => ({ ...gate, required: false })),
      {
        cwd: basePath ?? (await ctx.base.path()),
        sha: ctx.base.baseSha,
        baseCwd: null,
        baseSha: null,
        artifactsDir: ctx.deps.store.paths(ctx.goal.id).gateArtifacts,
        env: await baseGateEnv(ctx),
        signal: ctx.signal,
        onTestResults: (gate, results) => {
          if (results !== null) baseResults[gate] = results;
        },
      },
    ));
  if (known === null) await ctx.base.settled();
  // A test that cannot start on the base shows nothing about the fix.
  const failedThere = base.filter(failedOnBase);
  // Reused results were spent (and counted) when the base run made them.
  const durationMs = known === null ? base.reduce((sum, gate) => sum + gate.durationMs, 0) : 0;
  const notShown = (reason: string): FailToPassEvidence => ({
    durationMs,
    decision: { kind: 'oracle', decision: FAIL_TO_PASS_NOT_SHOWN, reason },
  });
  if (!passedOnHead) return notShown(`the tests do not pass on the head (${where})`);
  if (failedThere.length === 0) {
    return notShown(
      `the tests already pass on the base (${where}) and no test the change added or changed fails against the base's source`,
    );
  }
  // Per-test results on the base name what the head must show passing; no exit code replaces that.
  // Nor do they where the head's run was read per test and the base's was not: the runner is one
  // omk reads, so the base's run ended before reporting, for a reason that is not the bug.
  const unread = new Set(unreadOnBase(base, readPerTest(headTests)).map((gate) => gate.name));
  const unreported = failedThere.filter(
    (gate) => baseResults[gate.name] === undefined && !unread.has(gate.name),
  );
  const byExitCode = unreported.filter((gate) => !passedWithHeadTests.includes(gate.name));
  if (byExitCode.length === 0 && unreported.length > 0) {
    return notShown(
      `${unreported.map((g) => g.name).join(', ')} fails on the base and passes on the head, but with the head's test files the base's source passes it: ` +
        `the base failed only by tests the change edited, which may pass by a new expectation rather than a fix (judged by exit codes: no per-test results could be read from its run on the base) (${where})`,
    );
  }
  if (byExitCode.length > 0) {
    return {
      durationMs,
      decision: {
        kind: 'oracle',
        decision: FAIL_TO_PASS_SHOWN,
        reason:
          `${byExitCode.map((g) => g.name).join(', ')} fails on the base and passes on the head, judged by ` +
          `exit codes: no per-test results could be read from its run on the base (${where})`,
      },
    };
  }
  const why = failedThere.map((gate) =>
    unread.has(gate.name)
      ? unreadOnBaseWords(gate)
      : notSeenPassing(gate.name, baseResults[gate.name], headTests),
  );
  return notShown(`${why.join('; ')} (${where})`);
}

/** Why the tests that failed on the base in `gate` were not seen passing on the head. */
export function notSeenPassing(
  gate: string,
  base: TestResults | undefined,
  headTests: readonly GateEvidence[],
): string {
  const failed = base?.failed ?? [];
  if (failed.length === 0) {
    return `gate ${gate} fails on the base and its results there name no failing test, so no test is shown to pass on the head`;
  }
  const head = headTests.find((evidence) => evidence.name === gate)?.tests;
  const still = new Set(head?.stillFailing ?? []);
  // Gone from the head: deleted, or renamed by an edit of its own (pytest names a parametrized
  // case by its values, so a weakened expectation makes it another test). Named first: the base's
  // other failures still failing may be only its own unrelated debt.
  const removed = new Set(head?.removed ?? []);
  const gone = failed.filter((name) => removed.has(name));
  if (head !== undefined && head.baseSha !== null && gone.length > 0) {
    const stillFailing = failed.filter((name) => still.has(name));
    const other = failed.filter((name) => !removed.has(name) && !still.has(name));
    return (
      `no test that failed on the base passes on the head in gate ${gate}: ${named(gone)} failed there and ` +
      `${gone.length === 1 ? 'is' : 'are'} not on the head (the change removed or renamed ${gone.length === 1 ? 'it' : 'them'})` +
      (stillFailing.length > 0
        ? `; ${named(stillFailing)} still ${stillFailing.length === 1 ? 'fails' : 'fail'} there`
        : '') +
      (other.length > 0
        ? `; ${named(other)} did not run or ${other.length === 1 ? 'was' : 'were'} skipped there`
        : '')
    );
  }
  const why =
    head === undefined
      ? "the head's run reported no per-test results (its exit code alone shows nothing)"
      : head.baseSha === null
        ? `the head's results (${head.source}) cannot be compared with the base's (${base?.source})`
        : failed.every((name) => still.has(name))
          ? byCount(failed.length, 'it still fails on the head', 'they still fail on the head')
          : byCount(
              failed.length,
              'on the head it did not run, was skipped or still fails',
              'on the head they did not run, were skipped or still fail',
            );
  return `no test that failed on the base passes on the head in gate ${gate}: ${named(failed)} failed there, and ${why}`;
}

/**
 * The evidence refused: omk's base worktree holds files omk did not put there (BaseCheckout.foreign).
 * The head's tests it copies in are put back, so a changed source file or an added `.npmrc` there
 * was written by an unconfined agent, its tests or a process it left; run there, the head's tests
 * would fail for that reason and pass for a fix that fixed nothing.
 */
function foreignInBase(foreign: readonly string[], where: string): FailToPassEvidence {
  const files = named(foreign.map((path) => JSON.stringify(path)));
  return {
    durationMs: 0,
    decision: {
      kind: 'oracle',
      decision: FAIL_TO_PASS_NOT_SHOWN,
      reason: `omk's worktree of the base holds files omk did not put there (${files}), so nothing run there shows the fix (${where})`,
    },
    findings: [
      {
        review: 'controller',
        severity: 'blocking',
        message:
          `omk's worktree of the goal's base was changed outside omk's steps: ${files}. An agent, ` +
          'its tests or a process it left wrote there (outside its own worktree), where the fix is ' +
          "checked against the base's source; no result from there counts. Remove the base worktree " +
          '(it is made again) and run the goal again.',
        paths: [...foreign].sort(),
      },
    ],
  };
}
