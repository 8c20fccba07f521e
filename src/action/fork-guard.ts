import {
  forkExecution,
  PolicyViolationError,
  type PullRequestRepos,
  privilegedPrEvent,
  workflowStepHas,
} from '../runtime/app/index.js';
import type { ActionCommand } from './inputs.js';

export interface ForkCheck {
  /** Why the run must stop, or null. */
  refuse: string | null;
  /** Shown when the workflow opted in to running a fork's code. */
  warn: string | null;
}

/** The runtime's `forkExecution` for this step, in the Action's words. */
export function checkForkExecution(
  eventName: string | undefined,
  repos: PullRequestRepos | null,
  command: ActionCommand,
  allowForkExecution: boolean,
): ForkCheck {
  const verdict = forkExecution({
    privileged: privilegedPrEvent(eventName),
    executes: workflowStepHas(command, 'executes'),
    repos,
    allowForkExecution,
  });
  if (verdict.kind === 'allowed') return { refuse: null, warn: null };
  const which =
    verdict.repos === null
      ? 'the event payload does not say where the PR head comes from'
      : `the PR's head is ${verdict.repos.head === null ? 'a deleted fork' : `the fork ${verdict.repos.head}`}, not ${verdict.repos.base}`;
  if (verdict.kind === 'opted_in') {
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
