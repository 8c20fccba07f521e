import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../../runtime/errors.js';
import type { StateGit } from './state-git.js';

/** The object id git gives `content` as a blob (SHA-1, or SHA-256 for 64-digit ids). */
export function blobId(content: Uint8Array, like: string): string {
  const hash = createHash(like.length === 64 ? 'sha256' : 'sha1');
  hash.update(`blob ${content.length}\0`);
  hash.update(content);
  return hash.digest('hex');
}

/**
 * Reads blobs byte for byte. One `cat-file --batch` reads them all; git's output arrives as UTF-8
 * text, so each blob is checked against its id and any that did not survive decoding (binary
 * content) is read again with `unpack-file`, which writes the raw bytes to a file.
 */
export async function readBlobs(
  git: StateGit,
  scratch: string,
  oids: readonly string[],
): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  const blobs = new Map<string, Buffer>();
  if (unique.length === 0) return blobs;
  const { stdout } = await git(['cat-file', '--batch'], { input: `${unique.join('\n')}\n` });
  const bytes = Buffer.from(stdout, 'utf8');
  let pos = 0;
  for (const oid of unique) {
    const end = bytes.indexOf(0x0a, pos);
    const header = end < 0 ? '' : bytes.subarray(pos, end).toString('utf8');
    const match = /^([0-9a-f]{40,64}) blob (\d+)$/.exec(header);
    const size = match ? Number(match[2]) : -1;
    const content = bytes.subarray(end + 1, end + 1 + size);
    if (match?.[1] !== oid || content.length !== size || blobId(content, oid) !== oid) break;
    blobs.set(oid, Buffer.from(content));
    pos = end + 1 + size + 1;
  }
  const missing = unique.filter((oid) => !blobs.has(oid));
  if (missing.length === 0) return blobs;
  const gitDir = (await git(['rev-parse', '--absolute-git-dir'])).stdout.trim();
  const dir = await mkdtemp(join(scratch, 'blobs-'));
  for (const oid of missing) {
    // With --git-dir and --work-tree set to the scratch directory, git writes the file there.
    const args = ['--git-dir', gitDir, '--work-tree', dir, 'unpack-file', oid];
    const name = (await git(args, { cwd: dir })).stdout.trim();
    const file = join(dir, name);
    if (!/^\.merge_file_[A-Za-z0-9]+$/.test(name))
      throw new GitError(`git unpack-file printed ${JSON.stringify(name)}.`);
    const content = await readFile(file);
    await rm(file, { force: true });
    if (blobId(content, oid) !== oid) throw new GitError(`Blob ${oid} read back with a different id.`);
    blobs.set(oid, content);
  }
  return blobs;
}
