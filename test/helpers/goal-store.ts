import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processHost } from '../../src/adapters/process/host.js';
import { localStateFiles } from '../../src/adapters/state/local-files.js';
import { GoalStore, type StoreDeps } from '../../src/runtime/goal/store.js';
import { silentReporter, systemClock } from '../../src/runtime/ports.js';

/**
 * A goal store over the local file store at `stateRoot`, as the CLI composes it, reporting nothing;
 * a test may give its own clock or host.
 */
export function localGoalStore(
  stateRoot: string,
  deps: Partial<Pick<StoreDeps, 'clock' | 'host'>> = {},
): GoalStore {
  return new GoalStore({
    files: localStateFiles,
    stateRoot,
    clock: systemClock,
    host: processHost(),
    reporter: silentReporter,
    ...deps,
  });
}

/** Every file under a goal's directory with its text, by path: a command that wrote, changed or added one shows. */
export async function goalFiles(stateRoot: string, goalId: string): Promise<[string, string][]> {
  const dir = join(stateRoot, 'goals', goalId);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(
    files.sort().map(async (path): Promise<[string, string]> => [path, await readFile(path, 'utf8')]),
  );
}
