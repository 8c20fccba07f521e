import { describe, expect, it } from 'vitest';
import { OMK_BIN } from '../helpers/omk.js';
import { type FaultPoint, pointName, runPoint } from './harness.js';

// A sample of the fault walk (bench/faults.mjs --all walks every point): a delivery goal against
// the fake GitHub, SIGKILLed at the point, then recovered. Each point takes about 15 s (the CLI
// spaces GitHub writes a second apart), so six are sampled: two in planning, one in execution, one while a PR is
// being created (the PR made, the answer lost), one right after the PRs are recorded, one right
// after the merge is recorded (goal.json not yet `merged`).
const SAMPLE: FaultPoint[] = [
  // Planning (bench/faults.mjs --all walks every planning step; test/cli/kill-points.test.ts the
  // others): while the planning agent runs, and planned but not yet executed.
  { kind: 'planner' },
  { kind: 'step', step: 'goal_planned' },
  { kind: 'event', type: 'task_done', n: 1 },
  { kind: 'api', operationId: 'pulls/create', phase: 'after' },
  { kind: 'event', type: 'check_run_published', n: 1 },
  // goal.json still `ready`: the first recovery command must find the goal merged.
  { kind: 'event', type: 'goal_merged', n: 1 },
];

describe('a delivery goal killed at a point and recovered', () => {
  for (const point of SAMPLE) {
    it(`${pointName(point)}: no duplicate, nothing lost, settled, with a proof`, async () => {
      const result = await runPoint(OMK_BIN, point);
      const why = JSON.stringify(result, null, 2);
      expect(result.killed, why).toBe(true);
      expect(result.duplicates, why).toEqual([]);
      expect(result.lost, why).toEqual([]);
      expect(result.stuck, why).toBeNull();
      expect(result.proof, why).toBe(true);
      expect(result.recovery.length, why).toBeGreaterThan(0);
      // Killed while it planned, the run left a stale lease: `resume --auto` alone finishes it.
      if (point.kind === 'planner' || point.kind === 'step') expect(result.recovery, why).toHaveLength(1);
    }, 90_000);
  }
});
