import { restoreAwaitedBranches } from '../delivery/kept-bundle.js';
import type { AppDeps } from './deps.js';

/**
 * A goal's branches brought into a checkout that did not run it (the bot's checkout of a resumed
 * run, a later job of the Action): `fetch`, the host's, brings what the forge has. A slice branch
 * kept until the goal is accepted is on no ref of the forge: it was saved with the goal instead (a
 * bundle on the state branch) and is restored from there, only at the head the goal's evidence
 * records, so the run builds on and integrates it as its first run would have (fan-out's
 * integrate does the same once it has folded its slice jobs' results); a missing or altered bundle
 * is refused as accept refuses it. Accept, open-pr and delivery restore the integration they push
 * themselves. The one place both hosts bring a goal's branches before they run it.
 */
export async function bringGoalBranches(
  deps: Pick<AppDeps, 'store' | 'keptBundles'>,
  goalId: string,
  /** The host's fetch; none where nothing can be fetched (a re-run job: its branches were saved). */
  fetch?: () => Promise<void>,
): Promise<void> {
  await fetch?.();
  if (deps.keptBundles === undefined) return;
  await restoreAwaitedBranches({ store: deps.store, bundles: deps.keptBundles }, goalId, {
    slicesOnly: true,
  });
}
