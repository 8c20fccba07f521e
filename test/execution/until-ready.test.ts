import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  eventsOfType,
  expectContiguous,
  GOALS,
  NODE_FIXTURE,
  SLICES,
} from '../helpers/execution.js';
import { git } from '../helpers/git-repo.js';

let env: ExecutionEnv;

/** A fresh repository, state directory and agent kit for each test of the describe it is called in. */
function freshEnvPerTest(): void {
  beforeEach(async () => {
    // The fixture's committed failing test is what the right attempts fix: a fix goal needs one.
    env = await createExecutionEnv(BUGGY_FIXTURE);
  });
  afterEach(async () => {
    await env.cleanup();
  });
}

/** Logs the prompt it got and what src/parser.js held when it started. */
const observe = `
const prompt = readFileSync(0, 'utf8');
log('prompt', { prompt, parser: read('src/parser.js'), cwd: process.cwd() });
`;
/** Breaks the fixture's passing test (its failing one still fails). */
const breakParser = `write('src/parser.js', "export const parse = (text) => text + '!';\\n");`;
/** Fixes the failing test, keeps the other passing, with a visible change. */
const fixParser = `write('src/parser.js', '// fixed\\nexport const parse = (text) => text.trim();\\n');`;

/** First attempt leaves a failing test; every later one fixes it. */
const wrongThenRight = `${observe}\nif (attempt === 1) { ${breakParser} } else { ${fixParser} }`;
const alwaysWrong = `${observe}\n${breakParser}`;

async function prompts(): Promise<{ attempt: number; prompt: string; parser: string; cwd: string }[]> {
  return (await env.kit.calls())
    .filter((call) => call.event === 'prompt')
    .map((call) => ({
      attempt: call.attempt,
      prompt: String(call.prompt),
      parser: String(call.parser),
      cwd: String(call.cwd),
    }));
}

/**
 * `omk goal run <goal> --agent <agent> [flags] --json`. The kit's agents answer a planning prompt
 * with nothing, so the heuristic plans either way: asking the agent first (twice, with a retry)
 * only cost two agent starts a run.
 */
function runGoal(goal: string, agent: string, ...flags: string[]): ReturnType<ExecutionEnv['omk']> {
  return env.omk('goal', 'run', goal, '--agent', agent, '--no-llm-planner', ...flags, '--json');
}

function starts(): Promise<number> {
  return env.kit.runs().then((runs) => runs.length);
}

describe('--until-ready with a wrong-then-right agent', () => {
  freshEnvPerTest();

  it('reaches ready; the retry starts from the base and the slice branch has one commit', async () => {
    const agent = await env.kit.script('wrong-then-right', wrongThenRight);
    const result = await runGoal(GOALS.single, agent, '--until-ready');
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.proof(id)).status).toBe('ready');
    expect(await starts()).toBe(2);
    expect(result.stderr).toContain(`[${SLICES.bug}] attempt 1 failed; retrying`);

    const base = (await env.goal(id)).repo.baseSha ?? '';
    const branch = `omk/${id}/${SLICES.bug}`;
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..${branch}`)).toBe('1');
    expect(git(env.repo.root, 'show', `${branch}:src/parser.js`)).toContain('// fixed');

    const [first, second] = await prompts();
    expect(first?.prompt).not.toContain('reset to the base');
    // The second attempt saw the base's file, not the first attempt's change.
    expect(second?.parser).toBe('export const parse = (text) => text;\n');
    // The failing gate is named, with its output.
    expect(second?.prompt).toContain('## Previous attempt failed (this is attempt 2)');
    expect(second?.prompt).toMatch(/gate test failed \(exit \d+\):/);
    expect(second?.prompt).toContain('parse keeps text');
    // Each failing test is named by what it asks of the retry: the one it broke, the target still failing.
    expect(second?.prompt).toContain('newly failing tests (they pass on the base):\n- parse keeps text\n');
    expect(second?.prompt).toContain(
      'tests still failing (they fail on the base too):\n- parse trims the text\n',
    );
    // The gate's log, named relative to the worktree the agent works in: it opens it from there,
    // and the prompt names no directory of this machine.
    const log = /\(full output: ([^)]*artifacts\/gates\/[^)]*)\)/.exec(second?.prompt ?? '')?.[1] ?? '';
    expect(log).toMatch(/^\.\.\//);
    expect(existsSync(resolve(second?.cwd ?? '', log))).toBe(true);
    expect(second?.prompt).not.toContain(env.stateDir);
    expect(second?.prompt).toContain('## Starting again from the base');
    expect(second?.prompt).toMatch(
      /Your previous attempt's diff is at `[^`]*artifacts\/attempts\/s1-fix-the-bug-in-src-parser-js\/attempt-1\.diff`; the worktree was reset to the base/,
    );

    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'slice_reset').map((e) => e.data)).toEqual([
      {
        taskId: SLICES.bug,
        attempt: 2,
        from: expect.any(String),
        to: base,
        diff: `artifacts/attempts/${SLICES.bug}/attempt-1.diff`,
      },
    ]);
  });
});

