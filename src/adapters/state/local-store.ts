import { GoalStore, type HostInfo, type Reporter, systemClock } from '../../runtime/app/ports.js';
import { withFaultInjection } from '../process/fault.js';
import { localStateFiles } from './local-files.js';

/**
 * The goal store of a host that keeps goal state on this machine's disk under `stateRoot`, on the
 * system clock, its locks held by `host` (a test's kill points applied as the environment asks).
 */
export function localGoalStore(options: {
  stateRoot: string;
  host: HostInfo;
  reporter: Reporter;
  env: Readonly<Record<string, string | undefined>>;
}): GoalStore {
  return new GoalStore({
    stateRoot: options.stateRoot,
    clock: systemClock,
    host: withFaultInjection(options.host, options.env),
    reporter: options.reporter,
    files: localStateFiles,
  });
}
