import { StateError } from '../../runtime/errors.js';
import { GOAL_ID_PATTERN } from '../../runtime/goal/ids.js';
import { CREATOR_FILE } from '../../runtime/goal/set-aside.js';
import { SEALS_FILE } from '../../runtime/state/seals.js';

/** Where fetched state lives locally: a private namespace, so no user branch is touched. */
export const STATE_TRACKING_REF = 'refs/omk/state-remote';
/** Everything on the state branch lives under this directory. */
export const GOALS_DIR = 'goals';

export interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

/** A file of one goal as stored on the branch; `path` is relative to goals/<goalId>/. */
export interface StateFile {
  path: string;
  oid: string;
}

/** Files that never travel: the per-goal lock, the seals file and atomic-write temp files (`.name.tmp`). */
export function isLocalOnly(relPath: string): boolean {
  // The seals of the goal's log lines (runtime/state/witness.ts) vouch for this machine's processes
  // only; who made the goal directory names a pid and host of this machine.
  if (relPath === '.lock' || relPath === SEALS_FILE || relPath === CREATOR_FILE) return true;
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Parses `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`. */
export function parseLsTree(stdout: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of stdout.split('\0')) {
    if (record.length === 0) continue;
    const tab = record.indexOf('\t');
    const meta = tab < 0 ? [] : record.slice(0, tab).split(' ');
    const [mode, type, oid] = meta;
    if (mode === undefined || type === undefined || oid === undefined || meta.length !== 3) {
      throw new StateError(`Unexpected git ls-tree output: ${JSON.stringify(record.slice(0, 200))}.`);
    }
    entries.push({ mode, type, oid, path: record.slice(tab + 1) });
  }
  return entries;
}

/**
 * Checks a state tree (untrusted: anyone with push access wrote it) and groups its files by goal.
 * Refuses anything that could write outside a goal directory: `..`, absolute or backslashed paths,
 * bad goal ids, symlinks, submodules, and paths that are both a file and a directory.
 */
export function groupStateFiles(entries: readonly TreeEntry[], commit: string): Map<string, StateFile[]> {
  const goals = new Map<string, StateFile[]>();
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const entry of entries) {
    const { path } = entry;
    if (entry.mode === '120000') refuse(commit, path, 'is a symbolic link');
    if (entry.mode === '160000') refuse(commit, path, 'is a submodule (gitlink)');
    if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) {
      refuse(commit, path, `has unsupported mode ${entry.mode}`);
    }
    if (path.includes('\\') || path.startsWith('/')) refuse(commit, path, 'is not a plain relative path');
    const parts = path.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) {
      refuse(commit, path, 'has an empty, "." or ".." component');
    }
    const [top, goalId, ...rest] = parts;
    if (top !== GOALS_DIR || goalId === undefined || rest.length === 0) {
      refuse(commit, path, `is not a file under ${GOALS_DIR}/<goal-id>/`);
    }
    if (!GOAL_ID_PATTERN.test(goalId)) refuse(commit, path, 'does not name a valid goal id');
    if (files.has(path) || dirs.has(path))
      refuse(commit, path, 'appears twice or as both a file and a directory');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (files.has(dir)) refuse(commit, path, 'is inside a path that is also a file');
      dirs.add(dir);
    }
    files.add(path);
    const rel = rest.join('/');
    if (isLocalOnly(rel)) continue;
    const list = goals.get(goalId) ?? [];
    list.push({ path: rel, oid: entry.oid });
    goals.set(goalId, list);
  }
  return goals;
}

function refuse(commit: string, path: string, why: string): never {
  throw new StateError(`Refusing state commit ${commit}: ${JSON.stringify(path)} ${why}.`, {
    hint: 'The state branch was written by something other than omk. Inspect it with git log, and reset or delete it.',
  });
}