describe('an agent that is right only when its prompt names the failing test', () => {
  freshEnvPerTest();

  it('with --until-ready: its retry is told which test still fails, and the goal is ready', async () => {
    // Fixes the parser only when told by name that the target test still fails; else touches it.
    const agent = await env.kit.script(
      'needs-the-test-name',
      `${observe}
if (prompt.includes('tests still failing (they fail on the base too):\\n- parse trims the text')) { ${fixParser} }
else write('src/parser.js', '// looked\\nexport const parse = (text) => text;\\n');`,
    );
    const result = await runGoal(GOALS.single, agent, '--until-ready');
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.proof(id)).status).toBe('ready');
    expect(await starts()).toBe(2);
    const [first, second] = await prompts();
    expect(first?.prompt).not.toContain('parse trims the text');
    expect(second?.prompt).toContain('## Previous attempt failed (this is attempt 2)');
    expect(second?.prompt).toContain('the integrated tree is not ready:');
    // Its first attempt only left the target test failing (as on the base): the slice passed its
    // own checks, the integrated tree was not ready, and the slice was retried in the same run.
    expect(result.stderr).toContain(`[${SLICES.bug}] the integrated tree is not ready (test:pre_existing)`);
    // Why it is not ready, as the proof says it (not only the gate: a pre-existing lint debt would
    // be listed there too), on the terminal and in the retry's prompt.
    expect(result.stderr).toContain('retrying the slice: Fail-to-pass not shown');
    expect(second?.prompt).toContain('Fail-to-pass not shown: no test fails without the fix');
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({
        taskId: SLICES.bug,
        why: 'integration_blocks',
        attempts: 1,
        attemptsUpTo: 3,
      }),
    ]);
    const base = (await env.goal(id)).repo.baseSha ?? '';
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..omk/${id}/${SLICES.bug}`)).toBe('1');
  });
});

describe('a retry after a blocking review finding', () => {
  freshEnvPerTest();

  it('gets every blocking finding with its paths in the prompt', async () => {
    const stray = `${observe}\nif (attempt === 1) append('README.md', 'stray edit\\n');\n${fixParser}`;
    const agent = await env.kit.script('stray-then-right', stray);
    const result = await runGoal(GOALS.single, agent, '--until-ready');
    expect(result.code, result.stderr).toBe(0);
    const [, second] = await prompts();
    expect(second?.prompt).toContain('review found blocking problems:');
    expect(second?.prompt).toMatch(
      /- \[controller review\] [^\n]*outside the write set[^\n]*\(paths: README\.md\)/,
    );
  });
});

describe('a slice wrong on every attempt of its first round, with --until-ready', () => {
  // One run serves both tests: the agent is wrong on its first three runs (the whole round, as an
  // always-wrong agent would be), so the run fails as it must; the second test resumes that goal.
  let run: { code: number; stdout: string; stderr: string };
  let agent: string;
  let id: string;
  beforeAll(async () => {
    env = await createExecutionEnv(BUGGY_FIXTURE);
    agent = await env.kit.script(
      'wrong-thrice',
      `${observe}\nif (runsSoFar(task) <= 3) { ${breakParser} } else { ${fixParser} }`,
    );
    run = await runGoal(GOALS.single, agent, '--until-ready');
    id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('exactly maxRetries+1 attempts, "retrying" before each retry, then failed', async () => {
    expect(run.code, run.stderr).toBe(10);
    const task = (await env.graph(id)).tasks[0];
    expect(task?.maxRetries).toBe(2);
    expect(await starts()).toBe(3);
    expect(run.stderr.match(/failed; retrying/g)).toHaveLength(2);
    expect(run.stderr).not.toContain('stays pending');
    expect(task).toMatchObject({ status: 'failed', attempts: 3 });
    expect((await env.goal(id)).status).toBe('failed');
    const proof = await env.proof(id);
    expect(proof.status).toBe('failed');
    expect(proof.failures.length, JSON.stringify(proof.failures)).toBeGreaterThan(0);
    expect(proof.knownGaps).toContainEqual(expect.objectContaining({ code: 'slice_incomplete' }));
    const base = (await env.goal(id)).repo.baseSha ?? '';
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..omk/${id}/${SLICES.bug}`)).toBe('1');
  });

  it('is resumed: its failed slice gets a new round', async () => {
    const resumed = await env.omk('goal', 'resume', id, '--agent', agent);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await starts()).toBe(4);
    expect((await env.proof(id)).status).toBe('ready');
    const events = await env.events(id);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({ taskId: SLICES.bug, why: 'failed', attempts: 3, attemptsUpTo: 6 }),
    ]);
  });
});

