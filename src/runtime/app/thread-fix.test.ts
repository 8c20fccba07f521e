import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import type { ChangeRequest } from './fix.js';
import { type FakeThreadHostOptions, fakeThreadHost } from './test-thread-host.js';
import { fixOnThread } from './thread-fix.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-fix-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The bot's host: repository custom agents untrusted. */
function fakeHost(goals: GoalRecord[] | null, options: FakeThreadHostOptions = {}) {
  return fakeThreadHost(root, store, () => testApp(store, { repoCustomAgents: 'untrusted' }), goals, options);
}

const request = (goalId: string, taken: ChangeRequest[][]) => ({
  goalId,
  pr: 7,
  take: () => {
    const requests = [{ id: 'review:1', text: 'add a VERSION export', author: 'alice', replyTo: null }];
    taken.push(requests);
    return requests;
  },
  agent: undefined,
  replies: { reply: async () => {} },
  fallbackBase: 'main',
});

/** The goal with its integrator PR #7 delivered, as the state branch would hold it. */
async function deliveredGoal(): Promise<GoalRecord> {
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
  return goal;
}

describe('fixOnThread', () => {
  it("refuses a fix the checkout's own custom agent would run, before any request is taken or state pushed", async () => {
    const goal = goalRecord();
    await mkdir(join(root, '.omk'));
    await writeFile(
      join(root, '.omk', 'config.yml'),
      'version: 1\nagents:\n  default: helper\n  custom:\n    helper:\n      argv: ["sh", "-c", "exit 0"]\n',
    );
    const taken: ChangeRequest[][] = [];
    const { host, log, shown } = fakeHost([goal]);
    const fix = await fixOnThread(host, request(goal.id, taken));
    expect(fix).toEqual({
      kind: 'refused',
      found: {
        kind: 'custom',
        file: '.omk/config.yml',
        key: 'agents.custom.helper',
        name: 'helper',
        role: 'agent',
      },
    });
    expect(taken).toEqual([]);
    expect(log.some((line) => line.startsWith('push'))).toBe(false);
    expect(shown).toEqual([]);
  });

  it('says a goal that is not on the state branch is not shared, taking no request', async () => {
    const taken: ChangeRequest[][] = [];
    const { host, log, shown } = fakeHost(null);
    expect(await fixOnThread(host, request('g-missing', taken))).toEqual({ kind: 'not_shared' });
    expect(taken).toEqual([]);
    expect(log.some((line) => line.startsWith('push'))).toBe(false);
    expect(shown).toEqual([]);
  });

  it('runs nothing for requests already handled (a redelivery), pushes the goal and leaves its status as it was', async () => {
    const goal = await deliveredGoal();
    await store
      .eventLog(goal.id)
      .append([{ type: 'fix_requested', data: { fix: 1, pr: 7, sliceId: null, requestIds: ['review:1'] } }]);
    const taken: ChangeRequest[][] = [];
    const { host, log, shown } = fakeHost([goal]);
    const fix = await fixOnThread(host, request(goal.id, taken));
    expect(fix).toEqual({ kind: 'done', outcome: { kind: 'already_handled', requestIds: ['review:1'] } });
    expect(taken).toHaveLength(1);
    expect(log).toEqual([
      'checkout full',
      'pull',
      'lock',
      'pull',
      'branches',
      `push omk: fix for PR #7 of goal ${goal.id}`,
      'unlock',
    ]);
    expect(shown).toEqual([]);
  });

  it('throws for a PR the goal did not deliver, its state pushed all the same and nothing shown', async () => {
    const goal = await deliveredGoal();
    const taken: ChangeRequest[][] = [];
    const { host, log, shown } = fakeHost([goal]);
    const fix = fixOnThread(host, { ...request(goal.id, taken), pr: 8 });
    await expect(fix).rejects.toBeInstanceOf(NotFoundError);
    await expect(fix).rejects.toThrow(`PR #8 is not one of goal ${goal.id}'s PRs.`);
    expect(log).toContain(`push omk: fix for PR #8 of goal ${goal.id} (failed)`);
    expect(shown).toEqual([]);
  });
});
