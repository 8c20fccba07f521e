import { type OmkError, RequestError } from '../errors.js';
import { describeIssue } from '../request-issue-text.js';
import type { RequestIssue } from '../request-issues.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * A typed error in a host's words, the one rule every front door's error path follows: a
 * request's issues one line each with the fields as the host spells them (`issueLine`, where a
 * host words an issue further), any other error its own message; the hint (if any) with its steps
 * as the host's commands.
 */
export function errorWords(
  error: OmkError,
  words: HostVocabulary,
  issueLine: (issue: RequestIssue) => string = (issue) => describeIssue(issue, words.fields),
): { message: string; hint?: string } {
  const message = error instanceof RequestError ? error.issues.map(issueLine).join('\n') : error.message;
  const hint = error.hintIn(words.steps);
  return hint === undefined ? { message } : { message, hint };
}
