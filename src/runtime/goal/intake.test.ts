import { describe, expect, it } from 'vitest';
import { decideOracle, normalizeGoalText } from './intake.js';
import { type GoalClass, oracleSchema } from './schema.js';

describe('normalizeGoalText', () => {
  it.each([
    ['  fix   the\tparser\n\nnow  ', 'fix the parser now'],
    ['fi\u200Bx the\u200D parser', 'fix the parser'],
    ['\uFEFFadd \u202Eevil\u202C flag', 'add evil flag'],
    ['update \u2066README\u2069 and \u200Fdocs', 'update README and docs'],
    ['fix\u0000 the\u0007 bug\u007F', 'fix the bug'],
    ['line one\r\nline two', 'line one line two'],
    ['caf\u0065\u0301 parseDate', 'caf\u00E9 parseDate'],
    ['\u00A0Fix\u3000FooBar\u00A0', 'Fix FooBar'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeGoalText(input)).toBe(expected);
  });

  it('is idempotent and keeps case', () => {
    const once = normalizeGoalText(' Fix `parseDate` in\u200B src/Date.ts ');
    expect(once).toBe('Fix `parseDate` in src/Date.ts');
    expect(normalizeGoalText(once)).toBe(once);
  });
});

describe('decideOracle: goals that cannot be tested are blocked', () => {
  it.each([
    'make it better',
    'improve things',
    'clean up stuff',
    'make the code nicer',
    'fix it',
    'do something',
    'optimize',
    'improve performance',
    'make the build faster',
    'fix the bug',
    'improve the parser',
    'add a regression test',
    '',
    '   ',
    '?!',
    'make it secure',
    'refactor',
  ])('%j', (goal) => {
    const oracle = decideOracle(goal);
    expect(oracleSchema.parse(oracle)).toEqual(oracle);
    expect(oracle.testable).toBe(false);
    expect(oracle.class).toBeNull();
    expect(oracle.shape).toBeNull();
    expect(oracle.checks).toEqual([]);
    expect(oracle.requiredGates).toEqual([]);
    expect(oracle.reasons.length).toBeGreaterThan(0);
    expect(oracle.humanDecisions.length).toBeGreaterThan(0);
    for (const question of oracle.humanDecisions) expect(question).toMatch(/\?/);
  });

  it('explains vague verbs and asks what should change', () => {
    const oracle = decideOracle('make it better');
    expect(oracle.reasons.join(' ')).toContain("only vague words ('make', 'better')");
    expect(oracle.humanDecisions.join(' ')).toMatch(/What observable behaviour should change/);
    expect(oracle.humanDecisions.join(' ')).toMatch(/Which part of the repository is in scope/);
    expect(oracle.humanDecisions.join(' ')).toMatch(/Which command or test proves/);
  });

  it('tailors questions to what is missing', () => {
    const fix = decideOracle('fix it');
    expect(fix.humanDecisions.join(' ')).toMatch(/Which failure should be fixed/);
    expect(fix.humanDecisions.join(' ')).not.toMatch(/What observable behaviour/);

    const scoped = decideOracle('improve the parser');
    expect(scoped.humanDecisions.join(' ')).toMatch(/What observable behaviour of parser should change/);
    expect(scoped.humanDecisions.join(' ')).not.toMatch(/in scope/);
  });

  it('asks for a benchmark and a target when performance has no measurable target', () => {
    for (const goal of ['improve performance', 'optimize', 'make the search endpoint faster']) {
      const oracle = decideOracle(goal);
      expect(oracle.testable).toBe(false);
      expect(oracle.reasons.join(' ')).toMatch(/without a measurable target/);
      expect(oracle.humanDecisions.join(' ')).toMatch(/Which benchmark or command measures/);
      expect(oracle.humanDecisions.join(' ')).toMatch(/What target must/);
    }
    expect(decideOracle('make the search endpoint faster').humanDecisions[0]).toContain('search, endpoint');
  });
});

