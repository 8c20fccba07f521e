import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Scrub } from '../../runtime/secrets/scrub.js';
import { goalPaths } from '../../runtime/state/paths.js';
import { writeFileAtomic } from '../state/atomic.js';
import { isLocalOnly } from './state-tree.js';

/** First line of a stub that stands in for an artifact too large for the state branch. */
export const STUB_MARKER = 'omk-state-stub v1';

/** A file to commit: `path` relative to the goal directory, `source` the bytes to store. */
export interface GoalFile {
  path: string;
  source: string;
}

interface LocalEntry {
  rel: string;
  abs: string;
  regular: boolean;
  directory: boolean;
}

export function renderStub(path: string, size: number, limit: number): string {
  return [
    STUB_MARKER,
    `${path} is ${size} bytes, over the ${limit}-byte limit for the state branch, so it was not stored here.`,
    "The full file is an artifact elsewhere: the runner's state directory or the workflow run's uploaded artifacts.",
    '',
  ].join('\n');
}

export function isStub(content: Uint8Array): boolean {
  return Buffer.from(content.subarray(0, STUB_MARKER.length + 1)).toString('latin1') === `${STUB_MARKER}\n`;
}

/** Every entry under `dir` (not following symlinks), parents before children, sorted. */
async function walk(dir: string): Promise<LocalEntry[]> {
  const out: LocalEntry[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    let items: Dirent[];
    try {
      items = await readdir(abs, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const item of items) {
      const entry = {
        rel: rel === '' ? item.name : `${rel}/${item.name}`,
        abs: join(abs, item.name),
        regular: item.isFile(),
        directory: item.isDirectory(),
      };
      out.push(entry);
      if (entry.directory) await visit(entry.abs, entry.rel);
    }
  };
  await visit(dir, '');
  return out;
}

/**
 * The regular files of a goal directory to commit. The lock, temp files, symlinks and names with a
 * backslash or a .git component stay local. Artifacts over `maxFileBytes` are replaced by a stub written to `stubDir`;
 * state documents are never stubbed, since a stub would make the goal unreadable. A text file
 * holding a token is committed as its scrubbed copy (written to `stubDir`), never as it is.
 */
export async function collectGoalFiles(
  goalDir: string,
  maxFileBytes: number,
  stubDir: string,
  scrub: Scrub,
): Promise<GoalFile[]> {
  const files: GoalFile[] = [];
  for (const entry of await walk(goalDir)) {
    if (!entry.regular || isLocalOnly(entry.rel)) continue;
    // Names a pull would refuse (or git could not store) stay local rather than poison the branch.
    if (entry.rel.includes('\\') || entry.rel.split('/').some((part) => part.toLowerCase() === '.git'))
      continue;
    const { size } = await lstat(entry.abs);
    if (size > maxFileBytes && entry.rel.startsWith('artifacts/')) {
      await mkdir(stubDir, { recursive: true });
      const stub = join(stubDir, `stub-${files.length}`);
      await writeFile(stub, renderStub(entry.rel, size, maxFileBytes));
      files.push({ path: entry.rel, source: stub });
    } else {
      files.push({ path: entry.rel, source: await scrubbedSource(entry.abs, stubDir, files.length, scrub) });
    }
  }
  return files;
}

async function scrubbedSource(abs: string, stubDir: string, index: number, scrub: Scrub): Promise<string> {
  const bytes = await readFile(abs);
  if (bytes.includes(0)) return abs;
  const text = bytes.toString('utf8');
  const clean = scrub(text);
  if (clean === text) return abs;
  await mkdir(stubDir, { recursive: true });
  const copy = join(stubDir, `scrubbed-${index}`);
  await writeFile(copy, clean);
  return copy;
}

/**
 * Makes a local goal directory hold exactly `wanted` (plus its lock and temp files): removes
 * local files the branch does not have and writes each wanted file atomically. A stub never
 * overwrites a local copy of the full file.
 */
export async function replaceGoalDir(
  stateRoot: string,
  goalId: string,
  wanted: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  const paths = goalPaths(stateRoot, goalId);
  const local = await walk(paths.dir);
  const wantedDirs = new Set<string>();
  for (const rel of wanted.keys()) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) wantedDirs.add(parts.slice(0, i).join('/'));
  }
  const kept = new Set<string>();
  for (const entry of local) {
    if (entry.directory ? wantedDirs.has(entry.rel) : entry.regular && wanted.has(entry.rel)) {
      if (!entry.directory) kept.add(entry.rel);
      continue;
    }
    if (isLocalOnly(entry.rel)) continue;
    // A directory where the branch has a file goes whole; other directories (even empty) stay.
    if (entry.directory && !wanted.has(entry.rel)) continue;
    await rm(entry.abs, { recursive: true, force: true });
  }
  for (const [rel, content] of wanted) {
    if (isStub(content) && kept.has(rel)) continue;
    const abs = join(paths.dir, ...rel.split('/'));
    await mkdir(dirname(abs), { recursive: true });
    await writeFileAtomic(abs, content);
  }
  for (const dir of [paths.gateArtifacts, paths.agentRunArtifacts, paths.reviewArtifacts]) {
    await mkdir(dir, { recursive: true });
  }
}
