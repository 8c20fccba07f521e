import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { NotFoundError } from '../errors.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { type FakeThreadHostOptions, fakeThreadHost } from './test-thread-host.js';
import { fixAnswer, goalCommandOnThread } from './thread-answer.js';
import type { ThreadGoalCommand } from './thread-step.js';
import { plainVocabulary } from './vocabulary.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-answer-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const options = {
  agent: undefined,
  method: async () => 'merge' as const,
  fallbackBase: 'main',
  replies: { reply: async () => {} },
};
const place = { repoName: 'acme/app', workflow: 'omk.yml' };

function answerTo(goals: GoalRecord[] | null, command: ThreadGoalCommand, host: FakeThreadHostOptions = {}) {
  const fake = fakeThreadHost(root, store, () => testApp(store), goals, host);
  const request = { goalId: goalRecord().id, command, ...options };
  return { fake, done: goalCommandOnThread(fake.host, request, options, place, plainVocabulary) };
}

describe('goalCommandOnThread', () => {
  it('answers a status with nothing (its status comment is the answer) and a proof with the proof', async () => {
    const goal = goalRecord();
    expect(await answerTo([goal], { kind: 'status' }).done).toEqual({
      answer: { kind: 'none' },
      busy: false,
    });
    const proof = await answerTo([goal], { kind: 'proof' }).done;
    expect(proof).toMatchObject({ answer: { kind: 'proof', goalId: goal.id }, busy: false });
  });

  it('answers a pause with its transition, and continues nothing', async () => {
    const goal = { ...goalRecord(), status: 'running' as const };
    const { fake, done } = answerTo([goal], { kind: 'pause' });
    expect(await done).toEqual({
      answer: { kind: 'lines', lines: [`Goal ${goal.id}: running → paused.`] },
      busy: false,
    });
    expect(fake.log.some((line) => line.startsWith('dispatch') || line.startsWith('queue'))).toBe(false);
  });

  it('continues a resume where goals run: the workflow dispatched, or a run here that a full queue makes busy', async () => {
    const paused = { ...goalRecord(), status: 'paused' as const };
    const dispatched = answerTo([paused], { kind: 'resume' }, { executesHere: false });
    expect(await dispatched.done).toMatchObject({
      answer: {
        kind: 'lines',
        lines: [expect.stringContaining('→'), 'Dispatched the omk.yml workflow to continue it.'],
      },
      busy: false,
    });
    expect(dispatched.fake.log).toContain(`dispatch ${paused.id}`);
    await rm(root, { recursive: true, force: true });
    store = localGoalStore(root, { host: procHost });
    const full = answerTo([paused], { kind: 'resume' }, { executesHere: true, queue: 'full' });
    const busy = await full.done;
    expect(busy.busy).toBe(true);
    expect(busy.answer).toEqual({ kind: 'lines', lines: [expect.stringContaining('→')] });
  });

  it('refuses a goal that is not on the state branch with a NotFoundError naming the repository', async () => {
    const error = await answerTo(null, { kind: 'pause' }).done.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(
      `There is no goal ${goalRecord().id} on the state branch of acme/app.`,
    );
    expect((error as NotFoundError).hint).toContain('status comment');
  });
});

describe('fixAnswer', () => {
  it('answers a refusal and a goal not shared in lines, and a fix whose requests were handled already in a log line', () => {
    const found = {
      kind: 'custom' as const,
      file: '.omk/config.yml',
      key: 'agents.custom.evil',
      name: 'evil',
      role: 'agent' as const,
    };
    const refused = fixAnswer({ kind: 'refused', found }, 'g-1', 3, plainVocabulary);
    expect(refused).toMatchObject({
      kind: 'lines',
      lines: expect.arrayContaining([expect.stringContaining('the fix would run it')]),
    });
    expect(fixAnswer({ kind: 'not_shared' }, 'g-1', 3, plainVocabulary)).toEqual({
      kind: 'lines',
      lines: ['Goal g-1 is not on the state branch.'],
    });
    const handled = fixAnswer(
      { kind: 'done', outcome: { kind: 'already_handled', requestIds: ['r1'] } },
      'g-1',
      3,
      plainVocabulary,
    );
    expect(handled).toMatchObject({ kind: 'log', line: expect.stringMatching(/^fix on PR #3: /) });
  });
});
