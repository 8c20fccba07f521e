// Where omk itself last left each goal branch it moved in this process (a capture's commit, a
// reset to the base, an integration's merges), or, for a goal a new process takes, where the goal's
// record says omk captured its finished slices (`adoptOwnHeads`), so that an agent run's integrity check can tell a
// branch of its goal that something else moved: another slice's agent rewriting a finished
// slice's branch (loose or packed ref), which the integration would then merge unreviewed.
// A branch is not compared while omk is moving it, nor while a run is going in its own worktree
// (an agent commits on its own branch; omk captures it after). Kept per repository (its shared
// `.git`): one process (the bot, a test run) may run goals of the same id in two repositories.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared `.git` of the checkout or worktree at `dir`, read from its files as git does (a
 * worktree's `.git` file names its admin directory, whose `commondir` names the shared one): no
 * git process. `dir` itself where neither can be read.
 */
export function repositoryOf(dir: string): string {
  const dotGit = join(dir, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return realpathSync(dotGit);
    const admin = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (admin === undefined) return dir;
    const adminDir = resolve(dir, admin);
    const common = readFileSync(join(adminDir, 'commondir'), 'utf8').trim();
    return realpathSync(resolve(adminDir, common));
  } catch {
    return dir;
  }
}

const keyOf = (repository: string, branch: string) => `${repository}\n${branch}`;

/** repository and branch (`omk/<goal>/<slice>`) → the commit omk left it at. */
const recorded = new Map<string, string>();
/** repository and branch → how many of omk's moves or runs are going on it now. */
const busy = new Map<string, number>();

function hold(branch: string): () => void {
  busy.set(branch, (busy.get(branch) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (busy.get(branch) ?? 1) - 1;
    if (left <= 0) busy.delete(branch);
    else busy.set(branch, left);
  };
}

/**
 * Runs one of omk's own moves of `branch`; what it returns says where the branch is now (null:
 * not known, so it is not compared until omk records it again).
 */
export async function movingOwnBranch<T>(
  at: { cwd: string; branch: string },
  move: () => Promise<T>,
  headOf: (result: T) => string | null,
): Promise<T> {
  const key = keyOf(repositoryOf(at.cwd), at.branch);
  const release = hold(key);
  recorded.delete(key);
  try {
    const result = await move();
    const head = headOf(result);
    if (head !== null) recorded.set(key, head);
    return result;
  } finally {
    release();
  }
}

/** A run in `branch`'s own worktree (of `repository`) starts: the branch is not compared until `end`. */
export function ownRunStarted(repository: string, branch: string): { end(moved: boolean): void } {
  const key = keyOf(repository, branch);
  const release = hold(key);
  return {
    end(moved) {
      // What the run committed there is captured (and recorded) by omk next.
      if (moved) recorded.delete(key);
      release();
    },
  };
}

/** The branches of `repository` under `prefix` omk recorded and is not moving or running in now. */
export function settledOwnHeads(repository: string, prefix: string): Map<string, string> {
  const settled = new Map<string, string>();
  const own = keyOf(repository, '');
  for (const [key, head] of recorded) {
    const branch = key.slice(own.length);
    if (key.startsWith(own) && branch.startsWith(prefix) && !busy.has(key)) settled.set(branch, head);
  }
  return settled;
}

/**
 * A goal's branches where its record says omk left them, for a controller that takes the goal (in
 * a new process, which has moved none of them yet): they replace what this process held for the
 * branches of `repository` under `prefix`, which another process may have moved since (a branch
 * omk is moving or running in now is left alone).
 */
export function adoptOwnHeads(repository: string, prefix: string, heads: ReadonlyMap<string, string>): void {
  const own = keyOf(repository, prefix);
  for (const key of [...recorded.keys()]) {
    if (key.startsWith(own) && !busy.has(key)) recorded.delete(key);
  }
  for (const [branch, head] of heads) {
    const key = keyOf(repository, branch);
    if (branch.startsWith(prefix) && !busy.has(key)) recorded.set(key, head);
  }
}
