import { access } from 'node:fs/promises';

/** Whether `path` exists (any kind of file); an unreadable path counts as missing. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
