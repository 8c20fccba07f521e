// Paths whose change is a security decision rather than an engineering one: workflows run with the
// repository's secrets, code owners decide who must approve, and secrets files must never be
// written by an agent. A plan may still allow them, but only by naming them.

import { isWithin, normalizeRepoPath, quoteUntrusted } from './paths.js';

interface ProtectedRule {
  /** Human-readable pattern; a leading "**" segment means "in any directory". */
  pattern: string;
  why: string;
  /** Receives the lower-cased segments of a normalized path. */
  matches: (segments: readonly string[]) => boolean;
}

const WORKFLOWS = 'GitHub Actions workflows run with the repository token and secrets';
const CREDENTIALS = 'credential files hold secrets';
const KEYS = 'private keys and certificates are secrets';

/** A path at, or inside, this location from the repository root. */
function atRoot(pattern: string, why: string): ProtectedRule {
  const prefix = pattern.replace(/\/$/, '').toLowerCase().split('/');
  return { pattern, why, matches: (segments) => prefix.every((part, i) => segments[i] === part) };
}

/** A path with a file or directory of this name anywhere in it (so also everything inside). */
function anyName(pattern: string, why: string, test: (name: string) => boolean): ProtectedRule {
  return { pattern, why, matches: (segments) => segments.some(test) };
}

const RULES: readonly ProtectedRule[] = [
  atRoot('.github/workflows/', WORKFLOWS),
  atRoot('.github/actions/', 'local actions run inside workflows, with their secrets'),
  atRoot('CODEOWNERS', 'code owners decide who must approve a change'),
  atRoot('.github/CODEOWNERS', 'code owners decide who must approve a change'),
  atRoot('docs/CODEOWNERS', 'code owners decide who must approve a change'),
  atRoot('.gitmodules', 'submodule URLs decide what code a clone fetches'),
  anyName('**/.env', 'environment files hold secrets', (n) => n === '.env'),
  anyName('**/.env.*', 'environment files hold secrets', (n) => n.startsWith('.env.')),
  anyName('**/.envrc', 'direnv runs it as shell code and it often holds secrets', (n) => n === '.envrc'),
  anyName('**/*.pem', KEYS, (n) => n.endsWith('.pem')),
  anyName('**/*.key', KEYS, (n) => n.endsWith('.key')),
  anyName('**/*.p12', KEYS, (n) => n.endsWith('.p12')),
  anyName('**/*.pfx', KEYS, (n) => n.endsWith('.pfx')),
  anyName('**/*.jks', KEYS, (n) => n.endsWith('.jks')),
  anyName('**/*.keystore', KEYS, (n) => n.endsWith('.keystore')),
  anyName('**/id_rsa*', 'SSH keys are secrets', (n) => n.startsWith('id_rsa')),
  anyName('**/id_dsa*', 'SSH keys are secrets', (n) => n.startsWith('id_dsa')),
  anyName('**/id_ecdsa*', 'SSH keys are secrets', (n) => n.startsWith('id_ecdsa')),
  anyName('**/id_ed25519*', 'SSH keys are secrets', (n) => n.startsWith('id_ed25519')),
  anyName('**/.ssh/', 'SSH keys and configuration are secrets', (n) => n === '.ssh'),
  anyName('**/.npmrc', CREDENTIALS, (n) => n === '.npmrc'),
  anyName('**/.pypirc', CREDENTIALS, (n) => n === '.pypirc'),
  anyName('**/.netrc', CREDENTIALS, (n) => n === '.netrc'),
  anyName('**/_netrc', CREDENTIALS, (n) => n === '_netrc'),
  anyName('**/.git-credentials', CREDENTIALS, (n) => n === '.git-credentials'),
  anyName('**/.htpasswd', CREDENTIALS, (n) => n === '.htpasswd'),
  anyName('**/.pgpass', CREDENTIALS, (n) => n === '.pgpass'),
];

/**
 * What a goal created to change its CI workflows (goal.json options.allowWorkflowEdits) may write
 * among the protected paths: workflows and local actions, never a secrets file nor CODEOWNERS.
 */
export const WORKFLOW_PATHS: readonly string[] = ['.github/workflows', '.github/actions'];

/** The protected paths a goal's slices may write: the workflows when it was created to change them. */
export function allowedProtectedPaths(allowWorkflowEdits: boolean): readonly string[] {
  return allowWorkflowEdits ? WORKFLOW_PATHS : [];
}

/**
 * Paths a slice may never write unless the plan explicitly allows them: .github/workflows/,
 * secrets files (.env, .env.*, *.pem, *.key, id_rsa*, .npmrc, .netrc, ...). Matching ignores case,
 * because a case-insensitive checkout would write the same file. `.git` is never allowed at all
 * (normalizeRepoPath refuses it).
 */
export const PROTECTED_PATTERNS: readonly string[] = RULES.map((rule) => rule.pattern);

function matchingRule(path: string): ProtectedRule | undefined {
  // "." covers protected paths but is not one itself: a covering write implicitly excludes them.
  if (path === '.') return undefined;
  const segments = path.toLowerCase().split('/');
  return RULES.find((rule) => rule.matches(segments));
}

/** True when the normalized path is a protected path or lies inside one. */
export function isProtectedPath(path: string): boolean {
  return matchingRule(path) !== undefined;
}

/** How a rejection of a write to the workflows ends: a goal that declares it may write them. */
export const WORKFLOW_ONLY = 'only a goal created to change its CI workflows may write it';

/**
 * When a write covers a protected path (e.g. "." or ".github"), the protected parts are implicitly
 * excluded; only a write that targets a protected path itself (or something inside it) is a
 * violation. An `allowed` entry permits writes at or below it, and only counts when it is itself
 * protected, so allowing "." or ".github" does not unlock every workflow and secret at once.
 * Returns the reason for a violation, or null.
 */
export function protectedWriteViolation(path: string, allowed: readonly string[]): string | null {
  const rule = matchingRule(path);
  if (rule === undefined) return null;
  for (const entry of allowed) {
    const normalized = normalizeRepoPath(entry);
    if (normalized.ok && isProtectedPath(normalized.path) && isWithin(path, normalized.path)) return null;
  }
  // Only a goal created to change its workflows names allowed protected paths, and only those.
  const workflow = WORKFLOW_PATHS.some((dir) => rule.pattern === `${dir}/`);
  return (
    `${quoteUntrusted(path)} is protected (${rule.pattern}: ${rule.why}); ` +
    (workflow ? WORKFLOW_ONLY : 'no task may write it, whatever the goal')
  );
}
