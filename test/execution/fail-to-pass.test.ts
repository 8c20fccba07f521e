import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUGGY_FIXTURE,
  createExecutionEnv,
  type ExecutionEnv,
  GOALS,
  NODE_FIXTURE,
} from '../helpers/execution.js';

let env: ExecutionEnv;

afterEach(async () => {
  await env.cleanup();
});

/**
 * `omk goal run <text> --agent <agent> --json [...flags]` with the heuristic planner: one process
 * plans and executes (the plan is not what these cases are about); returns the goal id.
 */
async function runGoal(text: string, agent: string, ...flags: string[]): Promise<string> {
  const result = await env.omk('goal', 'run', text, '--agent', agent, '--no-llm-planner', '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { goal: { id: string } }).goal.id;
}

/**
 * An agent that edits the parser in a slice that may write it, and adds `test` in one that may
 * write tests: on GOALS.chain the fix slice and then the test slice, on GOALS.single the lone fix
 * slice both (it may write test/). The oracle reads the goal's head against its base either way, so
 * the cases below run the cheaper single slice (one agent, one gate run fewer); the first keeps the
 * chain, where the failing test comes from another slice than the fix.
 */
function agentBody(parser: string, test: string): string {
  return [
    "if (writes.some((w) => w === 'src/parser.js' || w === 'src' || w === '.')) {",
    `  write('src/parser.js', ${JSON.stringify(parser)});`,
    '}',
    "if (writes.some((w) => w.startsWith('test') || w === '.')) {",
    `  write('test/regression.test.js', ${JSON.stringify(test)});`,
    '}',
  ].join('\n');
}

const header =
  "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { parse } from '../src/parser.js';\n";

describe('fail-to-pass for a fix whose failing test comes with it', () => {
  it("runs the head's new test against the base's source: it fails there, so the fix is shown by name", async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script(
      'fix-and-test',
      agentBody(
        'export const parse = (text) => text.trim();\n',
        `${header}test('parse trims spaces', () => assert.equal(parse(' a '), 'a'));\n`,
      ),
    );
    // Kept, to look inside the base worktree afterwards.
    const id = await runGoal(GOALS.chain, agent, '--keep-worktrees');
    const proof = await env.proof(id);
    expect(proof.status).toBe('ready');
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({
      decision: 'fail-to-pass shown',
      reason: expect.stringContaining("the head's tests fail against the base's source and pass on the head"),
    });
    expect(decision?.reason).toContain('parse trims spaces');
    // The base worktree is put back: the head's test file is gone from it.
    const base = join(env.stateDir, 'worktrees', id, 'base');
    expect(existsSync(join(base, 'test', 'parser.test.js'))).toBe(true);
    expect(existsSync(join(base, 'test', 'regression.test.js'))).toBe(false);
  });

  it('a lone fix slice may write the tests of the file it fixes: its own test shows the fix', async () => {
    // "fix the bug in src/parser.js" plans no test slice, so the fix slice is asked for the
    // failing-then-passing test itself, and may write its test directory (test/) to add it.
    env = await createExecutionEnv();
    const agent = await env.kit.script(
      'fix-and-own-test',
      [
        "write('src/parser.js', 'export const parse = (text) => text.trim();\\n');",
        "if (writes.some((w) => w === 'test/parser.test.js' || 'test/parser.test.js'.startsWith(w + '/'))) {",
        `  write('test/parser.test.js', read('test/parser.test.js') + ${JSON.stringify("test('parse trims spaces', () => assert.equal(parse(' a '), 'a'));\n")});`,
        '}',
      ].join('\n'),
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    expect(proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass shown',
    });
    expect(proof.status).toBe('ready');
  });

  it('a new test that passes on the base as well shows nothing: fail-to-pass not shown', async () => {
    env = await createExecutionEnv();
    const agent = await env.kit.script(
      'no-op-with-test',
      agentBody(
        '// touched\nexport const parse = (text) => text;\n',
        `${header}test('parse keeps b', () => assert.equal(parse('b'), 'b'));\n`,
      ),
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringContaining('no test the change added or changed fails against the base'),
    });
  });

  it('an old failing test elsewhere, failing against the base source too, shows nothing for a no-op', async () => {
    // The base already fails test/legacy.test.js; a no-op adds a passing test. Run against the
    // base's source the legacy test fails again, but it fails on the head too: no fail-to-pass.
    env = await createExecutionEnv({
      ...NODE_FIXTURE,
      'test/legacy.test.js': `${header}test('legacy never held', () => assert.equal(1, 2));\n`,
    });
    const agent = await env.kit.script(
      'no-op-with-test',
      agentBody(
        '// touched\nexport const parse = (text) => text;\n',
        `${header}test('parse keeps b', () => assert.equal(parse('b'), 'b'));\n`,
      ),
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    expect(proof.gates.find((gate) => gate.kind === 'test')?.outcome).toBe('pre_existing');
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({ decision: 'fail-to-pass not shown' });
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('fix_no_fail_to_pass');
  });

  it('a failing test whose expectation the change rewrote, judged by exit codes, shows nothing', async () => {
    // As `xo && ava && tsd` was before omk read ava: a test script whose output names no test. The
    // base fails test/trim.test.js; the agent rewrites its expectation to what the bug returns. The
    // head passes and the base fails by exit code, but with the head's test file the base's source
    // passes too: the base failed only by the test the change edited.
    const assertTrim = (expected: string) =>
      `import assert from 'node:assert/strict';\nimport { parse } from '../src/parser.js';\nassert.equal(parse(' a '), ${expected});\n`;
    env = await createExecutionEnv({
      ...BUGGY_FIXTURE,
      'package.json': `${JSON.stringify({ name: 'fixture', private: true, type: 'module', scripts: { test: 'node test/trim.test.js' } }, null, 2)}\n`,
      'test/trim.test.js': assertTrim("'a'"),
    });
    const agent = await env.kit.script(
      'rewrite-expectation',
      [
        "if (writes.some((w) => w.startsWith('test') || w === '.')) {",
        `  write('test/trim.test.js', ${JSON.stringify(assertTrim("' a '"))});`,
        '}',
      ].join('\n'),
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringContaining("with the head's test files the base's source passes it"),
    });
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.map((gap) => gap.code)).toContain('fix_no_fail_to_pass');
  });
});

