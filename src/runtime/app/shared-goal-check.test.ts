import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { StateError } from '../errors.js';
import type { GoalStore } from '../goal/store.js';
import { checkSharedGoal } from './shared-goal-check.js';

let root: string;
let store: GoalStore;
const id = goalRecord().id;
const commit = 'c'.repeat(40);
const event = (seq: number) =>
  `${JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type: 'goal_created', data: {} })}\n`;

/** A goal as a pull leaves it: goal.json and events.jsonl as given. */
async function pulled(events: string, goal = `${JSON.stringify(goalRecord(), null, 2)}\n`): Promise<void> {
  const dir = join(root, 'goals', id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'goal.json'), goal);
  await writeFile(join(dir, 'events.jsonl'), events);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-shared-check-'));
  store = localGoalStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a goal pulled from the state branch', () => {
  it('as omk writes it passes, a write torn by a crash and appended after included', async () => {
    await pulled(`${event(1)}{"v":1,"seq":2,"ts":"2026\n${event(2)}${event(3)}`);
    await expect(checkSharedGoal(store, id, commit)).resolves.toBeUndefined();
  });

  it('planned, with no event yet, passes', async () => {
    await pulled('', `${JSON.stringify({ ...goalRecord(), status: 'planned' }, null, 2)}\n`);
    await expect(checkSharedGoal(store, id, commit)).resolves.toBeUndefined();
  });

  it.each([
    ['an event log of garbage', 'not json\n', undefined, 'events.jsonl holds no event.'],
    [
      'an event log with an event cut out',
      `${event(1)}${event(3)}`,
      undefined,
      'has event #3 where event #2 belongs.',
    ],
    ['a goal.json that is not JSON', event(1), '{"id":', `goals/${id}/goal.json is not valid JSON.`],
  ])('with %s is refused, naming the file on the branch', async (_what, events, goal, why) => {
    await pulled(events, goal);
    const refused = checkSharedGoal(store, id, commit);
    await expect(refused).rejects.toThrow(StateError);
    await expect(refused).rejects.toThrow(
      `Goal ${id} on the state branch (commit cccccccccccc) is not as omk writes it:`,
    );
    await expect(refused).rejects.toThrow(why);
  });
});
