import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from './run-git.js';

/** The ref namespace git reads replacement objects from (`git replace`). */
const REPLACE_REFS = 'refs/replace/';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Every `refs/replace/` ref of the repository and the object it names: loose or packed, as git
 * itself lists them. omk's git never honours them (GIT_NO_REPLACE_OBJECTS), but the user's git
 * does: one an agent adds shows the user other content than the commit holds. Read from the
 * files where the repository keeps its refs as plain files (no git process around every run);
 * asked of git otherwise (a `.git` file, a `commondir`, reftable, a symbolic ref).
 */
export async function replaceRefs(repoRoot: string): Promise<Map<string, string>> {
  return (await replaceRefsFromFiles(join(repoRoot, '.git'))) ?? replaceRefsFromGit(repoRoot);
}

async function replaceRefsFromGit(repoRoot: string): Promise<Map<string, string>> {
  const listed = await runGit(['for-each-ref', '--format=%(refname) %(objectname)', REPLACE_REFS], {
    cwd: repoRoot,
  });
  const refs = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs.set(line.slice(0, space), line.slice(space + 1));
  }
  return refs;
}

/** Null when the refs are not plain files of `gitDir` that this reading understands. */
async function replaceRefsFromFiles(gitDir: string): Promise<Map<string, string> | null> {
  const kind = await lstat(gitDir).catch(() => null);
  if (!kind?.isDirectory()) return null;
  for (const elsewhere of ['commondir', 'reftable']) {
    if ((await lstat(join(gitDir, elsewhere)).catch(() => null)) !== null) return null;
  }
  const refs = new Map<string, string>();
  const packed = await readOrEmpty(join(gitDir, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    const [object, ref, extra] = line.trim().split(' ');
    if (ref?.startsWith(REPLACE_REFS) && extra === undefined && OBJECT_ID.test(object ?? ''))
      refs.set(ref, object as string);
  }
  // A loose ref is newer than its packed line.
  return (await readLoose(gitDir, REPLACE_REFS, refs)) ? refs : null;
}

async function readLoose(gitDir: string, prefix: string, refs: Map<string, string>): Promise<boolean> {
  const entries = await readdir(join(gitDir, prefix), { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : null),
  );
  if (entries === null) return false;
  for (const entry of entries) {
    const ref = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      if (!(await readLoose(gitDir, `${ref}/`, refs))) return false;
      continue;
    }
    const content = entry.isFile() ? await readOrEmpty(join(gitDir, ref)) : null;
    const object = content?.trim() ?? '';
    // A symbolic ref, a link or anything else git would read its own way.
    if (!OBJECT_ID.test(object)) return false;
    refs.set(ref, object);
  }
  return true;
}

/** The file's text, '' when there is none, null when it cannot be read. */
async function readOrEmpty(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? '' : null,
  );
}

/** Puts `ref` back to `object`, or deletes it (null); false when git refused. */
export async function restoreReplaceRef(
  repoRoot: string,
  ref: string,
  object: string | null,
): Promise<boolean> {
  if (!ref.startsWith(REPLACE_REFS)) return false;
  const args = object === null ? ['update-ref', '-d', ref] : ['update-ref', ref, object];
  return runGit(args, { cwd: repoRoot }).then(
    () => true,
    () => false,
  );
}
