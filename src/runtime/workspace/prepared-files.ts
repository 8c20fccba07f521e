import { join } from 'node:path';
import { z } from 'zod';
import type { StateFiles } from '../state/port.js';
import type { PreparedFiles, WorkspacePort, WorktreeStamps } from './port.js';

export type { PreparedFiles, WorktreeStamps };

const own = (record: Readonly<Record<string, string>>, path: string): string | undefined =>
  Object.hasOwn(record, path) ? record[path] : undefined;

/**
 * The preparation's files once it ran (`before` and `after` it): each file it wrote, added or
 * deleted, and each of an earlier preparation's (`earlier`) this one left as it was. A tracked
 * file it rewrote with the same bytes is no change (git does not list it). A file written since an
 * earlier preparation and not by this one (an agent's) is dropped: from then on it is the agent's.
 */
export function preparedFiles(
  earlier: PreparedFiles,
  before: WorktreeStamps,
  after: WorktreeStamps,
): PreparedFiles {
  const files = new Map<string, string>();
  for (const [path, stamp] of Object.entries(earlier)) {
    if (own(before, path) === stamp && own(after, path) === stamp) files.set(path, stamp);
  }
  for (const [path, stamp] of Object.entries(after)) {
    if (own(before, path) !== stamp) files.set(path, stamp);
  }
  return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const recordSchema = z.object({ version: z.literal(1), files: z.record(z.string(), z.string()) });

/** Where a worktree's record lies: beside its preparation's log, in the goal's artifacts. */
export function preparedFilesPath(prepareArtifacts: string, label: string): string {
  return join(prepareArtifacts, `${label}.files.json`);
}

/** The record of `label`'s worktree; empty when none was written (or it cannot be read as one). */
export async function readPreparedFiles(
  files: Pick<StateFiles, 'readText'>,
  prepareArtifacts: string,
  label: string,
): Promise<PreparedFiles> {
  const text = await files.readText(preparedFilesPath(prepareArtifacts, label));
  if (text === null) return {};
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.files : {};
  } catch {
    return {};
  }
}

export async function writePreparedFiles(
  files: Pick<StateFiles, 'writeAtomic' | 'makeDirs'>,
  prepareArtifacts: string,
  label: string,
  prepared: PreparedFiles,
): Promise<void> {
  await files.makeDirs(prepareArtifacts);
  const text = `${JSON.stringify({ version: 1, files: prepared }, null, 1)}\n`;
  await files.writeAtomic(preparedFilesPath(prepareArtifacts, label), text);
}

/**
 * The worktrees with their preparation's files handed to the capture and the reset
 * (`SliceWorkspace.prepared`), read from the record of the worktree's label (its slice id, or
 * `integration`): neither takes them for the agent's change.
 */
export function preparedWorkspaces<W extends Pick<WorkspacePort, 'capture' | 'resetToBase'>>(
  workspaces: W,
  files: Pick<StateFiles, 'readText'>,
  prepareArtifacts: string,
): W {
  const withPrepared = async <S extends { sliceId: string }>(workspace: S) => {
    const prepared = await readPreparedFiles(files, prepareArtifacts, workspace.sliceId);
    return Object.keys(prepared).length === 0 ? workspace : { ...workspace, prepared };
  };
  return {
    ...workspaces,
    capture: async (workspace, message) => workspaces.capture(await withPrepared(workspace), message),
    resetToBase: async (workspace, diffPath) =>
      workspaces.resetToBase(await withPrepared(workspace), diffPath),
  };
}
