// Constraint clauses: what a goal forbids or preserves rather than what it asks to change. "add no
// new dependencies" or "keep the public API" bind every slice and the review; they are never work
// of their own, and their verbs ("add", "change") say nothing about the goal's class.

const CONSTRAINT_START =
  /^(?:(?:and|but|also|please|while|then)\s+)*(?:do\s+not|don't|dont|never|must\s+not|should\s+not|shall\s+not|without|keep|preserve|retain|avoid|leave\s+\S+(?:\s+\S+)?\s+(?:unchanged|untouched|alone|as\s+is)|(?:add|introduce|use|change|break|touch)\s+no\b|no\s+(?:new|breaking|changes?|api|public)\b)/i;

/** Is this clause (already split from the goal) a constraint rather than a piece of work? */
export function isConstraintClause(text: string): boolean {
  return CONSTRAINT_START.test(text.trim());
}

/**
 * The goal text without its constraint clauses, for reading what kind of change the goal asks for:
 * "refactor the parser and add no new dependencies" is a rewrite, not greenfield.
 */
export function withoutConstraints(text: string): string {
  return text
    .split(/(;|,|\.\s|\band\b|\bbut\b|\bwhile\b)/i)
    .filter((piece) => !isConstraintClause(piece))
    .join('');
}
