// Every transcript, gate log, artifact and state file omk writes goes through one scrub, so a
// token an agent printed (or read from `.git/config`) is not kept, published or pushed.

import { isForbiddenEnvName } from '../agents/env.js';
import { isSecretName } from '../gates/env.js';
import { secretSpans, TOKEN_PATTERNS } from '../review/secrets.js';
import type { StateFiles } from '../state/port.js';

/** Text in, the same text with every token-shaped value replaced by REDACTED. */
export type Scrub = (text: string) => string;

export const REDACTED = '[redacted]';

// Wider than the review's GitHub rule (36+ characters): over-redacting a log costs nothing.
const GITHUB_TOKEN = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{16,255}|github_pat_[A-Za-z0-9_]{16,255})/g;
// base64("x-access-token:") is exactly 20 characters, so any such header value starts with it.
const ACCESS_TOKEN_BASE64 = /eC1hY2Nlc3MtdG9rZW46[A-Za-z0-9+/]*={0,2}/g;
// `AUTHORIZATION: basic …` as actions/checkout persists it in http.<url>.extraheader.
const AUTH_HEADER = /(authorization:\s{0,8}(?:basic|bearer|token)\s{1,8})[A-Za-z0-9+/=._~-]{8,}/gi;
/** Shorter values are too likely to be ordinary words or numbers to scrub everywhere. */
const MIN_LITERAL = 8;

/**
 * A scrub for the known token formats plus `literals` (the token values omk itself was given),
 * each also in base64 and as the base64 of `x-access-token:<value>`.
 */
export function createScrub(literals: readonly string[]): Scrub {
  const ordered = literalForms(literals);
  return (text) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join(REDACTED);
    out = out.replace(AUTH_HEADER, (_, prefix: string) => `${prefix}${REDACTED}`);
    out = out.replace(ACCESS_TOKEN_BASE64, REDACTED).replace(GITHUB_TOKEN, REDACTED);
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
    return scrubReviewedKeys(out);
  };
}

// A private key's body, between its PEM armour lines (kept, so the reader sees what was there);
// one that never ends is cut to the end of the text.
const PRIVATE_KEY_BLOCK =
  /(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)[\s\S]*?(-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g;

/**
 * What the security review blocks as a credential and the token formats above do not cover: a
 * private key's body, a provider key assigned by name (`ANTHROPIC_API_KEY=…`, an AWS secret key),
 * a password in a URL. A change the review refused keeps its patch among the artifacts (a refused
 * fix's diff): written as the agent committed it, the key would be kept and pushed with it.
 */
function scrubReviewedKeys(text: string): string {
  const out = text.replace(PRIVATE_KEY_BLOCK, (_, begin: string, end: string) => `${begin}${REDACTED}${end}`);
  if (!/key|token|secret|passw|:\/\//i.test(out)) return out;
  return out
    .split('\n')
    .map((line) => {
      let clean = line;
      // From the last span back, so the earlier places stay where they were found.
      for (const span of secretSpans(line).reverse()) {
        // The armour line stays (its key's body is gone above): it says what was there.
        if (span.match.severity !== 'blocking' || line.startsWith('-----BEGIN', span.start)) continue;
        clean = `${clean.slice(0, span.start)}${REDACTED}${clean.slice(span.end)}`;
      }
      return clean;
    })
    .join('\n');
}

/** Each literal, its base64 and the base64 of `x-access-token:<value>`; longest first. */
function literalForms(literals: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of literals) {
    if (value.length < MIN_LITERAL) continue;
    forms.add(value);
    forms.add(Buffer.from(value).toString('base64'));
    forms.add(Buffer.from(`x-access-token:${value}`).toString('base64'));
  }
  // Longest first, so a value inside another's base64 cannot leave part of the longer one.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Whether a text holds a GitHub credential as the scrub sees one: one of `literals` (the tokens
 * omk was given) in any of its forms, a GitHub token however short, an access-token header value.
 * The model-key formats are left to the security review, which names them.
 */
export function createTokenTest(literals: readonly string[]): (text: string) => boolean {
  const forms = literalForms(literals);
  return (text) =>
    forms.some((form) => text.includes(form)) ||
    [AUTH_HEADER, ACCESS_TOKEN_BASE64, GITHUB_TOKEN].some((pattern) => text.search(pattern) !== -1);
}

/** Whether a variable holds a token by its name (a GitHub token, a key, a secret). */
export function isSecretEnvName(name: string): boolean {
  return isForbiddenEnvName(name) || isSecretName(name);
}

/** The values of omk's environment that are tokens by name (GitHub tokens, keys, secrets). */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && isSecretEnvName(name))
    .map(([, value]) => value ?? '');
}

/** Rewrites a text file scrubbed (atomically, only when something changed); binary files are left. */
export async function scrubFile(files: StateFiles, path: string, scrub: Scrub): Promise<void> {
  let text: string | null;
  try {
    text = await files.readText(path);
  } catch {
    return;
  }
  // A NUL byte decodes to U+0000: the file is binary.
  if (text === null || text.includes('\0')) return;
  const clean = scrub(text);
  if (clean !== text) await files.writeAtomic(path, clean);
}
