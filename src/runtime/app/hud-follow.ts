import { setTimeout as sleep } from 'node:timers/promises';
import type { GoalStore } from '../goal/store.js';
import { type HudSnapshot, type HudTarget, hudActive, hudSnapshot } from './hud.js';

/**
 * `omk hud`: a snapshot of one goal (or of every running, paused or interrupted one of a
 * repository, or of every repository) handed to `show`; live, another each interval until no goal
 * it shows is active.
 */
export async function followHud(
  store: GoalStore,
  target: HudTarget,
  options: { live: boolean; intervalMs: number; show: (snapshot: HudSnapshot) => void },
): Promise<void> {
  for (;;) {
    const snapshot = await hudSnapshot(store, target);
    options.show(snapshot);
    if (!options.live || !snapshot.goals.some((goal) => hudActive(goal.status))) return;
    await sleep(options.intervalMs);
  }
}
