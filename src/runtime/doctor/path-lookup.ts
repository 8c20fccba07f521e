import { access, constants, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { FileState } from './types.js';

/**
 * What a spawn of `command` would find: the first executable regular file named `command` in a
 * PATH directory. Empty and relative PATH entries are skipped (they would depend on the working
 * directory). On Windows each PATHEXT extension is tried too.
 */
export async function findOnPath(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  if (command === '' || command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return null;
  }
  const dirs = (env.PATH ?? env.Path ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .filter((dir) => dir !== '' && isAbsolute(dir));
  const extensions =
    platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      if ((await fileState(candidate)) === 'ok') return candidate;
    }
  }
  return null;
}

/** Whether `path` is a regular file (after symlinks) this process may execute. */
export async function fileState(path: string): Promise<FileState> {
  try {
    if (!(await stat(path)).isFile()) return 'not-file';
  } catch {
    return 'missing';
  }
  try {
    await access(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}
