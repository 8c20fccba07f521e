import type { FakeGitHub } from '../fake-github/server.js';
import { rawExample, record, retarget } from './payloads.js';

type Json = Record<string, unknown>;

function onPull(payload: Json, pr: { number: number; branch: string }, login: string): void {
  const pull = record(payload, 'pull_request');
  pull.number = pr.number;
  record(pull, 'head').ref = pr.branch;
  const sender = record(payload, 'sender');
  sender.login = login;
  sender.type = 'User';
}

/** pull_request_review_comment.created: `comment` as the fake holds it, on the PR's branch. */
export function reviewCommentPayload(
  server: FakeGitHub,
  pr: { number: number; branch: string },
  comment: { id: number; user: string; path: string; line: number; body: string },
): Json {
  const payload = rawExample('pull_request_review_comment', 'created');
  retarget(payload, server);
  onPull(payload, pr, comment.user);
  const c = record(payload, 'comment');
  Object.assign(c, { id: comment.id, path: comment.path, line: comment.line, body: comment.body });
  record(c, 'user').login = comment.user;
  return payload;
}

/** pull_request_review.submitted with changes requested and `body`. */
export function changesRequestedPayload(
  server: FakeGitHub,
  pr: { number: number; branch: string },
  review: { id: number; user: string; body: string },
): Json {
  const payload = rawExample('pull_request_review', 'submitted');
  retarget(payload, server);
  onPull(payload, pr, review.user);
  const r = record(payload, 'review');
  Object.assign(r, { id: review.id, state: 'changes_requested', body: review.body });
  record(r, 'user').login = review.user;
  return payload;
}
