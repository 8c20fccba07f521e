import { UsageError } from '../errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const MAX_DURATION_MS = 365 * UNIT_MS.d;

/** "30m", "8h", "7d", "1h30m", "90s" → milliseconds. A bare number or unknown unit is refused. */
export function parseDuration(raw: string, flag = '--budget-time'): number {
  const text = raw.trim().toLowerCase();
  const match = DURATION.exec(text);
  const example = `${flag} 30m (units: s, m, h, d; e.g. 90s, 8h, 7d, 1h30m)`;
  if (!text || !match || match.slice(1).every((part) => part === undefined)) {
    throw new UsageError(`${flag}: '${raw}' is not a duration.`, {
      hint: `Use a number with a unit: ${example}.`,
    });
  }
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  if (ms <= 0)
    throw new UsageError(`${flag}: '${raw}' must be greater than zero.`, { hint: `Example: ${example}.` });
  if (ms > MAX_DURATION_MS)
    throw new UsageError(`${flag}: '${raw}' is longer than 365d.`, { hint: `Example: ${example}.` });
  return ms;
}

/** 200000, 200k, 1.5M → a positive whole number of tokens. */
export function parseTokens(raw: string, flag = '--budget-tokens'): number {
  const match = /^(\d+(?:\.\d+)?)([km])?$/i.exec(raw.trim());
  const hint = `Use a positive whole number, optionally with k or M: ${flag} 200000 or ${flag} 200k.`;
  if (!match) throw new UsageError(`${flag}: '${raw}' is not a token count.`, { hint });
  const scale = match[2]?.toLowerCase() === 'k' ? 1_000 : match[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
  const value = Number(match[1]) * scale;
  if (!Number.isInteger(value) || value <= 0 || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag}: '${raw}' must be a positive whole number of tokens.`, { hint });
  }
  return value;
}

/** 5, 5.50, $5 → dollars (positive). */
export function parseUsd(raw: string, flag = '--budget-usd'): number {
  const match = /^\$?(\d+(?:\.\d{1,4})?)$/.exec(raw.trim());
  const value = match ? Number(match[1]) : Number.NaN;
  if (!match || !(value > 0) || value > 1_000_000) {
    throw new UsageError(`${flag}: '${raw}' is not a positive amount of US dollars.`, {
      hint: `Example: ${flag} 25 or ${flag} 7.50.`,
    });
  }
  return value;
}

/** A positive whole number option such as --max-agents. */
export function parsePositiveInt(raw: string, flag: string, example: string, max = 64): number {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${flag}: '${raw}' must be a whole number from 1 to ${max}.`, {
      hint: `Example: ${example}.`,
    });
  }
  return value;
}

export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}
