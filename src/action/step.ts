import type { GitHubEnv } from '../adapters/actions-runner/github-env.js';
import { pullRequestRepos, readEventPayload, readGitHubEnv } from '../adapters/actions-runner/github-env.js';
import { saveJobTrace } from '../adapters/actions-runner/job-trace.js';
import { scrubOwnSecrets } from '../adapters/process/own-secrets.js';
import {
  gateGroups,
  goalProgress,
  pickStartOptions,
  privilegedPrEvent,
  runWorkflowStep,
  startRequestInput,
  type WorkflowStepHost,
  type WorkflowStepRequest,
  warnsLocalPolicy,
} from '../runtime/app/index.js';
import { renderProofText, renderStepSummary, unscrubbedWarning } from '../runtime/app/render.js';
import { gateAnnotations } from './annotations.js';
import { type ActionDeps, composeActionRuntime } from './compose.js';
import { checkForkExecution, forkRefusal } from './fork-guard.js';
import { type ActionInputs, readInputs } from './inputs.js';
import { TOKEN_INPUTS } from './mask.js';
import { type CommandOutcome, verdict, wordOutcome } from './outcome.js';
import { actionOutputs } from './outputs.js';
import { ACTION_STEPS, ACTION_WORDS, LOCAL_POLICY_WARNING } from './wording.js';

export interface StepResult {
  summary: string;
  /** Why the step fails (a judged proof or a refusal), or null. */
  failure: string | null;
}

/**
 * One step: validate the inputs, refuse a fork's code under pull_request_target, compose the
 * runtime, run the command, publish outputs and annotations. Throws on errors; the runner turns
 * them, and the failure returned here, into the one setFailed.
 */
export async function runStep(deps: ActionDeps): Promise<StepResult> {
  const { core } = deps;
  const inputs = readInputs((name) => core.getInput(name));
  // Git, gates and agents inherit this environment; none of them needs the token from here.
  for (const input of TOKEN_INPUTS) delete deps.env[`INPUT_${input.toUpperCase()}`];
  // And out of the block /proc/<pid>/environ shows every process of this user, agents included.
  const unscrubbed = scrubOwnSecrets();
  if (unscrubbed !== null) {
    const { message, remedy } = unscrubbedWarning(unscrubbed, ACTION_WORDS);
    core.warning(`${message}. ${remedy}`);
  }
  const github = readGitHubEnv(deps.env);
  const repos = privilegedPrEvent(github.eventName)
    ? pullRequestRepos(await readEventPayload(github.eventPath))
    : null;
  const fork = checkForkExecution(github.eventName, repos, inputs.command, inputs.allowForkExecution);
  if (fork.refuse !== null) throw forkRefusal(fork.refuse);
  if (fork.warn !== null) core.warning(fork.warn);
  // The policy is recorded when run or plan creates the goal.
  if (warnsLocalPolicy(inputs.command, inputs.policy)) core.warning(LOCAL_POLICY_WARNING);
  const host = await composeActionRuntime(deps, inputs, github);
  // Before any worktree, branch or credential change: the post step undoes those, and only those.
  await saveJobTrace(core, host.repoRoot, host.app.store.deps.stateRoot);
  const outcome = wordOutcome(await runWorkflowStep(host, stepRequest(inputs, github)));
  await publish(core, host, github, outcome);
  const progress = await goalProgress(host.app.store, outcome.goalId);
  return {
    summary: renderStepSummary({ ...outcome, notes: outcome.summaryNotes }, progress, ACTION_STEPS),
    failure: verdict(outcome, inputs.failOnNotReady),
  };
}

/** The step the inputs ask for, where the workflow runs it. */
function stepRequest(inputs: ActionInputs, github: GitHubEnv): WorkflowStepRequest {
  const { goal, baseBranch } = inputs;
  const { runId, job, repo, runAttempt, runnerName, defaultBase } = github;
  return {
    step: inputs.command,
    goalId: inputs.goalId,
    slice: inputs.slice,
    goal: goal === undefined ? undefined : { ...goal, key: inputs.goalKey },
    options: startRequestInput(pickStartOptions(inputs, 'action')),
    place: { repo: `${repo.owner}/${repo.name}`, runId, job, runAttempt, runnerName },
    dryRun: inputs.dryRun,
    ...(baseBranch === undefined ? {} : { base: baseBranch }),
    ...(defaultBase === undefined ? {} : { fallbackBase: defaultBase }),
    method: inputs.mergeMethod,
    ...(inputs.summary === undefined ? {} : { summary: inputs.summary }),
  };
}

async function publish(
  core: ActionDeps['core'],
  host: WorkflowStepHost,
  github: GitHubEnv,
  outcome: CommandOutcome,
): Promise<void> {
  for (const [name, value] of Object.entries(actionOutputs(outcome))) core.setOutput(name, value);
  if (outcome.command === 'run' || outcome.command === 'execute') {
    const groups = await gateGroups(host.app.store, outcome.goalId, outcome.proof);
    const where = { repoRoot: host.repoRoot, workspace: github.workspace };
    for (const annotation of gateAnnotations(groups, where)) {
      core[annotation.level](annotation.message, annotation.target);
    }
  }
  await core.group(`omk: proof of goal ${outcome.goalId} (${outcome.proof.status})`, async () =>
    core.info(renderProofText(outcome.proof, ACTION_STEPS)),
  );
  for (const note of outcome.notes) core.info(`omk: ${note}`);
}
