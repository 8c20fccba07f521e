import { type OmkError, RequestError } from '../errors.js';
import { describeIssues } from '../request-issue-text.js';
import type { HostVocabulary } from './vocabulary.js';

/**
 * A typed error in a host's words, the one rule every front door's error path follows: a
 * request's issues one line each with the fields as the host spells them, any other error its own
 * message; the hint (if any) with its steps as the host's commands.
 */
export function errorWords(error: OmkError, words: HostVocabulary): { message: string; hint?: string } {
  const message = error instanceof RequestError ? describeIssues(error.issues, words.fields) : error.message;
  const hint = error.hintIn(words.steps);
  return hint === undefined ? { message } : { message, hint };
}
