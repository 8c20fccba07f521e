import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { CommittedFiles } from '../../runtime/ports.js';
import { runGit } from './run-git.js';

interface Entry {
  mode: string;
  type: string;
  object: string;
  size: number | null;
}

/**
 * A commit's tree never changes, so its listing is kept for the next asker in the same process
 * (planning and the controller of one run both list the goal's base). Keyed by checkout and
 * commit; a few only, so a long-running host keeps no unbounded copies of big trees.
 */
const LISTINGS = new Map<string, Promise<Map<string, Entry>>>();
const KEPT_LISTINGS = 4;

function listing(root: string, sha: string): Promise<Map<string, Entry>> {
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sha)) {
    return Promise.reject(new GitError(`Not a full commit id: ${JSON.stringify(sha)}.`));
  }
  const key = `${root}\0${sha}`;
  const known = LISTINGS.get(key);
  if (known !== undefined) return known;
  const made = readListing(root, sha);
  made.catch(() => LISTINGS.delete(key));
  LISTINGS.set(key, made);
  for (const old of LISTINGS.keys()) {
    if (LISTINGS.size <= KEPT_LISTINGS) break;
    LISTINGS.delete(old);
  }
  return made;
}

async function readListing(root: string, sha: string): Promise<Map<string, Entry>> {
  const { stdout } = await runGit(['ls-tree', '-r', '-l', '-z', '--full-tree', sha], { cwd: root });
  const entries = new Map<string, Entry>();
  // "<mode> <type> <object> <size>\t<path>" per NUL-terminated record; submodules have size "-".
  for (const record of stdout.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', object = '', size = '-'] = record.slice(0, tab).trim().split(/\s+/);
    entries.set(record.slice(tab + 1), { mode, type, object, size: size === '-' ? null : Number(size) });
  }
  return entries;
}

/** The files committed at `sha`, sorted: what a worktree of it holds. */
export async function listCommitted(root: string, sha: string): Promise<string[]> {
  return [...(await listing(root, sha)).keys()].sort();
}

/** git's object id of `bytes` as a blob, in the hash its ids use (SHA-1, or SHA-256 for 64 digits). */
function blobId(bytes: Buffer, like: string): string {
  const hash = createHash(like.length === 64 ? 'sha256' : 'sha1');
  hash.update(`blob ${bytes.length}\0`);
  hash.update(bytes);
  return hash.digest('hex');
}

/** The checkout's copy of `path`: a symlink as its target (what git stores), null when absent. */
async function workingCopy(root: string, path: string): Promise<{ bytes: Buffer; link: boolean } | null> {
  const full = join(root, path);
  try {
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) return { bytes: Buffer.from(await readlink(full)), link: true };
    if (!stat.isFile()) return null;
    return { bytes: await readFile(full), link: false };
  } catch {
    return null;
  }
}

/**
 * The text of `paths` as committed at `sha`, each of at most `maxBytes`. A file whose copy in the
 * checkout is byte-identical to the committed one (its git object id matches) is read there, no
 * process started; the others come from git, all in one `git cat-file --batch`. `changed` names
 * the paths whose checkout copy differs from the commit (edited, added, or deleted there).
 */
export async function readCommitted(
  root: string,
  sha: string,
  paths: readonly string[],
  maxBytes: number,
  known: ReadonlyMap<string, string> = new Map(),
): Promise<CommittedFiles> {
  const entries = await listing(root, sha);
  const files = [...entries.keys()].sort();
  const texts = new Map<string, string | null>();
  const changed: string[] = [];
  const fromGit: { path: string; object: string }[] = [];
  for (const path of new Set(paths)) {
    const entry = entries.get(path);
    const text = known.get(path);
    const copy =
      text === undefined ? await workingCopy(root, path) : { bytes: Buffer.from(text), link: false };
    if (entry === undefined || entry.type !== 'blob') {
      texts.set(path, null);
      if (copy !== null) changed.push(path);
      continue;
    }
    const same = copy !== null && blobId(copy.bytes, entry.object) === entry.object;
    if (!same) changed.push(path);
    // A committed symlink is read where it points, as in a worktree; outside the checkout, never.
    if (entry.mode === '120000' || (entry.size ?? 0) > maxBytes) {
      texts.set(path, same && copy?.link === true ? await linkedText(root, path, maxBytes) : null);
    } else if (same && copy !== null) {
      texts.set(path, copy.bytes.toString('utf8'));
    } else {
      fromGit.push({ path, object: entry.object });
    }
  }
  if (fromGit.length > 0) {
    for (const [path, text] of await catBlobs(root, fromGit)) texts.set(path, text);
  }
  return { files, texts, changed: changed.sort() };
}

async function linkedText(root: string, path: string, maxBytes: number): Promise<string | null> {
  try {
    const [top, target] = await Promise.all([realpath(root), realpath(join(root, path))]);
    if (!target.startsWith(`${top}${sep}`)) return null;
    const bytes = await readFile(target);
    return bytes.length <= maxBytes ? bytes.toString('utf8') : null;
  } catch {
    return null;
  }
}

/** Blobs by object id through one `git cat-file --batch`: "<id> blob <size>\n<bytes>\n" each. */
async function catBlobs(
  root: string,
  wanted: readonly { path: string; object: string }[],
): Promise<Map<string, string | null>> {
  const { stdout } = await runGit(['cat-file', '--batch'], {
    cwd: root,
    input: `${wanted.map((w) => w.object).join('\n')}\n`,
  });
  // Read as text: the blobs are small text files (manifests, configs); lengths count bytes, so
  // the output is walked as bytes.
  const out = Buffer.from(stdout, 'utf8');
  // A path whose blob cannot be told apart below (a text that was not UTF-8 shifts the byte
  // counts) keeps null: detection reads it as an unreadable file.
  const texts = new Map<string, string | null>(wanted.map(({ path }) => [path, null]));
  let at = 0;
  for (const { path } of wanted) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const [, type, size] = out.subarray(at, eol).toString('utf8').split(' ');
    if (type !== 'blob') {
      texts.set(path, null);
      at = eol + 1;
      continue;
    }
    const length = Number(size);
    if (out[eol + 1 + length] !== 0x0a) break;
    texts.set(path, out.subarray(eol + 1, eol + 1 + length).toString('utf8'));
    at = eol + 1 + length + 1;
  }
  return texts;
}
