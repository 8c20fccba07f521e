import { quoteUntrusted } from '../graph/paths.js';
import type { Finding } from '../proof/schema.js';
import { finding } from './input.js';

/**
 * GitHub's closing keywords followed by an issue reference (`fixes #1`, `Closes: owner/repo#2`, a
 * full issue URL). A commit whose message holds one closes that issue when it reaches the default
 * branch, and a squash merge's default message is the branch's commit messages: an agent's commit
 * (or a planner's title in omk's own) could close any issue of the repository on merge.
 */
const CLOSING =
  /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?[ \t]+((?:[\w.-]+\/[\w.-]+)?#\d+|https?:\/\/[^\s/]+\/[\w.-]+\/[\w.-]+\/issues\/\d+)/gi;

/** Each closing phrase in `message`, as written (`fixes #1`). */
export function closingReferences(message: string): string[] {
  return [...message.matchAll(CLOSING)].map((match) => match[0]);
}

/**
 * A warning for each commit message on the branch that would close an issue when merged: it is
 * named, not refused (a user's goal may mean to close one), so the person merging sees it.
 */
export function closingReferenceFindings(messages: readonly string[]): Finding[] {
  const phrases = [...new Set(messages.flatMap(closingReferences))];
  if (phrases.length === 0) return [];
  return [
    finding(
      'security',
      'warning',
      `The branch's commit messages hold ${phrases.map(quoteUntrusted).join(', ')}: merged into the ` +
        'default branch, GitHub closes the issues they name. Reword the commits if no issue should close.',
      [],
    ),
  ];
}
