import type { GoalClass, Oracle } from './schema.js';

// What "done" means for each class of goal. The shapes differ on purpose: a fix is proven by a test
// that changes from failing to passing, a rewrite by a suite that does not change at all.

export const GATE_KINDS = ['test', 'lint', 'typecheck', 'format', 'security-review', 'benchmark'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

export type OracleShape = NonNullable<Oracle['shape']>;

export const SHAPE_BY_CLASS: Record<GoalClass, OracleShape> = {
  fix: 'fail_to_pass',
  greenfield: 'spec_acceptance',
  rewrite: 'pass_to_pass',
  hardening: 'adversarial',
  performance: 'benchmark',
};

export const GATES_BY_CLASS: Record<GoalClass, readonly GateKind[]> = {
  fix: ['test', 'lint', 'typecheck'],
  greenfield: ['test', 'lint', 'typecheck', 'format'],
  rewrite: ['test', 'lint', 'typecheck'],
  hardening: ['test', 'lint', 'typecheck', 'security-review'],
  performance: ['test', 'benchmark'],
};

/**
 * Order in which a mixed goal picks its class: the class whose proof needs the most distinct
 * evidence wins, because its oracle still covers the weaker ones (every shape keeps the existing
 * suite passing), while the reverse would leave the stronger claim unproven.
 */
export const CLASS_PRECEDENCE: readonly GoalClass[] = [
  'hardening',
  'performance',
  'fix',
  'greenfield',
  'rewrite',
];

/** The static checks a success check can name, in the words it names them with. */
const STATIC_KINDS: readonly (readonly [GateKind, string])[] = [
  ['lint', 'lint'],
  ['typecheck', 'typecheck'],
  ['format', 'format'],
];

/**
 * The success check that names the static gates among `kinds` ("Lint and typecheck pass on the
 * head commit"); '' when it names none.
 */
function staticCheck(kinds: readonly string[]): string {
  const words = STATIC_KINDS.filter(([kind]) => kinds.includes(kind)).map(([, word]) => word);
  if (words.length === 0) return '';
  const listed =
    words.length === 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
  const sentence = `${listed.charAt(0).toUpperCase()}${listed.slice(1)}`;
  if (words.includes('format')) return `${sentence} checks are clean on the head commit`;
  return `${sentence} ${words.length === 1 ? 'passes' : 'pass'} on the head commit`;
}

/**
 * The class's checks once some of its gate kinds are not required (the project has no gate of
 * them): the check naming the static gates names only the kept ones, or goes when none is kept.
 */
export function checksWithGates(
  cls: GoalClass,
  checks: readonly string[],
  kept: readonly string[],
): string[] {
  const full = staticCheck(GATES_BY_CLASS[cls]);
  if (full === '') return [...checks];
  const now = staticCheck(kept);
  return checks.flatMap((check) => (check !== full ? [check] : now === '' ? [] : [now]));
}

export interface CheckContext {
  /** The goal's own anchors, rendered for a reader ("`src/parser.ts`, parser"). */
  subject: string;
  /** The measurable target as written ("under 200ms"), when there is one. */
  target: string | null;
}

const NO_BREAKAGE = 'Every test that passes on the base commit still passes on the head commit';

const FAIL_TO_PASS_TAIL =
  'is reproduced by a test that fails on the base commit and passes on the head commit';

/** Whether a check is a fix's fail-to-pass check: the one that asks for a new failing-then-passing test. */
export function isFailToPassCheck(check: string): boolean {
  return check.startsWith('The failing behaviour (') && check.endsWith(FAIL_TO_PASS_TAIL);
}

const GREENFIELD_NEW_TESTS_TAIL = 'has a new acceptance test';
const GREENFIELD_FAIL_TO_PASS =
  'The new acceptance tests fail or are absent on the base commit and pass on the head commit';
const HARDENING_TAIL = 'expose the weakness on the base commit and are handled safely on the head commit';

/** What new tests a check asks for, when it asks the change to come with tests of its own. */
export type TestDemand = 'fail-to-pass' | 'acceptance' | 'hostile-input';

/**
 * Whether a class check asks for new tests (so a slice asked it must be able to write them), and
 * which: a fix's failing-then-passing test, a greenfield change's acceptance tests, a hardening's
 * hostile-input tests. Null for checks any slice can meet by its own change (the suite, lint).
 */
export function testDemandOf(check: string): TestDemand | null {
  if (isFailToPassCheck(check)) return 'fail-to-pass';
  if (check === GREENFIELD_FAIL_TO_PASS) return 'acceptance';
  if (check.startsWith('Each behaviour the goal states (') && check.endsWith(GREENFIELD_NEW_TESTS_TAIL))
    return 'acceptance';
  if (check.startsWith('Hostile-input tests for ') && check.endsWith(HARDENING_TAIL)) return 'hostile-input';
  return null;
}

export function checksFor(cls: GoalClass, { subject, target }: CheckContext): string[] {
  switch (cls) {
    case 'fix':
      return [
        `The failing behaviour (${subject}) ${FAIL_TO_PASS_TAIL}`,
        `${NO_BREAKAGE} (no previously passing test breaks)`,
        staticCheck(GATES_BY_CLASS.fix),
      ];
    case 'greenfield':
      return [
        `Each behaviour the goal states (${subject}) ${GREENFIELD_NEW_TESTS_TAIL}`,
        GREENFIELD_FAIL_TO_PASS,
        NO_BREAKAGE,
        staticCheck(GATES_BY_CLASS.greenfield),
      ];
    case 'rewrite':
      return [
        'The existing test suite passes on the base commit and on the head commit (pass-to-pass), without weakening or deleting tests',
        `The public interface of ${subject} is preserved: exported names, command-line flags and outputs are unchanged`,
        'No new behaviour is introduced: the change adds no acceptance tests for new features',
        staticCheck(GATES_BY_CLASS.rewrite),
      ];
    case 'hardening':
      return [
        `Hostile-input tests for ${subject} (malformed, oversized, injection or traversal inputs, as relevant) ${HARDENING_TAIL}`,
        NO_BREAKAGE,
        'A security review of the diff reports no blocking findings',
        staticCheck(GATES_BY_CLASS.hardening),
      ];
    case 'performance':
      return [
        `A benchmark that exercises ${subject} runs on the base commit and on the head commit with the same command, input and machine`,
        `The head commit meets the stated target: ${target ?? 'the target named in the goal'}`,
        `${NO_BREAKAGE} (pass-to-pass)`,
      ];
  }
}

/**
 * A secondary class adds its evidence only where that evidence is a separate gate: a security
 * review or a benchmark can run beside any test oracle, whereas test shapes are alternatives.
 */
export function secondaryEvidence(
  cls: GoalClass,
  context: CheckContext,
): { check: string; gate: GateKind } | null {
  if (cls === 'hardening') {
    return { check: `Also (hardening): ${checksFor('hardening', context)[2]}`, gate: 'security-review' };
  }
  if (cls === 'performance' && context.target !== null) {
    return { check: `Also (performance): ${checksFor('performance', context)[1]}`, gate: 'benchmark' };
  }
  return null;
}

export function orderGates(gates: Iterable<string>): string[] {
  const wanted = new Set(gates);
  return GATE_KINDS.filter((gate) => wanted.has(gate));
}
