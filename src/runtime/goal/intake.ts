import {
  type CheckContext,
  CLASS_PRECEDENCE,
  checksFor,
  GATES_BY_CLASS,
  orderGates,
  SHAPE_BY_CLASS,
  secondaryEvidence,
} from './intake-checks.js';
import { type GoalSignals, readSignals } from './intake-signals.js';
import type { GoalClass, Oracle } from './schema.js';

// Invisible and direction-changing characters can make a goal read differently to a reviewer than
// to the planner ("Trojan Source"), so they never survive intake.
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff ||
    cp === 0x00ad
  );
}

function isControl(cp: number): boolean {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

/**
 * Trims, collapses whitespace (line breaks and tabs become one space), strips control, invisible
 * and bidi characters, and applies NFC. Case is kept: identifiers in goals are case-sensitive.
 */
export function normalizeGoalText(text: string): string {
  let kept = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isInvisible(cp)) continue;
    if (isControl(cp)) {
      // Tab, line feed, vertical tab, form feed and carriage return separate words; others are noise.
      if (cp >= 0x09 && cp <= 0x0d) kept += ' ';
      continue;
    }
    kept += ch;
  }
  // Removing a character may leave combining marks that now compose, hence NFC again.
  return kept.replace(/\s+/g, ' ').trim().normalize('NFC');
}

const quote = (words: readonly string[]): string => words.map((word) => `'${word}'`).join(', ');

function subjectOf(signals: GoalSignals, normalized: string): string {
  if (signals.targets.length === 0) {
    return `"${normalized.length > 100 ? `${normalized.slice(0, 99)}…` : normalized}"`;
  }
  const shown = signals.targets.slice(0, 4).join(', ');
  return signals.targets.length > 4 ? `${shown}, …` : shown;
}

function blocked(reasons: string[], humanDecisions: string[]): Oracle {
  return {
    testable: false,
    class: null,
    shape: null,
    checks: [],
    requiredGates: [],
    reasons,
    humanDecisions,
  };
}

const PROOF_QUESTION =
  'Which command or test proves the goal is done (for example "npm test -- parser" passes)?';
const SCOPE_QUESTION = 'Which part of the repository is in scope: a file, module, command or endpoint?';

function blockedOnPerformance(
  signals: GoalSignals,
  perfWords: readonly string[],
  normalized: string,
): Oracle {
  const hasScope = signals.targets.length > 0;
  const subject = hasScope ? subjectOf(signals, normalized) : 'the performance you care about';
  return blocked(
    [
      `performance wording (${quote(perfWords)}) without a measurable target such as "under 200 ms", "by 30%" or "2x faster"`,
      ...(hasScope ? [] : ['no concrete target: nothing names the code path to measure']),
    ],
    [
      `Which benchmark or command measures ${subject}, and on what input?`,
      'What target must the head commit meet on that benchmark (for example "p95 under 200 ms" or "30% faster than the base commit")?',
      ...(hasScope ? [] : [SCOPE_QUESTION]),
    ],
  );
}

function blockedOnVagueness(
  signals: GoalSignals,
  primary: GoalClass | undefined,
  normalized: string,
): Oracle {
  const reasons: string[] = [];
  const decisions: string[] = [];
  const hasScope = signals.targets.length > 0;
  const action = primary === undefined ? [] : (signals.classes.get(primary) ?? []);
  if (primary === undefined && !hasScope) {
    reasons.push(
      signals.vague.length > 0
        ? `only vague words (${quote(signals.vague)}) and no concrete target`
        : 'no action and no concrete target',
    );
  } else if (primary === undefined) {
    reasons.push(
      `names ${quote(signals.targets)} but no action that says what should change` +
        (signals.vague.length > 0 ? ` (${quote(signals.vague)} is not observable)` : ''),
    );
  } else {
    reasons.push(
      `${quote(action)} says what kind of change (${primary}) but names no concrete target (a file, module, command, test or behaviour)`,
    );
  }
  if (primary === undefined) {
    const of = hasScope ? ` of ${subjectOf(signals, normalized)}` : '';
    decisions.push(
      `What observable behaviour${of} should change? Say what the code should do differently, for example "parse('') returns [] instead of throwing".`,
    );
  }
  if (!hasScope) {
    decisions.push(
      primary === 'fix'
        ? 'Which failure should be fixed: the failing test, the error message, or the steps that reproduce it?'
        : SCOPE_QUESTION,
    );
  }
  decisions.push(PROOF_QUESTION);
  return blocked(reasons, decisions);
}

