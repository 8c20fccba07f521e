import { z } from 'zod';
import { PolicyViolationError } from '../runtime/app/index.js';
import { type ActionCommand, EXECUTING_COMMANDS } from './inputs.js';

/** Events whose runs hold the base repository's write token and secrets while a PR is open. */
export const PRIVILEGED_PR_EVENTS: readonly string[] = ['pull_request_target'];

const pullRequestPayload = z.object({
  pull_request: z.object({
    head: z.object({ repo: z.object({ full_name: z.string() }).nullable() }),
    base: z.object({ repo: z.object({ full_name: z.string() }) }),
  }),
});

export interface ForkCheck {
  /** Why the run must stop, or null. */
  refuse: string | null;
  /** Shown when the workflow opted in to running a fork's code. */
  warn: string | null;
}

/**
 * Under pull_request_target the job has the base repository's write token and secrets, while the
 * PR's head is code its author controls. Running agents or gates on it lets that author act with
 * those credentials, so omk refuses unless the workflow opts in explicitly. A payload that cannot
 * be read as a pull request refuses too: when in doubt, do not execute.
 */
export function checkForkExecution(
  eventName: string | undefined,
  payload: unknown,
  command: ActionCommand,
  allowForkExecution: boolean,
): ForkCheck {
  const none: ForkCheck = { refuse: null, warn: null };
  if (eventName === undefined || !PRIVILEGED_PR_EVENTS.includes(eventName)) return none;
  if (!EXECUTING_COMMANDS.includes(command)) return none;
  const parsed = pullRequestPayload.safeParse(payload);
  const base = parsed.success ? parsed.data.pull_request.base.repo.full_name : null;
  const head = parsed.success ? (parsed.data.pull_request.head.repo?.full_name ?? null) : null;
  if (parsed.success && head !== null && head === base) return none;
  const which = parsed.success
    ? `the PR's head is ${head === null ? 'a deleted fork' : `the fork ${head}`}, not ${base}`
    : 'the event payload does not say where the PR head comes from';
  if (allowForkExecution) {
    return {
      refuse: null,
      warn: `allow-fork-execution is true: running ${command} on ${eventName} although ${which}. Agents and gates run that code with this job's token and secrets.`,
    };
  }
  return {
    refuse:
      `Refusing to ${command} under ${eventName}: ${which}. This event runs with the base repository's ` +
      "write token and secrets, and the fork's author controls the code that agents and gates would run, " +
      'so they could act with those credentials.',
    warn: null,
  };
}

export function forkRefusal(message: string): PolicyViolationError {
  return new PolicyViolationError(message, {
    hint:
      'Run omk on the pull_request event (read-only token, no secrets) for forks, or, after reviewing the PR, ' +
      'set allow-fork-execution: true on this step.',
  });
}
