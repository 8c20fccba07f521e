import type { WorktreeState } from '../../runtime/integrity/port.js';
import { runGit } from './run-git.js';

/**
 * A worktree's HEAD commit and its uncommitted changes as `git status --porcelain` lines (untracked
 * files included, ignored ones not), for telling whether anything touched it between two moments.
 * One status run says both: `--porcelain=v2 --branch` heads its entries with the HEAD commit, and
 * each entry is put back into the v1 line (`XY path`) the findings compare and name.
 */
export async function worktreeState(worktree: string): Promise<WorktreeState> {
  const status = await runGit(
    ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--no-renames'],
    { cwd: worktree },
  );
  let head: string | null = null;
  const tracked: string[] = [];
  const untracked: string[] = [];
  for (const entry of status.stdout.split('\0')) {
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (entry.startsWith('? ')) untracked.push(`?? ${entry.slice(2)}`);
    else {
      const line = v1Line(entry);
      if (line !== null) tracked.push(line);
    }
  }
  // v1's order: the tracked changes by path, byte for byte (v2 lists the unmerged ones last), then
  // the untracked files, as git sorted them.
  tracked.sort((a, b) => Buffer.compare(Buffer.from(a.slice(3)), Buffer.from(b.slice(3))));
  return { head, changes: [...tracked, ...untracked] };
}

/** Fields before the path of a v2 entry: changed (`1`) and unmerged (`u`); `2` (a rename) is off. */
const FIELDS_BEFORE_PATH: Readonly<Record<string, number>> = { '1': 8, u: 10 };

/**
 * A tracked `--porcelain=v2 -z` entry as the `--porcelain=v1 -z` line git prints for it: `XY path`,
 * with v2's `.` (unchanged) as v1's space. Headers are not entries.
 */
function v1Line(entry: string): string | null {
  const fields = FIELDS_BEFORE_PATH[entry.slice(0, 1)];
  if (fields === undefined || entry[1] !== ' ') return null;
  const parts = entry.split(' ');
  const xy = (parts[1] ?? '').replaceAll('.', ' ');
  return `${xy} ${parts.slice(fields).join(' ')}`;
}