/**
 * NODE_FIXTURE whose test script stands in for a runner that crashed on the base before reporting
 * any test (seen: `go: creating work dir: ... no such file` after a temp dir vanished): in omk's
 * worktree of the base it dies with exit 1 and no test output; elsewhere it runs `node --test`,
 * whose TAP output omk reads per test.
 */
const CRASHES_ON_BASE: Readonly<Record<string, string>> = {
  ...NODE_FIXTURE,
  'package.json': `${JSON.stringify(
    { name: 'fixture', private: true, type: 'module', scripts: { test: 'sh test.sh' } },
    null,
    2,
  )}\n`,
  'test.sh': [
    'case "$PWD" in',
    "  */base) echo 'go: creating work dir: stat /tmp/go-build123: no such file or directory' >&2; exit 1 ;;",
    'esac',
    'exec node --test test/',
    '',
  ].join('\n'),
};

describe('fail-to-pass when the base run of a per-test runner reported no tests', () => {
  it('a crash on the base before any test reported, a no-op that passes on the head: not shown, not ready', async () => {
    env = await createExecutionEnv(CRASHES_ON_BASE);
    const agent = await env.kit.script(
      'no-op',
      "if (writes.length > 0) write('src/parser.js', '// looked at\\nexport const parse = (text) => text;\\n');",
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    const onHead = proof.gates.find((gate) => gate.kind === 'test' && gate.sha === proof.git.headSha);
    // The head's run of the gate was read per test: the runner is one omk reads.
    expect(onHead?.tests, JSON.stringify(proof.gates)).toMatchObject({
      source: 'tap',
      counts: { passed: 1 },
    });
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringMatching(
        /test's run on the base reported no per-test results \(it failed, exit 1\)/,
      ),
    });
    expect(proof.status).not.toBe('ready');
    const gap = proof.knownGaps.find((g) => g.code === 'fix_no_fail_to_pass');
    expect(JSON.stringify(gap?.hint)).toContain(
      "the base's run of gate test (it failed, exit 1) reported no per-test results",
    );
  });

  it("a fix with its regression test, the base crashing there too: the head's tests on the base's source show nothing either", async () => {
    env = await createExecutionEnv(CRASHES_ON_BASE);
    const agent = await env.kit.script(
      'fix-and-test',
      agentBody(
        'export const parse = (text) => text.trim();\n',
        `${header}test('parse trims spaces', () => assert.equal(parse(' a '), 'a'));\n`,
      ),
    );
    const id = await runGoal(GOALS.single, agent);
    const proof = await env.proof(id);
    expect(proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringContaining('reported no per-test results'),
    });
    expect(proof.status).not.toBe('ready');
  });
});

