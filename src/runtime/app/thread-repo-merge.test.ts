import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { MergeMethod } from '../forge/port.js';
import type { GoalStore } from '../goal/store.js';
import { fakeThreadHost } from './test-thread-host.js';
import { repoCheckMergeOnThread } from './thread-repo-merge.js';
import type { ThreadRepo } from './thread-repo-run.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-repo-merge-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A repository that allows every method: the one asked for is the one given (squash when none). */
function anyMethod(asked: Array<MergeMethod | undefined>): ThreadRepo {
  return {
    mergeMethod: async (setting) => {
      asked.push(setting);
      return setting ?? 'squash';
    },
    fallbackBase: 'main',
    replies: { reply: async () => {} },
  };
}

describe('repoCheckMergeOnThread', () => {
  it('attempts nothing when the settings cannot be used, and says why', async () => {
    const goal = goalRecord();
    const { host, log } = fakeThreadHost(root, store, () => testApp(store), [goal]);
    const asked: Array<MergeMethod | undefined> = [];
    const lines = ['.github/omk.yml: mergeMethod: not one of merge, squash, rebase'];
    const check = await repoCheckMergeOnThread(
      host,
      goal.id,
      async () => ({ ok: false, lines }),
      anyMethod(asked),
    );
    expect(check).toEqual({ kind: 'no_settings', lines });
    expect(log).toEqual([]);
    expect(asked).toEqual([]);
  });

  it("asks the repository for the settings' merge method before it evaluates the merge", async () => {
    const goal = goalRecord();
    const { host } = fakeThreadHost(root, store, () => testApp(store), [goal]);
    const asked: Array<MergeMethod | undefined> = [];
    const settings = async () => ({
      ok: true as const,
      settings: { mergeMethod: 'rebase' as const },
      sources: [],
    });
    const check = await repoCheckMergeOnThread(host, goal.id, settings, anyMethod(asked));
    expect(check).toMatchObject({ kind: 'not_evaluated', why: 'not_ready' });
    expect(asked).toEqual(['rebase']);
  });

  it('leaves a goal running here to its run', async () => {
    const goal = goalRecord();
    const { host, log } = fakeThreadHost(root, store, () => testApp(store), [goal]);
    host.runs.set(goal.id, { store });
    const settings = async () => ({ ok: true as const, settings: {}, sources: [] });
    expect(await repoCheckMergeOnThread(host, goal.id, settings, anyMethod([]))).toEqual({
      kind: 'running_here',
    });
    expect(log).toEqual([]);
  });
});
