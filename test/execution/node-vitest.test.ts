import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { eventsOfType, SLICES } from '../helpers/execution.js';
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
