import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { eventsOfType, GOALS, SLICES } from '../helpers/execution.js';
import { nodeProject } from '../helpers/node-fixture.js';

/**
 * A Node project as a user has it: vitest from npm as a real devDependency, installed, and a
 * committed failing test. vitest is installed by `npm ci --offline` from npm's cache, which omk's
 * own `npm ci` filled: the fixture's lockfile is the part of omk's that holds vitest (same version,
 * resolved URLs and integrity), so no network is used even on a machine with a fresh cache.
 */
const VITEST = (createRequire(import.meta.url)('vitest/package.json') as { version: string }).version;
const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'vitest-fixture',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run' },
    devDependencies: { vitest: VITEST },
  },
  null,
  2,
)}\n`;

const FILES: Readonly<Record<string, string>> = {
  'package.json': PACKAGE_JSON,
  '.gitignore': 'node_modules/\n',
  'README.md': '# vitest fixture\n',
  'src/parser.js': 'export const parse = (text) => text;\n',
  'test/parser.test.js': [
    "import { describe, expect, it } from 'vitest';",
    "import { parse } from '../src/parser.js';",
    "describe('parse', () => {",
    "  it('keeps text', () => expect(parse('a')).toBe('a'));",
    "  it('keeps an empty string', () => expect(parse('')).toBe(''));",
    // The bug: committed, failing on the base.
    "  it('trims the text', () => expect(parse(' a ')).toBe('a'));",
    '});',
    '',
  ].join('\n'),
};
const TRIMS = 'test/parser.test.js::parse > trims the text';
const EMPTY = 'test/parser.test.js::parse > keeps an empty string';

const runGoal = nodeProject('vitest-fixture', 'vitest', PACKAGE_JSON, FILES);

describe('a Node project with vitest as a devDependency and a committed failing test', () => {
  it('a correct fix is ready, with the failing test named fail→pass', async () => {
    const { proof } = await runGoal(
      `write('src/parser.js', 'export const parse = (text) => text.trim();\\n');`,
    );
    expect(proof.status, JSON.stringify(proof.knownGaps)).toBe('ready');
    const [test] = proof.gates;
    expect(test).toMatchObject({ name: 'test', outcome: 'passed' });
    expect(test?.tests).toMatchObject({ source: 'junit-xml', failToPass: [TRIMS], regressions: [] });
    expect(test?.tests?.counts.passed).toBe(3);
    expect(proof.decisions).toContainEqual(
      expect.objectContaining({ decision: 'fail-to-pass shown', reason: expect.stringContaining(TRIMS) }),
    );
  }, 90_000);

  it('a no-op is never ready: the failing test still fails and no fix is shown', async () => {
    const { proof } = await runGoal(`write('src/parser.js', read('src/parser.js') + '// looked at it\\n');`);
    expect(proof.status).not.toBe('ready');
    expect(proof.gates[0]).toMatchObject({ outcome: 'pre_existing' });
    expect(proof.gates[0]?.tests?.stillFailing).toEqual([TRIMS]);
    // The still-failing test is the base's own (listed, not blocking); nothing shows a fix.
    expect(proof.knownGaps.map((gap) => gap.code)).toEqual(['fix_no_fail_to_pass']);
  }, 90_000);

  it('a wrong fix that breaks another test fails its attempt with the regression named', async () => {
    const { env, id, stderr, proof } = await runGoal(
      `write('src/parser.js', "export const parse = (text) => text.trim() || 'empty';\\n");`,
    );
    expect(proof.status).not.toBe('ready');
    const pending = eventsOfType(await env.events(id), 'task_pending');
    expect(String(pending[0]?.data.failure)).toContain(`did not fail on base`);
    expect(String(pending[0]?.data.failure)).toContain(EMPTY);
    expect(stderr).toContain(`[${SLICES.bug}] attempt 1 failed`);
    // The terminal line names the broken test, not only "gate test failed (exit 1):".
    const line = stderr.split('\n').find((text) => text.includes(`[${SLICES.bug}] attempt 1 failed`));
    expect(line).toContain(`newly failing tests (they pass on the base): ${EMPTY}`);
  }, 90_000);

  it("a fix whose change stops the tests from running (a pretest check it breaks) fails its attempt, not the base's", async () => {
    // ts-dedent's `"pretest": "npm run lint"`: the agent fixes the bug but leaves a console.log the
    // project's pretest check refuses, so `npm test` ends before vitest runs. The base runs its
    // tests (one failing): the head's failure is the change's, never the base's own.
    const pretest = JSON.parse(PACKAGE_JSON) as { scripts: Record<string, string> };
    pretest.scripts = { pretest: 'node scripts/no-console.js', ...pretest.scripts };
    const { env, id, stderr, proof } = await runGoal({
      files: {
        'package.json': `${JSON.stringify(pretest, null, 2)}\n`,
        'scripts/no-console.js': [
          "import { readFileSync } from 'node:fs';",
          "const text = readFileSync('src/parser.js', 'utf8');",
          "if (text.includes('console.log')) {",
          "  console.error('src/parser.js: error  Unexpected console statement  no-console');",
          '  process.exit(1);',
          '}',
          '',
        ].join('\n'),
      },
      agent: `write('src/parser.js', 'export const parse = (text) => { console.log(text); return text.trim(); };\\n');`,
    });
    expect(proof.status).not.toBe('ready');
    expect(proof.knownGaps.find((gap) => gap.code === 'slice_incomplete')?.message).toContain(
      'its last attempt failed: gate test failed (exit 1); the change stopped its tests from running (they run on the base)',
    );
    const events = await env.events(id);
    // Before, the exit codes called it pre-existing ("fails on base too"): no failed attempt.
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)).toEqual([['test:failed']]);
    const failure = String(eventsOfType(events, 'task_pending')[0]?.data.failure);
    expect(failure).toContain('gate test failed (exit 1):');
    expect(failure).toMatch(
      /\[omk\] its run on the head reported no per-test results \(it failed, exit 1\) though its run on base [0-9a-f]{12} did: the change stopped the tests from running; see the log's last lines/,
    );
    expect(failure).toContain('Unexpected console statement');
    expect(stderr).toContain(
      `[${SLICES.bug}] attempt 1 failed; the slice stays pending with 2 attempt(s) left: gate test failed (exit 1); the change stopped its tests from running (they run on the base)`,
    );
  }, 120_000);

  it('a fix that leaves an unhandled rejection (every test passes, vitest exits 1) fails its attempt, naming it', async () => {
    // The base fails its committed failing test; the head passes every test, but the module the
    // change wrote rejects a promise nobody awaits: vitest reports "Unhandled Rejection" and exits
    // 1. Before, the exit codes called it pre-existing ("the output names no failing test").
    const { env, id, stderr, proof } = await runGoal(
      `write('src/parser.js', "export const parse = (text) => text.trim();\\nPromise.reject(new Error('cache not warmed'));\\n");`,
    );
    expect(proof.status).not.toBe('ready');
    const events = await env.events(id);
    expect(eventsOfType(events, 'gates_verified').map((e) => e.data.outcomes)[0]).toEqual(['test:failed']);
    const failure = String(eventsOfType(events, 'task_pending')[0]?.data.failure);
    expect(failure).toMatch(
      /\[omk\] every test passes here, yet the run fails \(exit 1\), while on base [0-9a-f]{12} failing tests explained its failure \(test\/parser\.test\.js::parse > trims the text\): what fails beyond the tests is new, worse than on the base, or was hidden on the base behind its failing tests; its last lines: .*Unhandled Rejection.*cache not warmed/,
    );
    // The terminal line and the proof's gap say what failed, not only "gate test failed (exit 1)".
    const beyond = 'gate test failed (exit 1); every test passes but the run fails beyond them: ';
    const line = stderr.split('\n').find((text) => text.includes(`[${SLICES.bug}] attempt 1 failed`));
    expect(line).toContain(beyond);
    expect(line).toContain('Error: cache not warmed');
    expect(proof.knownGaps.find((gap) => gap.code === 'slice_incomplete')?.message).toContain(
      `its last attempt failed: ${beyond}`,
    );
  }, 120_000);

  it('a vitest.config.js that runs no test (passWithNoTests) is never ready: blocked, no fix shown', async () => {
    // The bug stays. Before, the head's gate passed with no test run and no report, the exit codes
    // decided ("fails on the base and passes on the head") and the goal was `ready`.
    const { env, id, proof } = await runGoal({
      goal: 'fix the bug in src/parser.js and vitest.config.js',
      files: { 'vitest.config.js': 'export default {};\n' },
      agent: `
