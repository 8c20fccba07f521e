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
