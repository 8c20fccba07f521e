import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a whole file or nothing: temp file in the same directory, fsync, rename, fsync the
 * directory. A reader never sees a half-written file, even after a crash.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFileIf(path, data, null);
}

/**
 * writeFileAtomic, renaming only while `unchanged()` holds, asked right before the rename (after
 * the fsync): false, nothing written, when it does not. `null`: always.
 */
export async function replaceFileIf(
  path: string,
  data: string | Uint8Array,
  unchanged: (() => Promise<boolean>) | null,
): Promise<boolean> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    if (unchanged !== null && !(await unchanged())) {
      await rm(tmp, { force: true });
      return false;
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dir);
  return true;
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** fsyncs a directory, so a file just created or renamed in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename (or the file's own fsync) still
    // happened.
  } finally {
    await handle.close();
  }
}