write('src/parser.js', read('src/parser.js') + '// looked at it\\n');
write('vitest.config.js', "export default { test: { include: ['none/**'], passWithNoTests: true } };\\n");`,
    });
    expect(proof.status).not.toBe('ready');
    const findings = (await env.proof(id)).findings.filter((f) => f.severity === 'blocking');
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('The change edits "vitest.config.js", which decides what the "test" gate ran'),
    ]);
  }, 90_000);
});

/**
 * The committed failing test as a row of an `it.each` table, far below the `it.each(` line: vitest
 * names a row by its input alone, so a row whose expectation changes keeps its name.
 */
const EACH_TABLE = [
  "import { describe, expect, it } from 'vitest';",
  "import { parse } from '../src/parser.js';",
  "describe('parse', () => {",
  '  it.each([',
  "    ['a', 'a'],",
  "    ['', ''],",
  "    ['b c', 'b c'],",
  "    ['x', 'x'],",
  "    ['yy', 'yy'],",
  "    [' a ', 'a'],",
  "  ])('parse(%j)', (input, expected) => {",
  '    expect(parse(input)).toBe(expected);',
  '  });',
  '});',
  '',
].join('\n');
const PADDED = 'test/parser.test.js::parse > parse(" a ")';

describe('a vitest project whose committed failing test is a row of an it.each table', () => {
  /**
   * The slice that writes src/parser.js writes `parser`; the one that writes the test turns `row`
   * into `into` in the table. The single-slice goal's one slice writes both: the tree and the
   * change judged are those a chain of two slices (fix, then test) ends with, for one slice's runs.
   */
  const agent = (parser: string, row: string, into: string) => `
if (writes.some((w) => w === 'src/parser.js' || w === 'src' || w === '.')) write('src/parser.js', ${JSON.stringify(parser)});
if (writes.some((w) => w.startsWith('test') || w === '.')) {
  write('test/parser.test.js', read('test/parser.test.js').replace(${JSON.stringify(row)}, ${JSON.stringify(into)}));
}`;

  it("a weak agent that rewrites the row's expectation to the bug is never ready; a fix that adds a row is", async () => {
    const weak = await runGoal({
      goal: GOALS.single,
      files: { 'test/parser.test.js': EACH_TABLE },
      agent: agent(
        '// looked at it\nexport const parse = (text) => text;\n',
        "[' a ', 'a']",
        "[' a ', ' a ']",
      ),
    });
    expect(weak.proof.gates[0]?.tests?.failToPass).toEqual([PADDED]);
    expect(weak.proof.status).not.toBe('ready');
    expect(weak.proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass not shown',
      reason: expect.stringContaining(
        `${PADDED} failed on the base and passes on the head, but the change edited that test itself`,
      ),
    });
    // The review says which case changed: a warning (an expectation may change on purpose).
    expect(weak.proof.findings.map((f) => `${f.severity}: ${f.message}`)).toContainEqual(
      expect.stringContaining(
        `warning: 1 case of test "parse(%j)" rewritten in its table in "test/parser.test.js"`,
      ),
    );
    await weak.env.cleanup();
    const fixed = await runGoal({
      goal: GOALS.single,
      files: { 'test/parser.test.js': EACH_TABLE },
      agent: agent(
        'export const parse = (text) => text.trim();\n',
        "    [' a ', 'a'],\n",
        "    [' a ', 'a'],\n    ['\\tb\\t', 'b'],\n",
      ),
    });
    expect(fixed.proof.status, JSON.stringify(fixed.proof.knownGaps)).toBe('ready');
    // A row added is a new case, no other's rewritten.
    expect(fixed.proof.findings.filter((f) => f.message.includes('in its table'))).toEqual([]);
    expect(fixed.proof.decisions.findLast((d) => d.kind === 'oracle')).toMatchObject({
      decision: 'fail-to-pass shown',
      reason: expect.stringContaining("the head's tests fail against the base's source and pass on the head"),
    });
  }, 180_000);
});