describe('decideOracle: classes', () => {
  const cases: [GoalClass, string][] = [
    ['fix', 'fix the failing tests and add a regression test'],
    ['fix', 'Fix the crash in src/parser.ts when the input is empty'],
    ['fix', 'parseDate returns the wrong month for leap years'],
    ['fix', 'the CI build is broken'],
    ['fix', 'repair the broken link checker'],
    ['fix', 'update the README and fix the parser in src/parser.ts'],
    ['greenfield', 'add a --json flag to the list command'],
    ['greenfield', 'implement a /health endpoint that returns 200'],
    ['greenfield', 'create a new export command for CSV files'],
    ['greenfield', 'build a CLI for managing users'],
    ['greenfield', 'add tests for the parser'],
    ['rewrite', 'rewrite the CLI in TypeScript'],
    ['rewrite', 'migrate from jest to vitest'],
    ['rewrite', 'port the build script to Node'],
    ['rewrite', 'replace moment with date-fns'],
    ['rewrite', 'refactor src/db.js to use async/await'],
    ['rewrite', 'convert the config loader to ESM'],
    ['hardening', 'harden the upload endpoint against path traversal'],
    ['hardening', 'fix the SQL injection in the search endpoint'],
    ['hardening', 'sanitize user input in the comment form'],
    ['hardening', 'add rate limiting to the login API'],
    ['hardening', 'validate input to the webhook handler'],
    ['performance', 'make search 2x faster'],
    ['performance', 'reduce p95 latency of /api/search to under 200ms'],
    ['performance', 'cut memory usage of the importer by 30%'],
    ['performance', 'the report page must load within 2 seconds'],
    ['performance', 'speed up the test suite by 40%'],
    // Identifiers and constraint clauses say nothing about the kind of change.
    ['rewrite', 'refactor add() in src/math.js'],
    ['rewrite', 'rename parseCookie to parseCookies in src/cookie.ts'],
    ['rewrite', 'remove the unused helper formatDate from src/util.js'],
    ['rewrite', 'delete the legacy add() wrapper in src/math.js'],
    ['greenfield', 'add a --json flag to src/cli.js and remove the old --raw flag'],
    ['rewrite', 'refactor `addItem` in src/cart.ts'],
    ['rewrite', 'refactor the parser in src/parser.ts and add no new dependencies'],
    ['rewrite', 'migrate src/db.js to async/await, keep the public API and do not add dependencies'],
    ['fix', 'fix parseConfig in src/config.ts; do not change the public API'],
    ['greenfield', 'add a --json flag to the list command and add no new dependencies'],
  ];
  it.each(cases)('%s: %j', (cls, goal) => {
    const oracle = decideOracle(goal);
    expect(oracle.testable, oracle.reasons.join('; ')).toBe(true);
    expect(oracle.class).toBe(cls);
    expect(oracle.humanDecisions).toEqual([]);
    expect(oracle.checks.length).toBeGreaterThanOrEqual(3);
    expect(oracle.requiredGates).toContain('test');
  });

  it.each([
    ['fix', 'fail_to_pass', ['test', 'lint', 'typecheck']],
    ['greenfield', 'spec_acceptance', ['test', 'lint', 'typecheck', 'format']],
    ['rewrite', 'pass_to_pass', ['test', 'lint', 'typecheck']],
    ['hardening', 'adversarial', ['test', 'lint', 'typecheck', 'security-review']],
    ['performance', 'benchmark', ['test', 'benchmark']],
  ] as const)('%s → %s with gates %j', (cls, shape, gates) => {
    const goal = cases.find(([c]) => c === cls)?.[1] ?? '';
    const oracle = decideOracle(goal);
    expect(oracle.shape).toBe(shape);
    expect(oracle.requiredGates).toEqual(gates);
  });

  it('gives greenfield and rewrite different shapes and checks', () => {
    const greenfield = decideOracle('add a --json flag to the list command');
    const rewrite = decideOracle('rewrite the list command in TypeScript');
    expect(greenfield.shape).not.toBe(rewrite.shape);
    expect(greenfield.checks.join('\n')).toMatch(/new acceptance test/);
    expect(greenfield.checks.join('\n')).toMatch(/fail or are absent on the base commit/);
    expect(rewrite.checks.join('\n')).toMatch(/pass-to-pass/);
    expect(rewrite.checks.join('\n')).toMatch(/public interface .* is preserved/);
    expect(rewrite.checks.join('\n')).toMatch(/No new behaviour/);
    expect(greenfield.checks.filter((check) => rewrite.checks.includes(check))).toEqual([]);
  });

  it('takes its targets from the work, not from the constraint clauses', () => {
    const rewrite = decideOracle('refactor add() in src/math.js and add no new dependencies');
    expect(rewrite.checks).toContain(
      'The public interface of add, src/math.js is preserved: exported names, command-line flags and outputs are unchanged',
    );
    const fix = decideOracle('fix parseConfig in src/config.ts; do not change the public API');
    expect(fix.checks.join('\n')).toMatch(/\(parseConfig, src\/config\.ts\)/);
  });

  it('mentions the goal specifics in the checks', () => {
    const perf = decideOracle('reduce p95 latency of /api/search to under 200ms');
    expect(perf.checks.join('\n')).toContain('The head commit meets the stated target: under 200ms');
    expect(perf.checks.join('\n')).toContain('/api/search');
    expect(decideOracle('Fix the crash in src/parser.ts').checks[0]).toContain('src/parser.ts');
    expect(decideOracle('add a --json flag to the list command').checks[0]).toContain('--json');
  });

  it('documents precedence for mixed goals in the reasons', () => {
    const oracle = decideOracle('fix the failing tests and add a regression test');
    expect(oracle.class).toBe('fix');
    expect(oracle.reasons.join(' ')).toContain("asks for tests ('add a regression test')");
    const mixed = decideOracle('update the README and fix the parser in src/parser.ts');
    expect(mixed.reasons.join(' ')).toContain(
      'precedence hardening > performance > fix > greenfield > rewrite picks fix',
    );
  });

  it('keeps the evidence of a secondary hardening or measurable performance class', () => {
    const oracle = decideOracle('fix the failing tests and make the suite run under 60s');
    expect(oracle.class).toBe('performance');
    const hardened = decideOracle('add an upload endpoint and sanitize file names against path traversal');
    expect(hardened.class).toBe('hardening');
    const both = decideOracle('escape html in comments and render them under 50ms');
    expect(both.class).toBe('hardening');
    expect(both.requiredGates).toEqual(['test', 'lint', 'typecheck', 'security-review', 'benchmark']);
    expect(both.checks.join('\n')).toContain(
      'Also (performance): The head commit meets the stated target: under 50ms',
    );
  });

  it('ignores performance wording without a target when another class carries the goal', () => {
    const oracle = decideOracle('fix the slow crash in the importer');
    expect(oracle.class).toBe('fix');
    expect(oracle.requiredGates).not.toContain('benchmark');
    expect(oracle.reasons.join(' ')).toMatch(/'slow'.* has no measurable target/);
  });

  it('does not read ordinary numbers as performance targets', () => {
    expect(decideOracle('fix the timeout after 30 seconds in the uploader').class).toBe('fix');
    expect(decideOracle('increase test coverage of the parser by 30%').class).not.toBe('performance');
  });

  it('is deterministic and schema-valid', () => {
    const goal = 'harden the upload endpoint against path traversal';
    expect(decideOracle(goal)).toEqual(decideOracle(goal));
    expect(() => oracleSchema.parse(decideOracle(goal))).not.toThrow();
  });

  it('does not let invisible characters hide a vague goal or split a word', () => {
    expect(decideOracle('fi\u200Bx the failing tests').class).toBe('fix');
    expect(decideOracle('make\u202E it better').testable).toBe(false);
  });
});
