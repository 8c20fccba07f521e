import { isConstraintClause } from '../goal/constraints.js';

// Splits a goal into clauses, one unit of work each. The rules are few and literal so a reader can
// predict them: sentences and ';' always split; "then" always splits; "and" and "," split only when
// an action verb with an object follows, which keeps "search and replace in the editor" whole.

/** A constraint ("add no new dependencies", "keep the public API") binds every slice; it is no slice. */
export type ClauseKind = 'code' | 'test' | 'docs' | 'constraint';

export interface Clause {
  text: string;
  kind: ClauseKind;
}

const ACTION_VERBS = new Set(
  `fix add write update implement create build remove delete drop rename refactor rewrite migrate convert port replace
  move extract split harden secure sanitize sanitise validate escape optimize optimise speed reduce improve make
  document test cover ensure handle support introduce expose upgrade bump clean simplify restructure reorganize
  deduplicate enable disable allow prevent limit cache return throw accept reject increase decrease change repair
  resolve emit print log rate throttle guard`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

/** Words after which a verb is not acting on an object: "search and replace in the editor". */
const NOT_AN_OBJECT = new Set(
  'in on at for to of with from into by as and or but then than when if via per across without within'.split(
    ' ',
  ),
);

const LEAD_IN = /^(?:(?:and|then|also|please|finally|next|afterwards|we should|should|to)\s+)+/i;
const ABBREVIATION_END = /(?:^|\s)(?:e\.g|i\.e|etc|vs|cf|approx|no)$/i;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}'-]+/u)
    .filter((word) => word !== '');
}

function clean(text: string): string {
  return text
    .replace(LEAD_IN, '')
    .replace(/^[\s,.;:]+|[\s,.;:]+$/g, '')
    .trim();
}

export function hasAction(text: string): boolean {
  return words(text).some((word) => ACTION_VERBS.has(word));
}

/** Does this text start a new clause: an action verb followed by its object? */
function startsClause(text: string): boolean {
  if (isConstraintClause(clean(text)) && words(clean(text)).length >= 2) return true;
  const [verb, next] = words(clean(text));
  return verb !== undefined && ACTION_VERBS.has(verb) && next !== undefined && !NOT_AN_OBJECT.has(next);
}

/** A piece of the goal and the separator that preceded it, so a merge can restore the wording. */
interface Piece {
  text: string;
  joiner: string;
}

function sentences(goal: string): Piece[] {
  const out: Piece[] = [];
  let joiner = '';
  for (const part of goal.split(/;\s*/)) {
    let current = '';
    for (const piece of part.split(/(?<=\.)\s+/)) {
      current = current === '' ? piece : `${current} ${piece}`;
      // "e.g. foo" stays joined: only a period after a real word ends a sentence.
      if (!ABBREVIATION_END.test(current.replace(/\.$/, ''))) {
        out.push({ text: current, joiner });
        current = '';
        joiner = '. ';
      }
    }
    if (current !== '') out.push({ text: current, joiner });
    joiner = '; ';
  }
  return out;
}

const SEPARATOR = /(\s*,?\s+then\s+|\s*,\s*(?:and\s+)?|\s+and\s+)/i;

function splitSentence(sentence: Piece): Piece[] {
  const parts = sentence.text.split(SEPARATOR);
  const out: Piece[] = [];
  let current = parts[0] ?? '';
  let joiner = sentence.joiner;
  for (let i = 1; i < parts.length; i += 2) {
    const separator = parts[i] ?? '';
    const next = parts[i + 1] ?? '';
    const rest = parts.slice(i + 1).join('');
    const isThen = /\bthen\b/i.test(separator);
    const enoughWords = words(current).length >= 2 && words(next).length >= 1;
    if (clean(next) !== '' && clean(current) !== '' && (isThen || (enoughWords && startsClause(rest)))) {
      out.push({ text: current, joiner });
      current = next;
      joiner = separator.replace(/\s+/g, ' ');
    } else {
      current += separator + next;
    }
  }
  out.push({ text: current, joiner });
  return out;
}

/** "… with tests" ending a change: the change comes with its tests, it is not a test clause. */
const WITH_TESTS =
  /\s+(?:with|including|plus)\s+(?:(?:unit|regression|integration|acceptance|new|some|its|their|a|an)\s+)*(?:tests?|specs?|test cases?)$/;

export function classifyClause(text: string): ClauseKind {
  if (isConstraintClause(text)) return 'constraint';
  const lower = text.toLowerCase();
  const change = lower.replace(WITH_TESTS, '');
  if (change !== lower && !/^(?:cover|test)\b/.test(change) && classifyClause(change) === 'code')
    return 'code';
  const mentionsTests = /\b(?:tests?|specs?|coverage|test cases?)\b/.test(lower);
  const repairsCode = /\b(?:fix\w*|failing|fails|broken|flaky|repair\w*|debug\w*)\b/.test(lower);
  if (
    mentionsTests &&
    !repairsCode &&
    /^(?:add|write|create|extend|increase|improve|cover|test)\b/.test(lower)
  ) {
    return 'test';
  }
  if (
    /\b(?:readme|docs?|documentation|changelog|contributing|guide|tutorial)\b/.test(lower) ||
    /^document\b/.test(lower)
  ) {
    return 'docs';
  }
  return 'code';
}

/**
 * Clauses of a goal, work in order (at most `max`), then its constraints. A piece without an action verb joins the clause
 * before it (or the first one after it); pieces beyond `max` join the last clause so nothing is dropped.
 */
export function splitClauses(goal: string, max = Number.POSITIVE_INFINITY): Clause[] {
  const pieces = sentences(goal)
    .flatMap(splitSentence)
    .map((piece) => ({ ...piece, text: clean(piece.text) }))
    .filter((piece) => piece.text !== '');
  const merged: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    const last = merged.length - 1;
    if (isConstraintClause(piece.text)) {
      merged.push(piece.text);
    } else if (hasAction(piece.text)) {
      merged.push(pending === '' ? piece.text : `${pending}${piece.joiner}${piece.text}`);
      pending = '';
    } else if (last >= 0) {
      // Context after an action ("The parser lives in src.") elaborates on that action.
      merged[last] = `${merged[last]}${piece.joiner}${piece.text}`;
    } else {
      pending = pending === '' ? piece.text : `${pending}${piece.joiner}${piece.text}`;
    }
  }
  if (pending !== '') merged.push(pending);
  const work = merged.filter((text) => !isConstraintClause(text));
  // A goal made only of constraints still asks for something: its clauses are the work.
  if (work.length === 0) return merged.map((text) => ({ text, kind: 'code' }));
  const cap = Math.max(1, max);
  const kept = work.length > cap ? [...work.slice(0, cap - 1), work.slice(cap - 1).join('; ')] : work;
  return [
    ...kept.map((text) => ({ text, kind: classifyClause(text) })),
    ...merged.filter(isConstraintClause).map((text): Clause => ({ text, kind: 'constraint' })),
  ];
}
