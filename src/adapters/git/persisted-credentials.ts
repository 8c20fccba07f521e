import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialGuard } from '../../runtime/secrets/credential-port.js';
import { isPidAlive } from '../process/host.js';
import { runGit } from './run-git.js';

/** Every `http.<url>.extraheader` of the repository's own config (what actions/checkout persists). */
const HEADER_KEYS = '^http\\..*\\.extraheader$';
const SUFFIX = '.extraheader';

export interface PersistedHeader {
  /** `http.<url>.extraheader` as git prints it (the URL's case kept). */
  key: string;
  value: string;
}

interface Stash {
  pid: number;
  repoRoot: string;
  headers: PersistedHeader[];
}

/** The headers `.git/config` holds; `--null`, so a value is never split or reinterpreted. */
export async function readPersistedHeaders(repoRoot: string): Promise<PersistedHeader[]> {
  const found = await runGit(['config', '--local', '--null', '--get-regexp', HEADER_KEYS], {
    cwd: repoRoot,
    okExitCodes: [0, 1],
  });
  if (found.exitCode !== 0) return [];
  return found.stdout
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => {
      const newline = entry.indexOf('\n');
      return newline < 0
        ? { key: entry, value: '' }
        : { key: entry.slice(0, newline), value: entry.slice(newline + 1) };
    });
}

/** Unsets them by key: argv names only the key, never the value. */
async function unsetHeaders(repoRoot: string, headers: readonly PersistedHeader[]): Promise<void> {
  for (const key of new Set(headers.map((header) => header.key))) {
    await runGit(['config', '--local', '--unset-all', key], { cwd: repoRoot, okExitCodes: [0, 5] });
  }
}

const quoted = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Puts headers back that are not there, appended as their own `[http "<url>"]` sections (git
 * reads repeated sections as one). Written to the file, not through `git config --add`, so the
 * token never appears in argv (visible in `ps`).
 */
async function addHeaders(repoRoot: string, headers: readonly PersistedHeader[]): Promise<void> {
  const present = await readPersistedHeaders(repoRoot);
  const missing = headers.filter(
    (header) => !present.some((p) => p.key === header.key && p.value === header.value),
  );
  if (missing.length === 0) return;
  const gitDir = (
    await runGit(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoRoot })
  ).stdout.trim();
  const config = join(gitDir, 'config');
  const current = await readFile(config, 'utf8');
  const lines = missing.map((header) => {
    const url = header.key.slice('http.'.length, header.key.length - SUFFIX.length);
    return `[http ${quoted(url)}]\n\textraheader = ${quoted(header.value)}\n`;
  });
  await appendFile(config, `${current.endsWith('\n') || current === '' ? '' : '\n'}${lines.join('')}`);
}

async function readStash(path: string): Promise<Stash | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Stash;
  } catch {
    return null;
  }
}

const stashPath = (repoRoot: string, stashDir: string) =>
  join(stashDir, `${createHash('sha256').update(repoRoot).digest('hex').slice(0, 16)}.json`);

/**
 * Puts back the headers a run left stashed for `repoRoot` (it ended without restoring them, e.g.
 * a cancelled job), unless that run is still alive. True when something was put back.
 */
export async function restoreLeftHeaders(repoRoot: string, stashDir: string): Promise<boolean> {
  const path = stashPath(repoRoot, stashDir);
  const left = await readStash(path);
  if (left === null || (left.pid !== process.pid && isPidAlive(left.pid))) return false;
  await addHeaders(repoRoot, left.headers);
  await rm(path, { force: true });
  return true;
}

/** The guard on this machine: the stash is one 0600 file per repository under `stashDir`. */
export const persistedCredentialGuard: CredentialGuard = {
  async away(repoRoot, stashDir) {
    const path = stashPath(repoRoot, stashDir);
    const left = await readStash(path);
    const noop = { restore: async () => {} };
    if (left !== null && left.pid !== process.pid && isPidAlive(left.pid)) return noop;
    if (left !== null && left.pid === process.pid) return noop;
    if (left !== null) {
      // A run that ended without restoring (a crash): its headers go back first.
      await addHeaders(repoRoot, left.headers);
      await rm(path, { force: true });
    }
    const headers = await readPersistedHeaders(repoRoot);
    if (headers.length === 0) return noop;
    await mkdir(stashDir, { recursive: true, mode: 0o700 });
    const stash: Stash = { pid: process.pid, repoRoot, headers };
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stash), { mode: 0o600 });
    await rename(temp, path);
    await unsetHeaders(repoRoot, headers);
    return {
      async restore() {
        await addHeaders(repoRoot, headers);
        await rm(path, { force: true });
      },
    };
  },
};
