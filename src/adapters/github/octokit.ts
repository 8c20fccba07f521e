import type { Octokit as OctokitCore, OctokitOptions } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';
import { ForgeError } from '../../runtime/errors.js';
import { redact, toForgeError } from './errors.js';
import { maskValues } from './token-mask.js';

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * Statuses the retry plugin must not repeat: the answer will not change (4xx), or the call was
 * already effective / refused for a reason a retry cannot fix (405, 409 on merge). 403 and 429
 * belong to the throttling plugin, which retries only the ones GitHub marks as rate limits and
 * waits as long as GitHub asks, instead of the retry plugin's blind backoff.
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 429, 451] as const;

/** Rate-limited requests are retried at most this many times. */
export const RATE_LIMIT_RETRIES = 2;

export interface GitHubLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface CreateOctokitOptions {
  token: string;
  /** REST root; the caller passes `GITHUB_API_URL` (GitHub Enterprise: `https://host/api/v3`). */
  baseUrl?: string;
  userAgent?: string;
  /** Retry 5xx and network failures (default true). Tests turn it off unless they test it. */
  retry?: boolean;
  /** Handle primary and secondary rate limits (default true). Tests turn it off unless they test it. */
  throttle?: boolean;
  request?: { fetch?: typeof globalThis.fetch };
  log?: Partial<GitHubLog>;
  /** Milliseconds per "second" of wait the plugins compute: 1000 in production, ~1 in tests. */
  retryAfterBaseMs?: number;
  /** A rate limit asking to wait longer than this is not waited out: the call fails instead. */
  maxRateLimitWaitSeconds?: number;
  /** Bound on each attempt (default 60 s): a hung connection must not hang a workflow. */
  requestTimeoutMs?: number;
  /**
   * Milliseconds between two writes (POST, PATCH, PUT, DELETE); writes that notify people (a
   * comment, a PR) wait three times as long. Default: `OMK_GITHUB_WRITE_INTERVAL_MS`, else 1000,
   * GitHub's guidance against secondary rate limits.
   */
  writeIntervalMs?: number;
}

/** GitHub asks for at least a second between writes; the throttling plugin's own default. */
export const DEFAULT_WRITE_INTERVAL_MS = 1000;
const MAX_WRITE_INTERVAL_MS = 60_000;

/**
 * The write interval `OMK_GITHUB_WRITE_INTERVAL_MS` asks for: a whole number of milliseconds,
 * 0 to 60000 (0 for a GitHub Enterprise Server without secondary limits, or a forge on loopback).
 */
export function writeIntervalFrom(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_WRITE_INTERVAL_MS;
  const ms = Number(raw.trim());
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_WRITE_INTERVAL_MS) {
    throw new ForgeError(
      `OMK_GITHUB_WRITE_INTERVAL_MS '${raw}' is not a whole number of milliseconds from 0 to 60000.`,
      {
        hint: `Unset it for GitHub's guidance (${DEFAULT_WRITE_INTERVAL_MS} ms between writes), or set e.g. OMK_GITHUB_WRITE_INTERVAL_MS=250.`,
      },
    );
  }
  return ms;
}

interface WriteGroups {
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
}

/**
 * One pair of limiter groups per interval for the whole process, as the throttling plugin keeps
 * its own: two clients of one process (the bot's installations, a CI token beside omk's) still
 * space their writes together.
 */
const writeGroups = new Map<number, WriteGroups>();

function writeGroupsFor(intervalMs: number): WriteGroups {
  let groups = writeGroups.get(intervalMs);
  if (!groups) {
    const timeout = 2 * 60 * 1000;
    groups = {
      write: new Bottleneck.Group({
        id: `omk-write-${intervalMs}`,
        maxConcurrent: 1,
        minTime: intervalMs,
        timeout,
      }),
      notifications: new Bottleneck.Group({
        id: `omk-notifications-${intervalMs}`,
        maxConcurrent: 1,
        minTime: 3 * intervalMs,
        timeout,
      }),
    };
    writeGroups.set(intervalMs, groups);
  }
  return groups;
}

type LimitOptions = { method: string; url: string };

