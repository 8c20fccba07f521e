import { watch } from 'node:fs';

/**
 * Calls `onName` with each name the kernel reports created or renamed in `dir` (inotify on Linux,
 * FSEvents on macOS), from now until the returned function is called. A directory that cannot be
 * watched (gone, too many watches) calls nothing: the state-root check then judges what it finds
 * by what lives when it looks. The watch does not keep the process alive.
 */
export function watchNames(dir: string, onName: (name: string) => void): () => void {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (typeof name === 'string' && name !== '') onName(name);
    });
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  } catch {
    return () => {};
  }
}
