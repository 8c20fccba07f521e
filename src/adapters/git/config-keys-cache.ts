import { lstat, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * What `git config --list` in a checkout answered, kept while the files that answer came from are
 * provably unchanged, so runGit need not start one git per call to check for planted drivers and
 * redirects (a goal ran 35 such reads). Nothing is trusted to stay put: before each use the
 * checkout's `.git` entry, the `gitdir:` and `commondir` pointers, the shared `config` and the
 * worktree's `config.worktree` are stat'ed again, and any difference in device, inode, size,
 * modification or change time (ctime: no process can set it back) reads the config afresh. An
 * answer is kept only when those files did not move while git read them and were last changed
 * at least SETTLED_MS before: a later write then gets a later ctime even on a filesystem whose
 * clock ticks coarsely. A config that includes other files (`include.path`, `includeIf`) is never
 * kept: those files are not watched. Nor is one read with git's location set by the environment.
 */

const SETTLED_MS = 1000;
const MAX_KEPT = 256;

interface Stamp {
  /** Every watched file, as found: absent, or device, inode, size and times in nanoseconds. */
  text: string;
  /** The newest change time among them, in milliseconds. */
  newestChangeMs: number;
}

const kept = new Map<string, { stamp: string; keys: string[] }>();

/** The keys kept for `cwd` when its config files are as they were; null to read them again. */
export async function keptConfigKeys(cwd: string): Promise<{ keys: string[] | null; stamp: Stamp | null }> {
  const stamp = await configStamp(cwd);
  if (stamp === null) return { keys: null, stamp };
  const entry = kept.get(cwd);
  return { keys: entry?.stamp === stamp.text ? entry.keys : null, stamp };
}

/** Keep `keys`, read in `cwd` after `before` was taken, when nothing moved and nothing is fresh. */
export async function keepConfigKeys(cwd: string, before: Stamp | null, keys: string[]): Promise<void> {
  if (before === null || keys.some((key) => key === 'include.path' || key.startsWith('includeif.'))) return;
  const after = await configStamp(cwd);
  if (after === null || after.text !== before.text) return;
  if (Date.now() - after.newestChangeMs < SETTLED_MS) return;
  kept.delete(cwd);
  kept.set(cwd, { stamp: after.text, keys });
  if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value ?? cwd);
}

/** Forget every kept answer (tests). */
export function forgetConfigKeys(): void {
  kept.clear();
}

/** The watched files of the checkout at `cwd`, or null when omk cannot tell which git reads. */
async function configStamp(cwd: string): Promise<Stamp | null> {
  if (Object.keys(process.env).some((name) => /^GIT_(DIR|COMMON_DIR|WORK_TREE|CONFIG.*)$/.test(name))) {
    return null;
  }
  const dotGit = join(cwd, '.git');
  const parts: string[] = [];
  let newest = 0;
  const note = async (path: string, must: boolean): Promise<boolean> => {
    const found = await lstat(path, { bigint: true }).catch(() => null);
    if (found === null) {
      parts.push(`${path}:absent`);
      return !must;
    }
    if (found.isSymbolicLink()) return false;
    // A `.git` directory's times move with every index write: only which directory it is counts.
    if (found.isDirectory()) {
      parts.push(`${path}:dir:${found.dev}:${found.ino}`);
      return true;
    }
    newest = Math.max(newest, Number(found.ctimeMs), Number(found.mtimeMs));
    parts.push(`${path}:${found.dev}:${found.ino}:${found.size}:${found.mtimeNs}:${found.ctimeNs}`);
    return true;
  };
  if (!(await note(dotGit, true))) return null;
  let gitDir = dotGit;
  const pointer = await readFile(dotGit, 'utf8').catch(() => null);
  if (pointer !== null) {
    const named = /^gitdir: (.+?)\r?\n?$/.exec(pointer)?.[1];
    if (named === undefined) return null;
    gitDir = isAbsolute(named) ? named : resolve(cwd, named);
  }
  const commonPointer = join(gitDir, 'commondir');
  if (!(await note(commonPointer, false))) return null;
  const common = await readFile(commonPointer, 'utf8').catch(() => null);
  const commonDir = common === null ? gitDir : resolve(gitDir, common.trim());
  if (!(await note(join(commonDir, 'config'), false))) return null;
  if (!(await note(join(gitDir, 'config.worktree'), false))) return null;
  return { text: parts.join('\n'), newestChangeMs: newest };
}