describe('an always-wrong agent', () => {
  freshEnvPerTest();

  it('without --until-ready: one attempt, no "retrying"; the slice stays pending and the next step is named', async () => {
    const agent = await env.kit.script('always-wrong', alwaysWrong);
    const result = await runGoal(GOALS.single, agent);
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
    expect(await starts()).toBe(1);
    expect(result.stderr).not.toContain('retrying');
    expect(result.stderr).toContain(
      `[${SLICES.bug}] attempt 1 failed; the slice stays pending with 2 attempt(s) left`,
    );
    expect(result.stderr).toContain(`Run again with 'omk goal resume ${id}'`);
    expect((await env.proof(id)).status).toBe('not_ready');
  });
});

describe('a failed goal executed again', () => {
  freshEnvPerTest();

  it('is refused without --until-ready; with it, the failed slice is reopened for a new round', async () => {
    const id = await env.plan(GOALS.single);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, maxRetries: 0 })),
    }));
    // Wrong on its first run, right from then on.
    const agent = await env.kit.script(
      'wrong-once',
      `${observe}\nif (runsSoFar(task) === 1) { ${breakParser} } else { ${fixParser} }`,
    );
    const first = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(first.code, first.stderr).toBe(0);
    expect((await env.goal(id)).status).toBe('failed');

    const refused = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`Cannot execute goal ${id}: it is failed.`);
    expect(await starts()).toBe(1);

    const again = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(again.code, again.stderr).toBe(0);
    expect(await starts()).toBe(2);
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    expect(proof.failures).toEqual([]);
    expect(proof.slices).toEqual([expect.objectContaining({ id: SLICES.bug, status: 'done', attempts: 2 })]);
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      {
        taskId: SLICES.bug,
        why: 'failed',
        detail: expect.stringMatching(/^gate test failed/),
        attempts: 1,
        attemptsUpTo: 2,
      },
    ]);
    const base = (await env.goal(id)).repo.baseSha ?? '';
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..omk/${id}/${SLICES.bug}`)).toBe('1');
  });
});

describe('a not_ready goal whose slices are done', () => {
  // Its own project, not BUGGY_FIXTURE: only this one is made for the test.
  beforeEach(async () => {
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      // Fails on the base: the slice's gate calls it pre-existing, and the proof is not ready.
      'test/fixed.test.js': [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { parse } from '../src/parser.js';",
        "test('parse is fixed', () => assert.equal(parse.fixed, true));",
        '',
      ].join('\n'),
    });
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('reruns only the gates without --until-ready, and the agent again with it', async () => {
    const fix = `write('src/parser.js', 'export const parse = Object.assign((text) => text, { fixed: true });\\n');`;
    const touch = `write('src/parser.js', '// touched\\nexport const parse = (text) => text;\\n');`;
    const agent = await env.kit.script(
      'fix-on-second-run',
      `${observe}\nif (runsSoFar(task) === 1) { ${touch} } else { ${fix} }`,
    );
    const run = await runGoal(GOALS.single, agent);
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.proof(id)).status).toBe('not_ready');
    expect((await env.graph(id)).tasks.map((task) => task.status)).toEqual(['done']);

    const plain = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(plain.code, plain.stderr).toBe(0);
    expect(await starts()).toBe(1);
    expect((await env.proof(id)).status).toBe('not_ready');

    const untilReady = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(untilReady.code, untilReady.stderr).toBe(0);
    expect(await starts()).toBe(2);
    expect((await env.proof(id)).status).toBe('ready');
    const events = await env.events(id);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({ taskId: SLICES.bug, why: 'integration_blocks', detail: 'test:pre_existing' }),
    ]);
    const base = (await env.goal(id)).repo.baseSha ?? '';
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..omk/${id}/${SLICES.bug}`)).toBe('1');
    expect(git(env.repo.root, 'show', `omk/${id}/integration:src/parser.js`)).toContain('fixed: true');
    const [, second] = await prompts();
    expect(second?.prompt).toContain('## Starting again from the base');
    // Three runs, each making its worktrees again (a settled goal keeps none): 60 s was not
    // enough at load 30 on the 2-core machine.
  }, 120_000);
});

