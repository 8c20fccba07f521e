import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { writeDelivery } from '../delivery/state.js';
import { goalRecord } from '../delivery/test-delivery.js';
import { NotFoundError } from '../errors.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import type { AppDeps } from './deps.js';
import type { ChangeRequest } from './fix.js';
import { FixBatches } from './fix-batches.js';
import { type FakeThreadHostOptions, fakeThreadHost } from './test-thread-host.js';
import type { ThreadAnswer } from './thread-answer.js';
import { fixJobOnThread, type ThreadFixJobRequest } from './thread-fix-job.js';
import { plainVocabulary } from './vocabulary.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-fix-job-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const change = (id: string): ChangeRequest => ({
  id,
  text: 'add a VERSION export',
  author: 'alice',
  replyTo: null,
});

function fixRequest(branch: string | null, ids: string[], pr = 7): ThreadFixJobRequest {
  return {
    key: `acme/app#${pr}`,
    pr,
    branch,
    requests: ids.map(change),
    agent: undefined,
    replies: { reply: async () => {} },
    fallbackBase: 'main',
  };
}

/** A host over the test store, with what it answered and which errors it was told of. */
function fakeHost(
  goals: GoalRecord[] | null,
  options: FakeThreadHostOptions = {},
  app: () => AppDeps = () => testApp(store, { repoCustomAgents: 'untrusted' }),
) {
  const fake = fakeThreadHost(root, store, app, goals, options);
  const answered: ThreadAnswer[] = [];
  const failures: unknown[] = [];
  const answers = {
    answer: async (said: ThreadAnswer) => answered.push(said),
    failed: async (error: unknown) => failures.push(error),
  };
  return { ...fake, answered, failures, answers };
}

/** The goal with its integrator PR #7 delivered and a fix already asked for `handled`. */
async function deliveredGoal(handled: string[]): Promise<GoalRecord> {
  const goal = { ...goalRecord(), status: 'ready' as const };
  await store.create(goal);
  await writeDelivery(store.files, store.paths(goal.id).delivery, {
    version: 1,
    forge: 'github',
    target: 'github:acme/app',
    pulls: [
      {
        sliceId: null,
        branch: `omk/${goal.id}/integration`,
        number: 7,
        url: 'https://github.com/acme/app/pull/7',
        headSha: 'c'.repeat(40),
        checkRunId: null,
        checkRunSha: null,
        checkRunPendingSha: null,
        labels: [],
        draft: null,
      },
    ],
  });
  await store
    .eventLog(goal.id)
    .append([{ type: 'fix_requested', data: { fix: 1, pr: 7, sliceId: null, requestIds: handled } }]);
  return goal;
}

describe('fixJobOnThread', () => {
  it('refuses a PR omk did not open, a fix another host runs and a goal running here, queueing nothing', () => {
    const batches = new FixBatches();
    const here = fakeHost(null);
    expect(
      fixJobOnThread(here.host, batches, fixRequest('feature/x', ['r:1']), here.answers, plainVocabulary),
    ).toEqual({
      kind: 'refused',
      lines: ['#7 is not an omk PR (its branch is not omk/<goal-id>/…), so there is nothing for omk to fix.'],
    });
    const elsewhere = fakeHost(null, { executesHere: false });
    const refused = fixJobOnThread(
      elsewhere.host,
      batches,
      fixRequest('omk/g-1/s1', ['r:2']),
      elsewhere.answers,
      plainVocabulary,
    );
    expect(refused).toMatchObject({ kind: 'refused', lines: [expect.stringContaining('In actions mode')] });
    const running = fakeHost(null);
    running.host.runs.set('g-1', { store });
    expect(
      fixJobOnThread(
        running.host,
        batches,
        fixRequest('omk/g-1/s1', ['r:3']),
        running.answers,
        plainVocabulary,
      ),
    ).toEqual({
      kind: 'refused',
      lines: ['Goal g-1 is running in this app; ask again when it has settled.'],
    });
    expect([...here.log, ...elsewhere.log, ...running.log]).toEqual([]);
  });

  it('joins requests that arrive before the fix takes them: one queued fix, one answer', async () => {
    const goal = await deliveredGoal(['review:1', 'review:2']);
    const { host, log, queued, answered, failures, answers } = fakeHost([goal], { queue: 'run' });
    const batches = new FixBatches();
    const branch = `omk/${goal.id}/integration`;
    const first = fixJobOnThread(host, batches, fixRequest(branch, ['review:1']), answers, plainVocabulary);
    const second = fixJobOnThread(host, batches, fixRequest(branch, ['review:2']), answers, plainVocabulary);
    expect([first, second]).toEqual([{ kind: 'queued' }, { kind: 'joined' }]);
    await Promise.all(queued);
    expect(log.filter((line) => line.startsWith('queue'))).toEqual(['queue fix:acme/app#7:review:1']);
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ kind: 'log', line: expect.stringMatching(/^fix on PR #7: /) });
    expect(failures).toEqual([]);
    // The batch closed with its fix: a later request queues a fix of its own.
    const later = fixJobOnThread(host, batches, fixRequest(branch, ['review:3']), answers, plainVocabulary);
    expect(later).toEqual({ kind: 'queued' });
    // Its fix runs on in the store: let it settle before the store's directory goes.
    await Promise.all(queued);
    expect(log.filter((line) => line.startsWith('queue'))).toEqual([
      'queue fix:acme/app#7:review:1',
      'queue fix:acme/app#7:review:3',
    ]);
  });

  it('answers a failed fix; an expected refusal ends there, any other error is thrown on', async () => {
    const goal = await deliveredGoal([]);
    const branch = `omk/${goal.id}/integration`;
    const expected = fakeHost([goal], { queue: 'run' });
    const notDelivered = fixRequest(branch, ['review:1'], 8);
    expect(
      fixJobOnThread(expected.host, new FixBatches(), notDelivered, expected.answers, plainVocabulary),
    ).toEqual({ kind: 'queued' });
    await Promise.all(expected.queued);
    expect(expected.failures).toHaveLength(1);
    expect(expected.failures[0]).toBeInstanceOf(NotFoundError);
    const bug = new Error('the checkout vanished');
    const broken = fakeHost([goal], { queue: 'run' }, () => {
      throw bug;
    });
    fixJobOnThread(
      broken.host,
      new FixBatches(),
      fixRequest(branch, ['review:1']),
      broken.answers,
      plainVocabulary,
    );
    await expect(Promise.all(broken.queued)).rejects.toBe(bug);
    expect(broken.failures).toEqual([bug]);
    expect(broken.answered).toEqual([]);
  });

  it('says a full run queue, and closes the batch so the next request is not left waiting', () => {
    const { host, answers } = fakeHost(null, { queue: 'full' });
    const batches = new FixBatches();
    const request = fixRequest('omk/g-1/integration', ['review:1']);
    expect(fixJobOnThread(host, batches, request, answers, plainVocabulary)).toEqual({ kind: 'full' });
    expect(fixJobOnThread(host, batches, request, answers, plainVocabulary)).toEqual({ kind: 'full' });
  });
});
