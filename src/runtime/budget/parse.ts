import type { RequestField, RequestIssue } from '../request-issues.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const MAX_DURATION = '365d';
const MAX_DURATION_MS = 365 * UNIT_MS.d;

/** A value, or the issue that says why the text is not one (worded by each front door). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; issue: RequestIssue };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refused = <T>(issue: RequestIssue): Parsed<T> => ({ ok: false, issue });

/** "30m", "8h", "7d", "1h30m", "90s" → milliseconds. A bare number or unknown unit is refused. */
export function parseDuration(raw: string, field: RequestField = 'budgetTime'): Parsed<number> {
  const text = raw.trim().toLowerCase();
  const match = DURATION.exec(text);
  const issue = (problem: 'format' | 'not_positive' | 'too_long') =>
    refused<number>({
      code: 'bad_duration',
      field,
      value: raw,
      problem,
      max: MAX_DURATION,
      example: '30m',
    });
  if (!text || !match || match.slice(1).every((part) => part === undefined)) return issue('format');
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  if (ms <= 0) return issue('not_positive');
  if (ms > MAX_DURATION_MS) return issue('too_long');
  return ok(ms);
}

/** 200000, 200k, 1.5M → a positive whole number of tokens. */
export function parseTokens(raw: string, field: RequestField = 'budgetTokens'): Parsed<number> {
  const match = /^(\d+(?:\.\d+)?)([km])?$/i.exec(raw.trim());
  const issue = (problem: 'format' | 'not_whole') =>
    refused<number>({ code: 'bad_tokens', field, value: raw, problem, examples: ['200000', '200k'] });
  if (!match) return issue('format');
  const scale = match[2]?.toLowerCase() === 'k' ? 1_000 : match[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
  const value = Number(match[1]) * scale;
  if (!Number.isInteger(value) || value <= 0 || !Number.isSafeInteger(value)) return issue('not_whole');
  return ok(value);
}

/** 5, 5.50, $5 → dollars (positive). */
export function parseUsd(raw: string, field: RequestField = 'budgetUsd'): Parsed<number> {
  const match = /^\$?(\d+(?:\.\d{1,4})?)$/.exec(raw.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!match || !(value > 0) || value > 1_000_000) {
    return refused({ code: 'bad_usd', field, value: raw, examples: ['25', '7.50'] });
  }
  return ok(value);
}

/** A positive whole number such as maxAgents, from 1 to `max`. */
export function parsePositiveInt(
  raw: string,
  field: RequestField,
  example: string,
  max = 64,
): Parsed<number> {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    return refused({ code: 'bad_count', field, value: raw, min: 1, max, example });
  }
  return ok(value);
}
