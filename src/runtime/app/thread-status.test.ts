import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { recordOrigin } from '../goal/origin.js';
import type { GoalStore } from '../goal/store.js';
import { readStatusMarker } from './status-comment.js';
import { threadStatusComment } from './thread-status.js';
import { plainVocabulary } from './vocabulary.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-status-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ask = (goalId: string) => ({
  goalId,
  phase: 'running' as const,
  mode: 'local',
  workflow: 'omk.yml',
  notes: [],
  issue: 7,
  startedBy: 'bob',
});

describe('threadStatusComment', () => {
  it("shows a goal not there yet by its phase alone, in the job's thread", async () => {
    const shown = await threadStatusComment(null, ask('g-1'), plainVocabulary);
    expect(shown.issue).toBe(7);
    expect(readStatusMarker(shown.body)).toEqual({ goalId: 'g-1', phase: 'running' });
    expect(shown.body).toContain('started by @&#8203;bob');
  });

  it("goes to the goal's origin thread and names who started it there, with the goal's text", async () => {
    const goal = goalRecord();
    await store.create(goal);
    await recordOrigin(store, goal.id, { repo: 'acme/app', issue: 3, commentId: 9, login: 'alice' });
    const shown = await threadStatusComment(store, ask(goal.id), plainVocabulary);
    expect(shown.issue).toBe(3);
    expect(shown.body).toContain('started by @&#8203;alice');
    expect(shown.body).toContain(goal.goal.normalized);
  });

  it('shows nowhere when neither the goal nor the job knows a thread', async () => {
    const shown = await threadStatusComment(store, { ...ask('g-2'), issue: null }, plainVocabulary);
    expect(shown.issue).toBeNull();
  });
});