describe('a fix whose agent first rewrites the failing test, then fixes the code', () => {
  freshEnvPerTest();

  /** Run 1 changes the target test's expectation (every gate passes); later runs fix the parser. */
  const rewriteThenFix = `${observe}
if (runsSoFar(task) === 1) write('test/trim.test.js', read('test/trim.test.js').replace("parse(' a '), 'a'", "parse(' a '), ' a '"));
else { ${fixParser} }`;

  async function planned(): Promise<string> {
    const id = await env.plan(GOALS.single);
    // The test is in its write set: no review finding blocks the rewrite, only the missing fail-to-pass.
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) => ({ ...task, writes: [...task.writes, 'test/trim.test.js'] })),
    }));
    return id;
  }

  it('without --until-ready: one attempt, not ready for the rewritten test', async () => {
    const id = await planned();
    const agent = await env.kit.script('rewrite-then-fix', rewriteThenFix);
    const run = await env.omk('goal', 'execute', id, '--agent', agent);
    expect(run.code, run.stderr).toBe(0);
    expect(await starts()).toBe(1);
    const proof = await env.proof(id);
    expect(proof.status).toBe('not_ready');
    expect(proof.knownGaps).toContainEqual(
      expect.objectContaining({
        code: 'fix_no_fail_to_pass',
        message: expect.stringContaining('the change edited that test itself'),
      }),
    );
  });

  it('with --until-ready: the slice is retried, told to keep the test and fix the code, and the goal is ready', async () => {
    const id = await planned();
    const agent = await env.kit.script('rewrite-then-fix', rewriteThenFix);
    const run = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(run.code, run.stderr).toBe(0);
    expect(await starts()).toBe(2);
    expect((await env.proof(id)).status).toBe('ready');
    expect(run.stderr).toContain(`[${SLICES.bug}] the integrated tree is not ready`);
    const [, second] = await prompts();
    expect(second?.prompt).toContain('## Previous attempt failed (this is attempt 2)');
    expect(second?.prompt).toContain('the change edited that test itself');
    // The gap's hint: what to do, not only what is missing.
    expect(second?.prompt).toContain("keeps the base's failing test as it is");
    expect(second?.prompt).toContain('## Starting again from the base');
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({ taskId: SLICES.bug, why: 'class_evidence', attempts: 1, attemptsUpTo: 3 }),
    ]);
    const base = (await env.goal(id)).repo.baseSha ?? '';
    const branch = `omk/${id}/${SLICES.bug}`;
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..${branch}`)).toBe('1');
    expect(git(env.repo.root, 'show', `${branch}:test/trim.test.js`)).toContain("parse(' a '), 'a'");
    expect(git(env.repo.root, 'show', `omk/${id}/integration:src/parser.js`)).toContain('text.trim()');
  }, 120_000);
});

describe('a fix and its regression test built on it, the fix wrong on its first run', () => {
  freshEnvPerTest();

  /** s2's body: a regression test that passes with or without the fix. */
  const addRegressionTest = `write('test/regression.test.js', "import assert from 'node:assert/strict';\\nimport { test } from 'node:test';\\nimport { parse } from '../src/parser.js';\\ntest('parse keeps a word', () => assert.equal(parse('b'), 'b'));\\n");`;

  /** The test slice's branch is the fix's new head plus its own one commit. */
  /** The fix and the test slice ran twice each, in order, and nothing was held: the goal's events. */
  async function redoneInOrder(id: string): Promise<Awaited<ReturnType<typeof env.events>>> {
    expect((await env.kit.runs()).map((r) => r.task)).toEqual([
      SLICES.parser,
      SLICES.regression,
      SLICES.parser,
      SLICES.regression,
    ]);
    const events = await env.events(id);
    expectContiguous(events);
    expect(eventsOfType(events, 'slice_reopen_held')).toEqual([]);
    return events;
  }

  async function builtOnTheNewFix(id: string): Promise<void> {
    const base = (await env.goal(id)).repo.baseSha ?? '';
    const fix = `omk/${id}/${SLICES.parser}`;
    const tests = `omk/${id}/${SLICES.regression}`;
    expect(git(env.repo.root, 'rev-list', '--count', `${base}..${fix}`)).toBe('1');
    expect(git(env.repo.root, 'rev-list', '--count', `${fix}..${tests}`)).toBe('1');
    expect(git(env.repo.root, 'merge-base', '--is-ancestor', fix, tests)).toBe('');
    expect(git(env.repo.root, 'show', `omk/${id}/integration:src/parser.js`)).toContain('text.trim()');
  }

  it('first rewriting the failing test, with --until-ready: the fix is redone (not held) and the test slice built on it runs again from its new head', async () => {
    const id = await env.plan(GOALS.chain);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) =>
        task.id === SLICES.parser ? { ...task, writes: [...task.writes, 'test/trim.test.js'] } : task,
      ),
    }));
    // s1: rewrites the target test's expectation on its first run, fixes the parser after; s2 adds
    // a regression test that passes either way.
    const agent = await env.kit.script(
      'chain-rewrite-then-fix',
      `${observe}
