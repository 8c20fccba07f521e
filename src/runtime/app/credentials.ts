import { join } from 'node:path';
import { privateStateDir } from '../state/paths.js';
import type { AppDeps } from './deps.js';

/**
 * Runs `work` (agents and gates) with the checkout's persisted credential out of `.git/config`,
 * and puts it back after, also when `work` throws. The removed value waits under the state root's
 * `private/` (never a goal directory, so never on the state branch); a run killed before putting
 * it back has it put back by the next one.
 */
export async function withCredentialsAway<T>(
  deps: Pick<AppDeps, 'execution' | 'store'>,
  repoRoot: string,
  work: () => Promise<T>,
): Promise<T> {
  const guard = deps.execution.credentials;
  if (guard === undefined) return work();
  const held = await guard.away(repoRoot, join(privateStateDir(deps.store.deps.stateRoot), 'credentials'));
  try {
    return await work();
  } finally {
    await held.restore();
  }
}