/**
 * Per-attempt timeout. Registered before the retry plugin so it wraps each attempt, not the
 * whole retried call; a TimeoutError surfaces as a status-500 RequestError, which is retried.
 */
function requestTimeout(octokit: OctokitCore, options: OctokitOptions) {
  const configured: unknown = options.requestTimeoutMs;
  const ms = typeof configured === 'number' ? configured : 60_000;
  octokit.hook.wrap('request', (request, endpoint) => {
    const signal = endpoint.request?.signal ?? AbortSignal.timeout(ms);
    return request({ ...endpoint, request: { ...endpoint.request, signal } });
  });
  return {};
}

// Plugin order matters: later plugins wrap earlier ones, so throttling sees a call only after
// the retry plugin has given up on it.
const GitHubOctokit = Octokit.plugin(requestTimeout, retry, throttling);

export type GitHubClient = InstanceType<typeof GitHubOctokit>;

/**
 * The one Octokit factory. Retry (5xx, network), throttling (rate limits, bounded), and an
 * outermost hook that turns every failure into a GitHubApiError with the token removed, so no
 * caller can leak it by printing an error.
 */
export function createOctokit(options: CreateOctokitOptions): GitHubClient {
  const secrets = maskValues(options.token);
  const log = quietLog(options.log, secrets);
  const base = options.retryAfterBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const writeIntervalMs =
    options.writeIntervalMs ?? writeIntervalFrom(process.env.OMK_GITHUB_WRITE_INTERVAL_MS);
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: LimitOptions, _octokit: unknown, retryCount: number): boolean => {
      const what = `${kind} for ${request.method} ${request.url}`;
      if (retryCount >= RATE_LIMIT_RETRIES) {
        log.warn(`GitHub ${what}: giving up after ${retryCount} retries.`);
        return false;
      }
      if (retryAfter > maxWait) {
        log.warn(`GitHub ${what}: asked to wait ${retryAfter}s, more than ${maxWait}s; not retrying.`);
        return false;
      }
      log.warn(`GitHub ${what}: retry ${retryCount + 1}/${RATE_LIMIT_RETRIES} in ${retryAfter}s.`);
      return true;
    };
  const octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'omk',
    log,
    request: options.request?.fetch ? { fetch: options.request.fetch } : {},
    requestTimeoutMs: options.requestTimeoutMs,
    retry: {
      enabled: options.retry ?? true,
      doNotRetry: [...DO_NOT_RETRY],
      retries: 3,
      retryAfterBaseValue: base,
    },
    throttle: {
      enabled: options.throttle ?? true,
      ...writeGroupsFor(writeIntervalMs),
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
  // Registered last, so outermost: it sees the final failure after retries and throttling.
  octokit.hook.wrap('request', async (request, endpoint) => {
    try {
      return await request(endpoint);
    } catch (error) {
      throw toForgeError(error, secrets);
    }
  });
  return octokit;
}

/**
 * Octokit passes request options (headers included) as a second argument to debug logs; only the
 * message string reaches the injected logger, with secrets removed. Silent by default.
 */
function quietLog(log: Partial<GitHubLog> | undefined, secrets: readonly string[]): GitHubLog {
  const send = (level: keyof GitHubLog) => (message: unknown) => {
    const sink = log?.[level];
    if (sink) sink(redact(String(message), secrets));
  };
  return { debug: send('debug'), info: send('info'), warn: send('warn'), error: send('error') };
}

/** The token omk uses: an explicit one, else `GITHUB_TOKEN`, else `GH_TOKEN`. */
export function tokenFrom(inputs: {
  token?: string;
  env: Readonly<Record<string, string | undefined>>;
}): string {
  for (const candidate of [inputs.token, inputs.env.GITHUB_TOKEN, inputs.env.GH_TOKEN]) {
    const trimmed = candidate?.trim();
    if (trimmed) return trimmed;
  }
  throw new ForgeError('No GitHub token was given.', {
    hint: 'Pass a token, or set GITHUB_TOKEN (in a workflow, from the github.token context) or GH_TOKEN.',
  });
}
