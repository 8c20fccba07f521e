import { createRequire } from 'node:module';
import type { FakeGitHub } from '../fake-github/server.js';
import { OWNER, REPO } from '../helpers/github.js';

export type EventName =
  | 'issue_comment'
  | 'check_suite'
  | 'check_run'
  | 'status'
  | 'pull_request_review'
  | 'pull_request_review_comment';

export const INSTALLATION_ID = 4242;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(parent: Json, key: string): Json {
  const value = parent[key];
  if (!isRecord(value)) throw new Error(`example payload has no object '${key}'`);
  return value;
}

/** The real example payloads of one event, from @octokit/webhooks-examples (its JSON, as published). */
function examplesOf(event: EventName): unknown[] {
  const definitions: unknown = createRequire(import.meta.url)('@octokit/webhooks-examples');
  if (!Array.isArray(definitions)) throw new Error('@octokit/webhooks-examples: not a list');
  const definition: unknown = definitions.find((d: unknown) => isRecord(d) && d.name === event);
  return isRecord(definition) && Array.isArray(definition.examples) ? definition.examples : [];
}

/** A deep copy of the first real example payload for `event`/`action`. */
export function rawExample(event: EventName, action: string | null): Json {
  const example = examplesOf(event).find((e) => action === null || (isRecord(e) && e.action === action));
  if (!isRecord(example)) throw new Error(`no example for ${event}.${action}`);
  return structuredClone(example);
}

/** Points the payload's repository at the fake (its URLs decide where the bot calls and clones). */
export function retarget(payload: Json, server: FakeGitHub): void {
  const repository = record(payload, 'repository');
  repository.name = REPO;
  repository.full_name = `${OWNER}/${REPO}`;
  repository.url = `${server.url}/repos/${OWNER}/${REPO}`;
  repository.html_url = `${server.url}/${OWNER}/${REPO}`;
  repository.default_branch = 'main';
  record(repository, 'owner').login = OWNER;
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
}

export interface CommentOverrides {
  issue: number;
  commentId: number;
  body: string;
  login: string;
  senderType: string;
}

export function examplePayload(
  event: 'issue_comment',
  action: 'created' | 'edited',
  server: FakeGitHub,
  overrides: CommentOverrides,
): Json {
  const payload = rawExample(event, action);
  retarget(payload, server);
  record(payload, 'issue').number = overrides.issue;
  const comment = record(payload, 'comment');
  comment.id = overrides.commentId;
  comment.body = overrides.body;
  const user = record(comment, 'user');
  user.login = overrides.login;
  user.type = overrides.senderType;
  const sender = record(payload, 'sender');
  sender.login = overrides.login;
  sender.type = overrides.senderType;
  return payload;
}

/** check_suite.completed for a head branch and SHA (the example's PR list retargeted to it). */
export function checkSuitePayload(server: FakeGitHub, branch: string, sha: string): Json {
  const payload = rawExample('check_suite', 'completed');
  retarget(payload, server);
  const suite = record(payload, 'check_suite');
  suite.head_branch = branch;
  suite.head_sha = sha;
  suite.conclusion = 'success';
  const pulls = suite.pull_requests;
  if (Array.isArray(pulls)) {
    for (const pull of pulls) if (isRecord(pull)) Object.assign(record(pull, 'head'), { ref: branch, sha });
  }
  return payload;
}

/** pull_request_review.submitted on a PR whose head is `branch`. */
export function reviewPayload(server: FakeGitHub, branch: string, number: number): Json {
  const payload = rawExample('pull_request_review', 'submitted');
  retarget(payload, server);
  const pull = record(payload, 'pull_request');
  pull.number = number;
  record(pull, 'head').ref = branch;
  record(payload, 'review').state = 'approved';
  return payload;
}
