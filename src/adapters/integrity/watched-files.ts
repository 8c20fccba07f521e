import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { IntegrityChange } from '../../runtime/integrity/port.js';

// The files an integrity watch reads before and after a run, compared byte for byte (and mode),
// and put back as they were.

/** What one path held: file bytes, a link's text, something else (a directory), or nothing. */
export type Content =
  | { kind: 'file'; bytes: Buffer; mode: number }
  | { kind: 'link'; target: string }
  | { kind: 'other' }
  | null;

export interface Watched {
  /** Named without machine paths: it goes into findings, the proof and PR bodies. */
  what: string;
  path: string;
  content: Content;
  restorable: boolean;
  /**
   * The worktree whose git files these are (its name under `.git/worktrees/`, or another slice's
   * branch checkout): compared only when that worktree is there before and after, since omk adds
   * and removes its own while agents run.
   */
  worktree?: string;
}

/** Bounds on a planted tree of hooks or info files, so a flood costs a bounded snapshot. */
export const MAX_FILES_PER_DIR = 500;
const MAX_DEPTH = 4;

export async function single(what: string, path: string, restorable: boolean): Promise<Watched> {
  return { what, path, content: await read(path), restorable };
}

/** Every file under `dir` (links as links, never followed), bounded in depth and count. */
export async function tree(label: string, dir: string): Promise<Watched[]> {
  const found: Watched[] = [];
  const walk = async (at: string, depth: number): Promise<void> => {
    let entries: string[];
    try {
      entries = (await readdir(at)).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (found.length >= MAX_FILES_PER_DIR) return;
      const path = join(at, name);
      const info = await lstat(path).catch(() => null);
      if (info === null) continue;
      if (info.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(path, depth + 1);
        continue;
      }
      const what = `${label}/${relative(dir, path).split(sep).join('/')}`;
      found.push({ what, path, content: await read(path), restorable: true });
    }
  };
  await walk(dir, 0);
  return found;
}

async function read(path: string): Promise<Content> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return { kind: 'link', target: await readlink(path) };
    if (!info.isFile()) return { kind: 'other' };
    return { kind: 'file', bytes: await readFile(path), mode: info.mode & 0o777 };
  } catch {
    return null;
  }
}

export function compare(before: Content, after: Content): IntegrityChange['change'] | null {
  if (before === null && after === null) return null;
  if (before === null) return 'added';
  if (after === null) return 'removed';
  if (before.kind === 'link' && after.kind === 'link')
    return before.target === after.target ? null : 'changed';
  if (before.kind === 'file' && after.kind === 'file')
    return before.bytes.equals(after.bytes) && before.mode === after.mode ? null : 'changed';
  if (before.kind === 'other' && after.kind === 'other') return null;
  return 'changed';
}

/** Puts `path` back as it was (nothing, a file with its mode, or a link); false when it could not. */
export async function restore(path: string, content: Content): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true });
    if (content === null) return true;
    if (content.kind === 'other') return false;
    await mkdir(dirname(path), { recursive: true });
    if (content.kind === 'link') await symlink(content.target, path);
    else await writeFile(path, content.bytes, { mode: content.mode });
    return true;
  } catch {
    return false;
  }
}
