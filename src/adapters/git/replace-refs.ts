import { runGit } from './run-git.js';

/** The ref namespace git reads replacement objects from (`git replace`). */
const REPLACE_REFS = 'refs/replace/';

/**
 * Every `refs/replace/` ref of the repository and the object it names: loose or packed, as git
 * itself lists them. omk's git never honours them (GIT_NO_REPLACE_OBJECTS), but the user's git
 * does: one an agent adds shows the user other content than the commit holds.
 */
export async function replaceRefs(repoRoot: string): Promise<Map<string, string>> {
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
