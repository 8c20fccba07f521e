/** Where a pull request's head and base live (`owner/name`); a deleted fork's head is null. */
export interface PullRequestRepos {
  head: string | null;
  base: string;
}

/** What a step that would run a PR's code may do under an event that holds the base's secrets. */
export type ForkExecution =
  | { kind: 'allowed' }
  /** The head is not the base repository's (or the event does not say): refused, or run by opt-in. */
  | { kind: 'refused' | 'opted_in'; repos: PullRequestRepos | null };

/**
 * Under an event whose run holds the base repository's write token and secrets while a PR is
 * open (pull_request_target), the PR's head is code its author controls: running agents or
 * gates on it lets that author act with those credentials. A step that runs repository code is
 * refused there unless the head is the base repository's or the workflow opts in explicitly; a
 * payload that does not say where the head comes from (`repos` null) refuses too: when in
 * doubt, do not execute.
 */
export function forkExecution(request: {
  privileged: boolean;
  executes: boolean;
  repos: PullRequestRepos | null;
  allowForkExecution: boolean;
}): ForkExecution {
  const { repos } = request;
  if (!request.privileged || !request.executes) return { kind: 'allowed' };
  if (repos !== null && repos.head !== null && repos.head === repos.base) return { kind: 'allowed' };
  return { kind: request.allowForkExecution ? 'opted_in' : 'refused', repos };
}
