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
  /** The object's size in bytes, when listed with `ls-tree -l` (absent for trees and gitlinks). */
  size?: number;
}

/** A file of one goal as stored on the branch; `path` is relative to goals/<goalId>/. */
export interface StateFile {
  path: string;
  oid: string;
  size: number;
}

/**
 * What one read of the branch takes in, at most. The branch is input anyone with push access
 * writes: without bounds one blob (or one goal of 50,000 files) is read whole into memory and
 * written to disk. omk's own goals stay far below these: artifacts over 256 KiB travel as stubs,
 * and a goal's state documents are a few MiB at most.
 */
export const STATE_LIMITS = {
  /** One file of a goal. */
  fileBytes: 64 * 1024 * 1024,
  /** All files of one goal together. */
  goalBytes: 128 * 1024 * 1024,
  /** Files in one goal. */
  goalFiles: 5_000,
  /** Bytes of one path inside a goal directory, of one name in it, and names deep. */
  pathBytes: 1024,
  nameBytes: 255,
  depth: 32,
} as const;

/** Files that never travel: the per-goal lock, the seals file and atomic-write temp files (`.name.tmp`). */
export function isLocalOnly(relPath: string): boolean {
  // The seals of the goal's log lines (runtime/state/witness.ts) vouch for this machine's processes
  // only; who made the goal directory names a pid and host of this machine.
  if (relPath === '.lock' || relPath === SEALS_FILE || relPath === CREATOR_FILE) return true;
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Parses `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`, or with `-l`
 * `<mode> <type> <oid> <padded size>\t<path>\0` (the size `-` for what is not a blob).
 */
export function parseLsTree(stdout: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of stdout.split('\0')) {
    if (record.length === 0) continue;
    const tab = record.indexOf('\t');
    const meta = tab < 0 ? [] : record.slice(0, tab).split(/ +/);
    const [mode, type, oid, size] = meta;
    const sized = size === undefined || size === '-' || /^\d+$/.test(size);
    if (mode === undefined || type === undefined || oid === undefined || meta.length > 4 || !sized) {
      throw new StateError(`Unexpected git ls-tree output: ${JSON.stringify(record.slice(0, 200))}.`);
    }
    const entry: TreeEntry = { mode, type, oid, path: record.slice(tab + 1) };
    if (size !== undefined && size !== '-') entry.size = Number(size);
    entries.push(entry);
  }
  return entries;
}

/**
 * Checks a state tree (untrusted: anyone with push access wrote it) and groups its files by goal.
 * Refuses anything that could write outside a goal directory: `..`, absolute or backslashed paths,
 * bad goal ids, symlinks, submodules, and paths that are both a file and a directory; and anything
 * over STATE_LIMITS (a file or a goal too large, too many files, names too long or too deep), so no
 * read takes in more than the limits say. Entries need their sizes (`ls-tree -l`).
 */
export function groupStateFiles(entries: readonly TreeEntry[], commit: string): Map<string, StateFile[]> {
  const goals = new Map<string, StateFile[]>();
  const goalBytes = new Map<string, number>();
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
    checkShape(commit, path, rest);
    const size = entry.size;
    if (size === undefined) refuse(commit, path, 'was listed without its size');
    if (size > STATE_LIMITS.fileBytes) {
      refuse(commit, path, `is ${size} bytes, over the ${STATE_LIMITS.fileBytes}-byte limit for one file`);
    }
    const total = (goalBytes.get(goalId) ?? 0) + size;
    if (total > STATE_LIMITS.goalBytes) {
      refuse(commit, path, `takes goal ${goalId} over the ${STATE_LIMITS.goalBytes}-byte limit for one goal`);
    }
    goalBytes.set(goalId, total);
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
    if (list.length >= STATE_LIMITS.goalFiles) {
      refuse(commit, path, `takes goal ${goalId} over the limit of ${STATE_LIMITS.goalFiles} files`);
    }
    list.push({ path: rel, oid: entry.oid, size });
    goals.set(goalId, list);
  }
  return goals;
}

/** Names no goal of omk's has, which a write could not hold (too long) or would take far to walk. */
function checkShape(commit: string, path: string, rest: readonly string[]): void {
  if (rest.length > STATE_LIMITS.depth) {
    refuse(commit, path, `is ${rest.length} names deep, over the limit of ${STATE_LIMITS.depth}`);
  }
  if (Buffer.byteLength(rest.join('/')) > STATE_LIMITS.pathBytes) {
    refuse(commit, path, `is longer than ${STATE_LIMITS.pathBytes} bytes inside its goal`);
  }
  if (rest.some((name) => Buffer.byteLength(name) > STATE_LIMITS.nameBytes)) {
    refuse(commit, path, `has a name longer than ${STATE_LIMITS.nameBytes} bytes`);
  }
}

function refuse(commit: string, path: string, why: string): never {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  throw new StateError(`Refusing state commit ${commit}: ${JSON.stringify(shown)} ${why}.`, {
    hint: 'The state branch was written by something other than omk. Inspect it with git log, and reset or delete it.',
  });
}
