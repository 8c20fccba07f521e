import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { PullRequestRepos } from '../../runtime/app/index.js';
import { ConfigError } from '../../runtime/app/index.js';
import type { RepoCoordinates } from '../../runtime/app/ports.js';

type Env = Readonly<Record<string, string | undefined>>;

const blankToUndefined = (value: string | undefined) => (value === '' ? undefined : value);
const optional = z.string().optional().transform(blankToUndefined);

/** The runner's environment, as far as omk reads it. The runner sets all of these. */
const githubEnvSchema = z.object({
  GITHUB_REPOSITORY: z
    .string({ error: 'GITHUB_REPOSITORY is not set: this Action runs in a GitHub Actions job.' })
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'GITHUB_REPOSITORY must be OWNER/NAME.' }),
  GITHUB_WORKSPACE: optional,
  GITHUB_EVENT_NAME: optional,
  GITHUB_EVENT_PATH: optional,
  GITHUB_API_URL: optional,
  GITHUB_SERVER_URL: optional,
  GITHUB_BASE_REF: optional,
  GITHUB_REF_NAME: optional,
  GITHUB_REF_TYPE: optional,
  GITHUB_RUN_ID: optional,
  GITHUB_JOB: optional,
  GITHUB_RUN_ATTEMPT: optional,
  RUNNER_NAME: optional,
  RUNNER_TEMP: optional,
  GITHUB_ACTOR: optional,
  GITHUB_TRIGGERING_ACTOR: optional,
});

export interface GitHubEnv {
  repo: RepoCoordinates;
  /** The checkout the job works in; working-directory is relative to it. */
  workspace: string | undefined;
  eventName: string | undefined;
  eventPath: string | undefined;
  serverUrl: string;
  /** The branch a PR targets, or the branch a push or dispatch ran on: where PRs go by default. */
  defaultBase: string | undefined;
  runnerTemp: string | undefined;
  /**
   * The workflow run (GITHUB_RUN_ID): the same for every attempt of it ("Re-run jobs"), so a goal
   * a run creates can be found again by the rerun.
   */
  runId: string | undefined;
  /** The job's id in the workflow (GITHUB_JOB): also the same on a rerun. */
  job: string | undefined;
  /** GITHUB_RUN_ATTEMPT: 1, and one more on each rerun; every cell of a matrix job shares it. */
  runAttempt: string | undefined;
  /** RUNNER_NAME: the runner this job runs on; each job of an attempt has its own. */
  runnerName: string | undefined;
  /**
   * Who started this attempt: GITHUB_TRIGGERING_ACTOR (the person who re-ran it), else
   * GITHUB_ACTOR (who started the run).
   */
  actor: string | undefined;
}

export function readGitHubEnv(env: Env): GitHubEnv {
  const result = githubEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(`The job environment is incomplete:\n${z.prettifyError(result.error)}`, {
      hint: 'Run this Action as a step of a GitHub Actions job (uses: omk/goal-action@v1).',
      cause: result.error,
    });
  }
  const v = result.data;
  const [owner = '', name = ''] = v.GITHUB_REPOSITORY.split('/');
  return {
    repo: { owner, name },
    workspace: v.GITHUB_WORKSPACE,
    eventName: v.GITHUB_EVENT_NAME,
    eventPath: v.GITHUB_EVENT_PATH,
    serverUrl: v.GITHUB_SERVER_URL ?? 'https://github.com',
    defaultBase: v.GITHUB_BASE_REF ?? (v.GITHUB_REF_TYPE === 'branch' ? v.GITHUB_REF_NAME : undefined),
    runnerTemp: v.RUNNER_TEMP,
    runId: v.GITHUB_RUN_ID,
    job: v.GITHUB_JOB,
    runAttempt: v.GITHUB_RUN_ATTEMPT,
    runnerName: v.RUNNER_NAME,
    actor: v.GITHUB_TRIGGERING_ACTOR ?? v.GITHUB_ACTOR,
  };
}

/** The webhook payload that triggered the run (GITHUB_EVENT_PATH); null when there is none. */
export async function readEventPayload(eventPath: string | undefined): Promise<unknown> {
  if (eventPath === undefined) return null;
  let text: string;
  try {
    text = await readFile(eventPath, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the event payload at GITHUB_EVENT_PATH (${eventPath}).`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`The event payload at GITHUB_EVENT_PATH is not JSON.`, { cause: error });
  }
}

const pullRequestPayload = z.object({
  pull_request: z.object({
    head: z.object({ repo: z.object({ full_name: z.string() }).nullable() }),
    base: z.object({ repo: z.object({ full_name: z.string() }) }),
  }),
});

/** Where a pull_request* payload's head and base live; null when the payload does not say. */
export function pullRequestRepos(payload: unknown): PullRequestRepos | null {
  const parsed = pullRequestPayload.safeParse(payload);
  if (!parsed.success) return null;
  const pull = parsed.data.pull_request;
  return { head: pull.head.repo?.full_name ?? null, base: pull.base.repo.full_name };
}
