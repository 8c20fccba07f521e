import type { RepoSettings } from '../config/repo-settings.js';
import type { MergeMethod } from '../forge/port.js';
import type { RequestField } from '../request-issues.js';
import type { CreateGoalRequest } from '../requests.js';
import type { ReviewReplies } from './fix.js';
import { repoBudgetCap, withRepoSettings } from './repo-settings-rules.js';
import type { ThreadOrigin } from './shared-goal.js';
import { goalCommandOnThread, type ThreadAnswer, type ThreadPlace } from './thread-answer.js';
import type { ThreadCheckout } from './thread-host.js';
import { startOnThread, type ThreadRunHost, type ThreadRunOptions, type ThreadStart } from './thread-run.js';
import type { ThreadGoalCommand } from './thread-step.js';
import type { HostVocabulary } from './vocabulary.js';

/** The repository a thread's host runs goals of, as the host knows it. */
export interface ThreadRepo {
  /** The method integrator PRs merge by: the setting when the repository allows it, else one it allows. */
  mergeMethod(setting: MergeMethod | undefined): Promise<MergeMethod>;
  /** The branch PRs target when the goal names none (the repository's default branch). */
  fallbackBase: string;
  replies: ReviewReplies;
}

/** How a goal runs by the repository's `.github/omk.yml`: its agent (else the operator's) and its merge method. */
export function repoRunOptions(settings: RepoSettings, repo: ThreadRepo): ThreadRunOptions {
  return {
    agent: settings.agent,
    method: () => repo.mergeMethod(settings.mergeMethod),
    fallbackBase: repo.fallbackBase,
    replies: repo.replies,
  };
}

/** `/omk goal run` from a thread by the repository's settings. */
export interface RepoStartRequest {
  create: CreateGoalRequest;
  /** The request fields the command gave: the settings fill the others. */
  given: readonly RequestField[];
  origin: ThreadOrigin;
  settings: RepoSettings;
}

/**
 * A goal started from a thread (`startOnThread`) with the repository's defaults for what the
 * command did not give and the settings' agent and merge method; a start asking for more budget
 * than the file allows is refused (a UsageError) before anything is shown or planned.
 */
export async function repoStartOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  request: RepoStartRequest,
  repo: ThreadRepo,
  words: HostVocabulary,
): Promise<ThreadStart> {
  const { settings, origin } = request;
  const create = withRepoSettings(request.create, request.given, settings, words);
  return startOnThread(host, { ...repoRunOptions(settings, repo), create, origin });
}

/**
 * A command on one goal from a thread (`goalCommandOnThread`) by the repository's settings: a
 * resume runs their agent, a merge uses their method, and a budget command may not raise the
 * goal's budget past their cap.
 */
export function repoGoalCommandOnThread<W extends ThreadCheckout>(
  host: ThreadRunHost<W>,
  request: { goalId: string; command: ThreadGoalCommand; settings: RepoSettings },
  repo: ThreadRepo,
  place: ThreadPlace,
  words: HostVocabulary,
): Promise<{ answer: ThreadAnswer; busy: boolean }> {
  const { goalId, command, settings } = request;
  const options = repoRunOptions(settings, repo);
  const budgetCap = repoBudgetCap(settings, words);
  const asked = {
    goalId,
    command,
    method: options.method,
    ...(budgetCap === undefined ? {} : { budgetCap }),
    agent: options.agent,
    fallbackBase: options.fallbackBase,
  };
  return goalCommandOnThread(host, asked, options, place, words);
}
