import { UsageError } from '../errors.js';
import { type CreateGoalRequest, createGoalRequestSchema, parseRequest } from '../requests.js';
import { keepsBranchesLocally, MACHINELESS_DEFAULT_POLICY } from './delivery-target.js';
import type { FlaggedStartInput } from './start-options.js';
import type { HostVocabulary } from './vocabulary.js';
import { workflowCommandIn } from './workflow-command.js';

/** A start request as a thread's command gave it: text (its options: app/start-options.ts), validated here. */
export type ThreadStartFields = FlaggedStartInput & { goal: string };

/** Where a start request's repository goes until the job has a checkout: the job replaces it. */
export const REPO_PLACEHOLDER = '.';

/**
 * The start request of a host that keeps no machine between jobs (the bot): PRs by default, never
 * a policy that keeps branches on the machine, and no goal a workflow would read as a command. The
 * fields are validated by the request schema (a `RequestError` the host words); the refusals are
 * `UsageError`s in the host's words.
 */
export function machinelessStartRequest(
  fields: ThreadStartFields,
  idSuffix: string,
  words: HostVocabulary,
): CreateGoalRequest {
  const policy = fields.policy ?? MACHINELESS_DEFAULT_POLICY;
  if (keepsBranchesLocally(policy)) {
    const given = (value: string) => words.fields.given('policy', value);
    throw new UsageError(
      `${given('local')} keeps branches on the machine that ran the goal, and the bot keeps no machine. Use ${given('draft-pr')} (the default) or ${given('auto-pr')}.`,
    );
  }
  const request = parseRequest(createGoalRequestSchema, {
    ...fields,
    rawGoal: fields.goal,
    repo: REPO_PLACEHOLDER,
    policy,
    idSuffix,
  });
  const command = workflowCommandIn(request.goal);
  if (command !== null) {
    throw new UsageError(
      `The goal contains '${command}', which GitHub Actions reads as a workflow command. Rephrase the goal without it.`,
    );
  }
  return request;
}