if (task === ${JSON.stringify(SLICES.parser)}) {
  if (runsSoFar(task) === 1) write('test/trim.test.js', read('test/trim.test.js').replace("parse(' a '), 'a'", "parse(' a '), ' a '"));
  else { ${fixParser} }
} else { ${addRegressionTest} }`,
    );
    const run = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect(run.code, run.stderr).toBe(0);
    expect((await env.proof(id)).status).toBe('ready');
    expect(run.stderr).not.toContain('not reopened');
    const events = await redoneInOrder(id);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data.taskId)).toEqual([
      SLICES.parser,
      SLICES.regression,
    ]);
    await builtOnTheNewFix(id);
    const tests = `omk/${id}/${SLICES.regression}`;
    expect(git(env.repo.root, 'show', `${tests}:test/trim.test.js`)).toContain("parse(' a '), 'a'");
  }, 180_000);

  it('first leaving the failing test failing, with --until-ready: the integrated tree reopens the fix with the test slice built on it, and the goal is ready', async () => {
    // s1's first run passes its own checks (the target test fails as on the base) but not the
    // integrated tree's; only s1 can fix it, and s2 was built on its first head.
    const agent = await env.kit.script(
      'chain-touch-then-fix',
      `${observe}
if (task === ${JSON.stringify(SLICES.parser)}) {
  if (runsSoFar(task) === 1) write('src/parser.js', '// looked\\nexport const parse = (text) => text;\\n');
  else { ${fixParser} }
} else { ${addRegressionTest} }`,
    );
    const run = await runGoal(GOALS.chain, agent, '--until-ready');
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { goal: { id: string } }).goal.id;
    expect((await env.proof(id)).status).toBe('ready');
    expect(run.stderr).not.toContain('not reopened');
    const events = await redoneInOrder(id);
    expect(eventsOfType(events, 'slice_reopened').map((e) => e.data)).toEqual([
      expect.objectContaining({
        taskId: SLICES.parser,
        why: 'integration_blocks',
        detail: 'test:pre_existing',
      }),
      expect.objectContaining({ taskId: SLICES.regression, why: 'integration_blocks' }),
    ]);
    // The test slice's retry is told the fix runs again before it, not only what the tree fails.
    const retried = (await env.kit.calls()).filter(
      (c) => c.event === 'prompt' && c.task === SLICES.regression,
    );
    expect(String(retried[1]?.prompt)).toContain(
      `slice ${SLICES.parser}, which this slice is built on, runs again first (test:pre_existing)`,
    );
    await builtOnTheNewFix(id);
  }, 180_000);

  it('first rewriting the failing test, the test slice built on it with no attempt left: the fix is held, and the events say so', async () => {
    const id = await env.plan(GOALS.chain);
    await env.editGraph(id, (graph) => ({
      ...graph,
      tasks: graph.tasks.map((task) =>
        task.id === SLICES.parser
          ? { ...task, writes: [...task.writes, 'test/trim.test.js'] }
          : { ...task, maxRetries: 0 },
      ),
    }));
    const agent = await env.kit.script(
      'chain-rewrite-held',
      `${observe}
if (task === ${JSON.stringify(SLICES.parser)}) write('test/trim.test.js', read('test/trim.test.js').replace("parse(' a '), 'a'", "parse(' a '), ' a '"));
else { ${addRegressionTest} }`,
    );
    const run = await env.omk('goal', 'execute', id, '--agent', agent, '--until-ready');
    expect((await env.proof(id)).status).toBe('not_ready');
    expect((await env.kit.runs()).map((r) => r.task)).toEqual([SLICES.parser, SLICES.regression]);
    expect(run.stderr).toContain(`[${SLICES.parser}] not reopened (class_evidence: fix_no_fail_to_pass)`);
    const events = await env.events(id);
    expect(eventsOfType(events, 'slice_reopen_held').map((e) => e.data)).toEqual([
      {
        taskId: SLICES.parser,
        why: 'class_evidence',
        detail: 'fix_no_fail_to_pass',
        dependents: [SLICES.regression],
      },
    ]);
  }, 180_000);
});
