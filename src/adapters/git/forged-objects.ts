import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { runGit } from './run-git.js';

/**
 * The paths whose blob in `commit` differs by id from `from`'s and is a loose object that does not
 * hold what its id says. git does not check an object's id when it reads it, so an agent that
 * overwrote the loose object of the blob it was about to commit (its id known beforehand:
 * `git hash-object`) has omk commit, review and merge content other than what its gates ran on.
 * The paths come from comparing the two trees by id (`diff-tree --raw` reads no blob): a diff of
 * contents drops a file whose forged object reads as `from`'s does, so the change omk describes
 * can be empty while the commit's tree is not. A packed object is read by git with its pack's
 * checksums and is not read here. One git process; `commonDir` is the repository's
 * (`git rev-parse --git-common-dir`, absolute).
 */
export async function forgedObjects(
  cwd: string,
  commonDir: string,
  from: string,
  commit: string,
): Promise<string[]> {
  if (from === commit) return [];
  const { stdout } = await runGit(
    ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', from, commit, '--'],
    { cwd },
  );
  const forged: string[] = [];
  // Each record: `:<old mode> <new mode> <old id> <new id> <status>\0<path>\0`.
  const fields = stdout.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode = '', , id = ''] = (fields[i] ?? '').split(' ');
    const path = fields[i + 1] ?? '';
    // A deleted file has no new blob, a submodule's commit is not in this object database.
    if (mode === '160000' || /^0+$/.test(id) || path === '') continue;
    const stored = await readFile(join(commonDir, 'objects', id.slice(0, 2), id.slice(2))).catch(() => null);
    if (stored === null) continue;
    const algorithm = id.length === 64 ? 'sha256' : 'sha1';
    let content: Buffer;
    try {
      content = inflateSync(stored);
    } catch {
      forged.push(path);
      continue;
    }
    if (createHash(algorithm).update(content).digest('hex') !== id) forged.push(path);
  }
  return forged;
}
