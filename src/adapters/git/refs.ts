import { isAbsolute, join, posix, resolve } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import { GOAL_ID_PATTERN } from '../../runtime/goal/ids.js';
import {
  goalBranchPrefix,
  integrationBranchName,
  parseOmkBranch,
  sliceBranchName,
} from '../../runtime/graph/branches.js';
import { SLICE_ID_PATTERN } from '../../runtime/graph/schema.js';

// Abbreviated or full SHA-1/SHA-256 object names; anything else could be read as an option or a ref.
const SHA_PATTERN = /^[0-9a-f]{7,64}$/;

/** Goal and slice ids become ref and directory names: each must match its runtime pattern. */
export function assertId(value: string, what: 'goal id' | 'slice id'): void {
  if (!(what === 'goal id' ? GOAL_ID_PATTERN : SLICE_ID_PATTERN).test(value)) {
    throw new GitError(`Invalid ${what} ${JSON.stringify(value)}: omk builds git refs from it.`, {
      hint: 'Use lowercase letters, digits and dashes, starting with a letter or digit.',
    });
  }
}

export function sliceBranch(goalId: string, sliceId: string): string {
  assertId(goalId, 'goal id');
  assertId(sliceId, 'slice id');
  return sliceBranchName(goalId, sliceId);
}

export function integrationBranch(goalId: string): string {
  assertId(goalId, 'goal id');
  return integrationBranchName(goalId);
}

/** Checks a branch handed back to us (from a workspace or a caller) is one of omk's own. */
export function assertOmkBranch(branch: string, goalId?: string): void {
  const parsed = parseOmkBranch(branch);
  if (parsed === null || (goalId !== undefined && parsed.goalId !== goalId)) {
    const scope = `${goalBranchPrefix(goalId ?? '<goal-id>')}<slice-id>`;
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