/**
 * BUGGY_FIXTURE's failing test nested in a describe, its expectation far below its `it(`: git's `@@`
 * heading names the describe, and the hunk's three lines of context do not reach the `it(`.
 */
const NESTED_TRIM = [
  "import assert from 'node:assert/strict';",
  "import { describe, it } from 'node:test';",
  "import { parse } from '../src/parser.js';",
  '',
  "describe('parse', () => {",
  "  it('trims the text', () => {",
  "    const padded = ' a ';",
  '    const parsed = parse(padded);',
  '    const length = parsed.length;',
  "    assert.equal(typeof parsed, 'string');",
  '    assert.ok(length > 0);',
  "    assert.equal(parsed, 'a');",
  '  });',
  '});',
  '',
].join('\n');

/** NESTED_TRIM as node:test's (and tape's) subtest: `t.test('trims the text', ...)` inside a test. */
const SUBTEST_TRIM = [
  "import assert from 'node:assert/strict';",
  "import { test } from 'node:test';",
  "import { parse } from '../src/parser.js';",
  '',
  "test('parse', async (t) => {",
  "  await t.test('trims the text', () => {",
  "    const parsed = parse(' a ');",
  "    assert.equal(parsed, 'a');",
  '  });',
  '});',
  '',
].join('\n');

describe('fail-to-pass for a failing test nested in a describe block', () => {
  const fixture = { ...NODE_FIXTURE, 'test/trim.test.js': NESTED_TRIM };
  /** The lone fix slice (it may write test/) writes the parser and edits the nested test file. */
  const agent = (parser: string, edit: [string, string]) =>
    env.kit.script(
      'nested',
      [
        "if (writes.some((w) => w === 'src/parser.js' || w === 'src' || w === '.')) {",
        `  write('src/parser.js', ${JSON.stringify(parser)});`,
        '}',
        "if (writes.some((w) => w.startsWith('test') || w === '.')) {",
        `  write('test/trim.test.js', read('test/trim.test.js').replace(${JSON.stringify(edit[0])}, ${JSON.stringify(edit[1])}));`,
        '}',
      ].join('\n'),
    );

  /**
   * A weak agent that rewrites the failing test's expectation to the bug's output in `files`: the
   * proof is never ready, and its oracle says the change edited the failing test.
   */
  async function rewritesTheExpectation(files: Record<string, string>) {
    env = await createExecutionEnv(files);
    const script = await agent('// looked at it\nexport const parse = (text) => text;\n', [
      "assert.equal(parsed, 'a');",
      "assert.equal(parsed, ' a ');",
    ]);
    const id = await runGoal(GOALS.single, script);
    const proof = await env.proof(id);
    expect(proof.status).not.toBe('ready');
    expect(proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringContaining(
        'parse > trims the text failed on the base and passes on the head, but the change edited',
      ),
    });
    return proof;
  }

  it('a weak agent that rewrites the expectation deep inside the nested test to the bug is never ready', async () => {
    const proof = await rewritesTheExpectation(fixture);
    expect(proof.decisions.findLast((d) => d.kind === 'oracle')?.reason).toContain('edited that test itself');
    expect(proof.gates.find((gate) => gate.kind === 'test')?.tests?.failToPass).toEqual([
      'parse > trims the text',
    ]);
  });

  it("a weak agent that rewrites a subtest's expectation (t.test inside a test) to the bug is never ready", async () => {
    await rewritesTheExpectation({ ...NODE_FIXTURE, 'test/trim.test.js': SUBTEST_TRIM });
  });

  it('a correct fix with a regression test added in the same describe block is ready, the old test named', async () => {
    env = await createExecutionEnv(fixture);
    const regression = [
      '  });',
      '',
      "  it('trims tabs', () => {",
      "    const tabbed = '\\ta\\t';",
      '    const parsed = parse(tabbed);',
      '    const length = parsed.length;',
      '    assert.ok(length > 0);',
      "    assert.equal(parsed, 'a');",
      '  });',
      '});',
      '',
    ].join('\n');
    const script = await agent('export const parse = (text) => text.trim();\n', ['  });\n});\n', regression]);
    const id = await runGoal(GOALS.single, script);
    const proof = await env.proof(id);
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const decision = proof.decisions.findLast((d) => d.kind === 'oracle');
    expect(decision).toMatchObject({ decision: 'fail-to-pass shown' });
    expect(decision?.reason).toContain('parse > trims the text failed on the base and passes on the head');
  });
});
