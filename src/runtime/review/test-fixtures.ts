// Builders for the review tests: inputs, diffs with correct hunk counts, and fake credentials
// generated at run time so that no token-shaped literal sits in the source (secret scanners and
// push protection would rightly object, and omk's own review would flag its tests).

import type { GateEvidence } from '../proof/schema.js';
import type { ReviewInput } from './input.js';

export function reviewInput(fields: Partial<ReviewInput> = {}): ReviewInput {
  return {
    taskId: 'api',
    writes: ['.'],
    allowedProtectedPaths: [],
    changedFiles: [],
    diff: '',
    gates: [],
    ...fields,
  };
}

/**
 * One file's diff with a single hunk. `lines` carry their diff prefix ("+", "-", " "); counts are
 * derived, so a test states only content. `oldStart`/`newStart` place the hunk.
 */
export function fileDiff(
  path: string,
  lines: readonly string[],
  options: { status?: 'added' | 'deleted' | 'modified'; oldStart?: number; newStart?: number } = {},
): string {
  const status = options.status ?? 'modified';
  const oldCount = lines.filter((line) => !line.startsWith('+')).length;
  const newCount = lines.filter((line) => !line.startsWith('-')).length;
  const oldStart = status === 'added' ? 0 : (options.oldStart ?? 1);
  const newStart = status === 'deleted' ? 0 : (options.newStart ?? 1);
  const header = [`diff --git a/${path} b/${path}`];
  if (status === 'added') header.push('new file mode 100644');
  if (status === 'deleted') header.push('deleted file mode 100644');
  header.push('index 1111111..2222222');
  header.push(status === 'added' ? '--- /dev/null' : `--- a/${path}`);
  header.push(status === 'deleted' ? '+++ /dev/null' : `+++ b/${path}`);
  header.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
  return `${[...header, ...lines].join('\n')}\n`;
}

/** A new file whose every line is added. */
export function addedFile(path: string, content: readonly string[]): string {
  return fileDiff(
    path,
    content.map((line) => `+${line}`),
    { status: 'added' },
  );
}

/** The changed-file records a capture would report for a diff built from these pieces. */
export function changed(...paths: string[]): ReviewInput['changedFiles'] {
  return paths.map((path) => ({ path, additions: 1, deletions: 0 }));
}

/** Deterministic pseudo-random characters: high entropy like a real key, the same on every run. */
export function fakeChars(
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string {
  // Park–Miller: the products stay below 2^53, so the sequence is exact in doubles.
  let state = length * 7919 + alphabet.length;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 48271) % 2147483647;
    out += alphabet.charAt(Math.floor((state / 2147483647) * alphabet.length));
  }
  return out;
}

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** One fake of every blocking credential kind, by the kind name the review reports. */
export function fakeSecrets(): Record<string, string> {
  return {
    'AWS access key id': ['AKIA', fakeChars(16, UPPER_DIGITS)].join(''),
    'GitHub token': ['ghp', fakeChars(36)].join('_'),
    'GitHub fine-grained token': ['github', 'pat', fakeChars(22), fakeChars(59)].join('_'),
    'Slack token': ['xoxb', fakeChars(12, '0123456789'), fakeChars(24)].join('-'),
    'private key': ['-----BEGIN', 'RSA', 'PRIVATE', 'KEY-----'].join(' '),
    'Google API key': ['AI', 'za', fakeChars(35)].join(''),
    'Stripe live key': ['sk', 'live', fakeChars(24)].join('_'),
    'Anthropic API key': ['sk', 'ant', 'api03', fakeChars(93)].join('-'),
    'OpenAI API key': ['sk', 'proj', fakeChars(74)].join('-'),
    'npm token': ['npm', fakeChars(36)].join('_'),
    'Groq API key': ['gsk', fakeChars(52)].join('_'),
    'Hugging Face token': ['hf', fakeChars(34, LETTERS)].join('_'),
    'GitLab token': ['glpat', fakeChars(20)].join('-'),
    'SendGrid API key': ['SG', fakeChars(22), fakeChars(43)].join('.'),
    'Shopify token': ['shpat', fakeChars(32, '0123456789abcdef')].join('_'),
    'Vault token': ['hvs', fakeChars(95)].join('.'),
    'Linear API key': ['lin', 'api', fakeChars(40)].join('_'),
    'Docker access token': ['dckr', 'pat', fakeChars(27)].join('_'),
    'Slack webhook URL': [
      'https://hooks.slack.com/services',
      `T${fakeChars(10, UPPER_DIGITS)}`,
      `B${fakeChars(11, UPPER_DIGITS)}`,
      fakeChars(24),
    ].join('/'),
  };
}

export function gate(fields: Partial<GateEvidence> = {}): GateEvidence {
  return {
    name: 'test',
    kind: 'test',
    required: true,
    outcome: 'passed',
    exitCode: 0,
    durationMs: 10,
    sha: 'a'.repeat(40),
    tail: '',
    artifact: null,
    ...fields,
  };
}
