import { isAbsolute, join, posix, resolve } from 'node:path';
import { GitError } from '../../runtime/errors.js';

/** Goal and slice ids: they become ref and directory names, so nothing else gets through. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;
/** The integration workspace's name under a goal; a slice may not take it. */
export const INTEGRATION_ID = 'integration';

const SLICE_BRANCH = /^omk\/([a-z0-9][a-z0-9-]{0,79})\/([a-z0-9][a-z0-9-]{0,79})$/;
// Abbreviated or full SHA-1/SHA-256 object names; anything else could be read as an option or a ref.
const SHA_PATTERN = /^[0-9a-f]{7,64}$/;

export function assertId(value: string, what: string): void {
  if (!ID_PATTERN.test(value)) {
    throw new GitError(`Invalid ${what} ${JSON.stringify(value)}: omk builds git refs from it.`, {
      hint: 'Use 1-80 lowercase letters, digits and dashes, starting with a letter or digit.',
    });
  }
}

export function sliceBranch(goalId: string, sliceId: string): string {
  assertId(goalId, 'goal id');
  assertId(sliceId, 'slice id');
  return `omk/${goalId}/${sliceId}`;
}

export function integrationBranch(goalId: string): string {
  return sliceBranch(goalId, INTEGRATION_ID);
}

/** Checks a branch handed back to us (from a workspace or a caller) is one of omk's own. */
export function assertOmkBranch(branch: string, goalId?: string): void {
  const match = SLICE_BRANCH.exec(branch);
  if (!match || (goalId !== undefined && match[1] !== goalId)) {
    const scope = goalId === undefined ? 'omk/<goal-id>/<slice-id>' : `omk/${goalId}/<slice-id>`;
    throw new GitError(`Refusing to work on branch ${JSON.stringify(branch)}: not ${scope}.`, {
      hint: 'omk only creates, merges and removes workspaces of its own omk/* branches.',
    });
  }
}

export function assertSha(value: string): void {
  if (!SHA_PATTERN.test(value)) {
    throw new GitError(`Invalid base SHA ${JSON.stringify(value)}: expected a hexadecimal commit id.`);
  }
}

export function workspacePath(workspaceRoot: string, goalId: string, sliceId: string): string {
  return join(resolve(workspaceRoot), goalId, sliceId);
}

/**
 * Normalizes sparse cone directories; null means a full checkout (none given, or "." which is
 * the whole repository). Paths must stay inside the repository and out of .git.
 */
export function normalizeSparsePaths(paths: readonly string[] | null): string[] | null {
  if (paths === null || paths.length === 0) return null;
  const dirs = new Set<string>();
  for (const raw of paths) {
    const slashed = raw.replaceAll('\\', '/');
    if (isAbsolute(raw) || slashed.startsWith('/')) {
      throw new GitError(`Sparse path ${JSON.stringify(raw)} must be relative to the repository.`);
    }
    const dir = posix.normalize(slashed).replace(/\/+$/, '');
    if (dir === '.' || dir === '') return null;
    const parts = dir.split('/');
    if (parts.includes('..') || parts[0] === '.git') {
      throw new GitError(`Sparse path ${JSON.stringify(raw)} leaves the repository or enters .git.`);
    }
    dirs.add(dir);
  }
  return [...dirs].sort();
}
