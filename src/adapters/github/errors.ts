import { ForgeError } from '../../runtime/errors.js';

/** One entry of a GitHub validation error body (`errors[]`), as documented for REST client errors. */
export interface GitHubErrorDetail {
  resource?: string;
  field?: string;
  code?: string;
  message?: string;
}

export interface GitHubApiErrorInit {
  /** HTTP status; 0 when no response arrived (network failure, timeout). */
  status: number;
  method: string;
  /** Path without query string or host, e.g. `/repos/o/r/pulls/3/merge`. */
  path: string;
  /** GitHub's `message` field, secrets removed. */
  githubMessage: string;
  errors: readonly GitHubErrorDetail[];
  documentationUrl: string | undefined;
  /** `x-github-request-id`, what GitHub support asks for. */
  requestId: string | undefined;
  /** GitHub marked the refusal as a rate limit (headers, not message text). */
  rateLimited?: boolean;
}

/**
 * A failed GitHub API call. Carries the status and GitHub's documented fields so callers branch
 * on data, not on message text; deliberately keeps no `cause`: Octokit's RequestError holds the
 * request headers and the response, and an error chain is what ends up printed in logs.
 */
export class GitHubApiError extends ForgeError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly githubMessage: string;
  readonly errors: readonly GitHubErrorDetail[];
  readonly documentationUrl: string | undefined;
  readonly requestId: string | undefined;
  /** A 403/429 that is a rate limit (still one after throttling gave up), not a missing permission. */
  readonly rateLimited: boolean;

  constructor(init: GitHubApiErrorInit) {
    const what = `GitHub API ${init.method} ${init.path}`;
    const outcome = init.status === 0 ? 'got no response' : `failed with ${init.status}`;
    const detail = init.githubMessage ? `: ${init.githubMessage}` : '.';
    super(`${what} ${outcome}${detail}`, { hint: hintFor(init.status, init.rateLimited ?? false) });
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.githubMessage = init.githubMessage;
    this.errors = init.errors;
    this.documentationUrl = init.documentationUrl;
    this.requestId = init.requestId;
    this.rateLimited = init.rateLimited ?? false;
  }
}

function hintFor(status: number, rateLimited: boolean): string {
  if (rateLimited)
    return 'GitHub rate limit exceeded: wait (see the retry-after / reset time) and run again.';
  if (status === 401)
    return 'The token was refused: check that GITHUB_TOKEN / GH_TOKEN is set, valid and not expired.';
  if (status === 403)
    return 'The token lacks a permission this call needs (contents, pull-requests, checks or issues: write).';
  if (status === 404) return 'The repository or resource does not exist, or the token cannot see it.';
  if (status === 429) return 'GitHub rate limit exceeded: wait and run again.';
  if (status === 0 || status >= 500) return 'GitHub or the network failed; run the same command again.';
  return 'See the GitHub message above; re-running is safe (delivery is idempotent).';
}

/** Replaces every occurrence of each secret (and nothing else) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** The parts of Octokit's RequestError we read; typed structurally so no `any` is needed. */
interface RequestErrorLike {
  status: number;
  message: string;
  request: { method?: string; url?: string };
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

function isRequestErrorLike(error: unknown): error is RequestErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<RequestErrorLike>;
  return (
    typeof candidate.status === 'number' &&
    typeof candidate.request === 'object' &&
    candidate.request !== null
  );
}

function pathOf(url: string | undefined): string {
  if (!url) return '(unknown path)';
  try {
    // Only the path: query strings can carry parameters we would rather not echo.
    return new URL(url, 'https://api.github.invalid').pathname;
  } catch {
    return '(unparseable path)';
  }
}

function detailsOf(data: unknown): {
  message: string;
  errors: GitHubErrorDetail[];
  documentationUrl?: string;
} {
  if (typeof data === 'string') return { message: data.slice(0, 500), errors: [] };
  if (typeof data !== 'object' || data === null) return { message: '', errors: [] };
  const record = data as Record<string, unknown>;
  const errors = Array.isArray(record.errors)
    ? record.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .map(toDetail)
    : [];
  return {
    message: typeof record.message === 'string' ? record.message : '',
    errors,
    documentationUrl: typeof record.documentation_url === 'string' ? record.documentation_url : undefined,
  };
}

function toDetail(entry: Record<string, unknown>): GitHubErrorDetail {
  const pick = (key: string) => (typeof entry[key] === 'string' ? (entry[key] as string) : undefined);
  return { resource: pick('resource'), field: pick('field'), code: pick('code'), message: pick('message') };
}

/**
 * Turns an Octokit RequestError into a GitHubApiError with secrets removed from every string it
 * keeps. Anything else (a bug, an abort) passes through untouched.
 */
export function toForgeError(error: unknown, secrets: readonly string[]): unknown {
  if (error instanceof GitHubApiError || !isRequestErrorLike(error)) return error;
  const response = error.response;
  const details = response ? detailsOf(response.data) : { message: error.message, errors: [] };
  const clean = (text: string) => redact(text, secrets);
  const headers = response?.headers ?? {};
  const requestId = headers['x-github-request-id'];
  // GitHub's documented signals: no quota left, or an explicit wait.
  const rateLimited =
    (error.status === 403 || error.status === 429) &&
    (String(headers['x-ratelimit-remaining']) === '0' || headers['retry-after'] !== undefined);
  return new GitHubApiError({
    status: response ? error.status : 0,
    method: (error.request.method ?? 'GET').toUpperCase(),
    path: clean(pathOf(error.request.url)),
    githubMessage: clean(details.message),
    errors: details.errors.map((d) => ({
      ...d,
      message: d.message === undefined ? undefined : clean(d.message),
    })),
    documentationUrl: details.documentationUrl,
    requestId: requestId === undefined ? undefined : String(requestId),
    rateLimited,
  });
}

/** True for a GitHubApiError with one of `statuses`. */
export function hasStatus(error: unknown, ...statuses: number[]): error is GitHubApiError {
  return error instanceof GitHubApiError && statuses.includes(error.status);
}
