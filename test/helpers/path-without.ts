import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * process.env.PATH with the named executables taken out: a directory holding one of them is
 * replaced by a copy made of links to everything else in it.
 */
export async function pathWithout(tools: readonly string[], into: string): Promise<string> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const result: string[] = [];
  for (const [index, dir] of dirs.entries()) {
    if (!tools.some((tool) => existsSync(join(dir, tool)))) {
      result.push(dir);
      continue;
    }
    const shadow = join(into, String(index));
    await mkdir(shadow, { recursive: true });
    for (const entry of await readdir(dir)) {
      if (!tools.includes(entry)) await symlink(join(dir, entry), join(shadow, entry));
    }
    result.push(shadow);
  }
  return result.join(delimiter);
}
