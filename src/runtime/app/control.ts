import type { GoalStore } from '../goal/store.js';
import type { Clock } from '../ports.js';

export interface ControlWait {
  /** Whether the run is still this process's (a run that ended has nothing to take control of). */
  running(): boolean;
  clock: Clock;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Waits until a run in this process has taken control of goal `goalId` (it is no longer
 * `planned`), has ended, or the time is up; whether it took control. A lifecycle change applied
 * before that would be lost: the controller checks the status before marking the goal running,
 * and marking it running overwrites a pause written in between; once running, it obeys pause and
 * cancel.
 */
export async function untilControlled(store: GoalStore, goalId: string, wait: ControlWait): Promise<boolean> {
  const deadline = wait.clock.nowMs() + (wait.timeoutMs ?? 60_000);
  while (wait.running() && wait.clock.nowMs() < deadline) {
    if ((await store.read(goalId)).status !== 'planned') return true;
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 50));
  }
  return false;
}
