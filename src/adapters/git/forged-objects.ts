import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { runGit } from './run-git.js';

/**
 * The paths among `paths` whose blob in `commit` is a loose object that does not hold what its id
 * says. git does not check an object's id when it reads it, so an agent that overwrote the loose
 * object of the blob it was about to commit (its id known beforehand: `git hash-object`) has omk
 * commit, review and merge content other than what its gates ran on. A packed object is read by
 * git with its pack's checksums and is not read here. One git process (the commit's blob ids);
 * `commonDir` is the repository's (`git rev-parse --git-common-dir`, absolute).
 */
export async function forgedObjects(
  cwd: string,
  commonDir: string,
  commit: string,
  paths: readonly string[],
): Promise<string[]> {
  if (paths.length === 0) return [];
  const { stdout } = await runGit(['ls-tree', '-z', '--full-tree', commit, '--', ...paths], { cwd });
  const forged: string[] = [];
  // Each record: `<mode> <type> <id>\t<path>`.
  for (const record of stdout.split('\0')) {
    const tab = record.indexOf('\t');
    const [, type, id] = record.slice(0, Math.max(tab, 0)).split(' ');
    const path = record.slice(tab + 1);
    if (tab < 0 || type !== 'blob' || id === undefined || path === '') continue;
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
