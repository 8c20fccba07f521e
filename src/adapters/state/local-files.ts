import { access, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { StateFiles } from '../../runtime/state/port.js';
import { appendLines, readRange, scanFromEnd } from './append-scan.js';
import { replaceFileIf, writeFileAtomic } from './atomic.js';
import { withLock } from './lock.js';

/** The local file store: goal state on this machine's disk (the state root of docs/state.md). */
export const localStateFiles: StateFiles = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
  },
  writeAtomic: writeFileAtomic,
  async replaceIfIdentity(path, data, identity) {
    return replaceFileIf(path, data, async () => (await fileIdentity(path)) === identity);
  },
  appendLines,
  scanFromEnd,
  readRange,
  async exists(path) {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  },
  identity: fileIdentity,
  async makeDirs(path) {
    await mkdir(path, { recursive: true });
  },
  async createDir(path) {
    try {
      await mkdir(path);
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    }
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
  },
  async remove(path) {
    await rm(path, { recursive: true, force: true });
  },
  withLock,
};

async function fileIdentity(path: string): Promise<string | null> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return null;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
