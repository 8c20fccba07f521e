import { changedSinceFindings } from '../integrity/findings.js';
import type { IntegrityWatch } from '../integrity/port.js';
import type { Finding } from '../proof/schema.js';
import { createSharedGitActivity, type SharedGitActivity } from '../workspace/own-step.js';
import type { ControllerDeps } from './context.js';

/** A goal run's integrity baseline, taken by the first run that needs it. */
export interface RunBaseline {
  integrityBaseline?: Promise<IntegrityWatch>;
  /** Agent and gate runs and omk's own steps in flight (workspace/own-step.ts). */
  sharedGit?: SharedGitActivity;
}

/** The run's activity next to the shared `.git`, made on first use. */
export function sharedGitOf(holder: RunBaseline): SharedGitActivity {
  holder.sharedGit ??= createSharedGitActivity();
  return holder.sharedGit;
}

/**
 * Right before an agent or gate run: the first call of a goal run snapshots what must never change
 * (integrity port `baseline`); every later one compares against that snapshot, restores it and
 * names what differs, so a hook planted between two runs blocks the run that follows instead of
 * becoming its starting point. The per-run watch then covers the run itself.
 */
export async function checkRunBaseline(
  deps: Pick<ControllerDeps, 'integrity' | 'home'>,
  holder: RunBaseline,
  repoRoot: string,
  before: string,
): Promise<Finding[]> {
  if (holder.integrityBaseline === undefined) {
    holder.integrityBaseline = deps.integrity.baseline({ repoRoot, home: deps.home });
    await holder.integrityBaseline;
    return [];
  }
  const baseline = await holder.integrityBaseline;
  return changedSinceFindings(await baseline.check(), before);
}
