import { errorWords, OmkError } from '../runtime/app/index.js';
import { renderFailureSummary } from '../runtime/app/render.js';
import { ACTION_WORDS, wordIssue } from './wording.js';

/** An omk error says what to do next (a request's issues each under its input); anything else is a bug and says so. */
export function describeError(error: unknown): string {
  if (error instanceof OmkError) {
    const { message, hint } = errorWords(error, ACTION_WORDS, wordIssue);
    return hint === undefined ? message : `${message}\n${hint}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `omk failed unexpectedly: ${message}\nThis is a bug in omk; please report it with this step's log (rerun with debug logging for the stack).`;
}

/** What the runner reports of an error: its message, the job summary and, for a bug, the stack. */
export function failureReport(error: unknown): {
  failure: string;
  summary: string;
  stack: string | undefined;
} {
  const failure = describeError(error);
  const bug = !(error instanceof OmkError) && error instanceof Error;
  return { failure, summary: renderFailureSummary(failure), stack: bug ? error.stack : undefined };
}