/**
 * Decides whether success is testable, the goal's class, the oracle's shape and the gates that must
 * pass. Pure and deterministic. Mixed goals take the first class in CLASS_PRECEDENCE; a secondary
 * hardening or measurable performance class still adds its security review or benchmark gate.
 */
export function decideOracle(normalized: string): Oracle {
  const text = normalizeGoalText(normalized);
  if (!/[\p{L}\p{N}]/u.test(text)) {
    return blocked(
      ['the goal text is empty'],
      [
        'What should change in the repository, and how will we know it is done?',
        SCOPE_QUESTION,
        PROOF_QUESTION,
      ],
    );
  }
  const signals = readSignals(text);
  const perfWords = signals.classes.get('performance');
  const measurable = signals.measurable !== null && (perfWords !== undefined || signals.boundsPerformance);
  const found = (cls: GoalClass): string[] | undefined => {
    if (cls !== 'performance') return signals.classes.get(cls);
    if (!measurable) return undefined;
    return perfWords ?? [signals.measurable ?? ''];
  };
  let candidates = CLASS_PRECEDENCE.filter((cls) => found(cls) !== undefined);
  const onlyTests = candidates.length === 0 && signals.testAuthoring.length > 0;
  if (onlyTests) candidates = ['greenfield'];
  const primary = candidates[0];

  if (perfWords !== undefined && !measurable && (primary === undefined || signals.targets.length === 0)) {
    return blockedOnPerformance(signals, perfWords, text);
  }
  if (primary === undefined || signals.targets.length === 0) {
    return blockedOnVagueness(signals, primary, text);
  }

  const context: CheckContext = {
    subject: subjectOf(signals, text),
    target: measurable ? signals.measurable : null,
  };
  const checks = checksFor(primary, context);
  const gates: string[] = [...GATES_BY_CLASS[primary]];
  const reasons = [
    onlyTests
      ? `class greenfield: the goal only asks for tests (${quote(signals.testAuthoring)})`
      : `class ${primary} (matched ${quote(found(primary) ?? [])})`,
    `concrete targets: ${quote(signals.targets)}`,
  ];
  const secondary = candidates.slice(1);
  if (secondary.length > 0) {
    reasons.push(
      `also matched ${secondary.map((cls) => `${cls} (${quote(found(cls) ?? [])})`).join(', ')}; ` +
        `precedence ${CLASS_PRECEDENCE.join(' > ')} picks ${primary}`,
    );
  }
  for (const cls of secondary) {
    const extra = secondaryEvidence(cls, context);
    if (extra === null) continue;
    checks.push(extra.check);
    gates.push(extra.gate);
  }
  if (measurable) reasons.push(`measurable target: '${signals.measurable}'`);
  if (perfWords !== undefined && !measurable) {
    reasons.push(
      `performance wording (${quote(perfWords)}) has no measurable target, so speed is not part of the oracle`,
    );
  }
  if (!onlyTests && signals.testAuthoring.length > 0) {
    reasons.push(
      `asks for tests (${quote(signals.testAuthoring)}): they become part of the ${primary} proof`,
    );
  }
  return {
    testable: true,
    class: primary,
    shape: SHAPE_BY_CLASS[primary],
    checks,
    requiredGates: orderGates(gates),
    reasons,
    humanDecisions: [],
  };
}

/**
 * The oracle for a class the planning agent chose (validated, recorded as a decision): the checks
 * and gates of that class, with the heuristic's subject and measurable target. `untestable` blocks
 * the goal on the agent's questions.
 */
export function reclassifyOracle(
  normalized: string,
  heuristic: Oracle,
  chosen: GoalClass | 'untestable',
  why: string,
  questions: readonly string[],
): Oracle {
  if (chosen === 'untestable') {
    return blocked([...heuristic.reasons, `the planning agent found it untestable: ${why}`], [...questions]);
  }
  if (heuristic.testable && heuristic.class === chosen) return heuristic;
  const text = normalizeGoalText(normalized);
  const signals = readSignals(text);
  const context: CheckContext = { subject: subjectOf(signals, text), target: signals.measurable };
  return {
    testable: true,
    class: chosen,
    shape: SHAPE_BY_CLASS[chosen],
    checks: checksFor(chosen, context),
    requiredGates: orderGates([...GATES_BY_CLASS[chosen]]),
    reasons: [
      `class ${chosen}, chosen by the planning agent: ${why}`,
      ...(heuristic.testable
        ? heuristic.reasons
        : [`the heuristic found it untestable (${heuristic.reasons.join('; ')})`]),
    ],
    humanDecisions: [],
  };
}
