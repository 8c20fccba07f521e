import { STATUS_CODES } from 'node:http';
import type { SchemaIssue } from './validate.js';

/** One request the fake served, API or git. */
export interface RecordedRequest {
  kind: 'api' | 'git';
  method: string;
  /** Pathname, still percent-encoded as sent. */
  path: string;
  query: Record<string, string>;
  /** `METHOD /path/{template}` of the matched operation; null for git and unknown routes. */
  operation: string | null;
  /** GitHub's operation id, e.g. `pulls/create`. */
  operationId: string | null;
  body: unknown;
  status: number;
  responseBody: unknown;
  /** Answered by `failNext` rather than by the fake's logic. */
  injected: boolean;
  /** No such route (or the handler crashed): something omk should not have asked. */
  unexpected: boolean;
  /** The login the request authenticated as; null or absent when it did not. */
  login?: string | null;
}

export interface SchemaErrorRecord {
  method: string;
  path: string;
  operation: string;
  /** params: path/query parameters; request: the JSON body; response: what the fake answered. */
  phase: 'params' | 'request' | 'response';
  status: number | null;
  issues: SchemaIssue[];
}

export interface InjectedFault {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A call that is carried out, whose answer is then replaced (the change happened, the answer was lost). */
export interface LostAnswer extends InjectedFault {
  operationId: string;
}

/**
 * A call held on its way through the fake: `before` it is carried out (then dropped: no change,
 * a 503 to a client that is usually gone) or `after` (the change is made, the answer waits).
 * `act` runs while it is held, e.g. to SIGKILL the client with the request in flight.
 */
export interface HeldCall {
  operationId: string;
  phase: 'before' | 'after';
  act: () => Promise<void>;
}

/**
 * Filter for `count`: an operation key (`'POST /repos/{owner}/{repo}/pulls'`) or operation id
 * (`'pulls/create'`); an object whose given fields must all match; or a predicate.
 */
export type RequestFilter =
  | string
  | Partial<
      Pick<RecordedRequest, 'kind' | 'method' | 'path' | 'operation' | 'operationId' | 'status' | 'injected'>
    >
  | ((request: RecordedRequest) => boolean);

export function matches(request: RecordedRequest, filter: RequestFilter | undefined): boolean {
  if (filter === undefined) return request.kind === 'api';
  if (typeof filter === 'function') return filter(request);
  if (typeof filter === 'string') return request.operation === filter || request.operationId === filter;
  return Object.entries(filter).every(([key, value]) => request[key as keyof RecordedRequest] === value);
}

export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID FAKE:0000.';

export const SECONDARY_RATE_LIMIT_BODY = {
  message: SECONDARY_RATE_LIMIT_MESSAGE,
  documentation_url:
    'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  status: '403',
};

/** What `failNext` answers by default: GitHub's secondary rate limit body for 403/429. */
export function faultBody(status: number): unknown {
  if (status === 403 || status === 429) return { ...SECONDARY_RATE_LIMIT_BODY, status: String(status) };
  return { message: STATUS_CODES[status] ?? 'Error', documentation_url: 'https://docs.github.com/rest' };
}
