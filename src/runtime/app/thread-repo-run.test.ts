import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import type { RepoSettings } from '../config/repo-settings.js';
import { goalRecord, task } from '../delivery/test-delivery.js';
import { UsageError } from '../errors.js';
import type { MergeMethod } from '../forge/port.js';
import type { GoalStore } from '../goal/store.js';
import { createGoalRequestSchema } from '../requests.js';
import { fakeThreadHost } from './test-thread-host.js';
import {
  repoGoalCommandOnThread,
  repoRunOptions,
  repoStartOnThread,
  type ThreadRepo,
} from './thread-repo-run.js';
import { plainVocabulary } from './vocabulary.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-repo-run-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A repository allowing squash only: a setting it allows is taken, any other gives squash. */
function squashOnly(asked: Array<MergeMethod | undefined>): ThreadRepo {
  return {
    mergeMethod: async (setting) => {
      asked.push(setting);
      return setting === 'squash' ? setting : 'squash';
    },
    fallbackBase: 'main',
    replies: { reply: async () => {} },
  };
}

const place = { repoName: 'acme/app', workflow: 'omk.yml' };

describe('repoRunOptions', () => {
  it("runs the settings' agent and asks the repository for the settings' merge method", async () => {
    const asked: Array<MergeMethod | undefined> = [];
    const settings: RepoSettings = { agent: 'codex', mergeMethod: 'squash' };
    const options = repoRunOptions(settings, squashOnly(asked));
    expect(options).toMatchObject({ agent: 'codex', fallbackBase: 'main' });
    expect(await options.method()).toBe('squash');
    expect(asked).toEqual(['squash']);
    await repoRunOptions({}, squashOnly(asked)).method();
    expect(asked).toEqual(['squash', undefined]);
  });
});

describe('repoGoalCommandOnThread', () => {
  it("extends a goal's budget within the settings' cap and refuses past it, adding nothing", async () => {
    const goal = { ...goalRecord(), status: 'planned' as const };
    await store.create(goal);
    const graph = {
      version: 1,
      goalId: goal.id,
      planner: { name: 'test', version: '1' },
      tasks: [task()],
      rejected: [],
    };
    await writeFile(store.paths(goal.id).taskGraph, JSON.stringify(graph));
    const budget = (settings: RepoSettings) => {
      const fake = fakeThreadHost(root, store, () => testApp(store), [goal]);
      const command = { kind: 'budget' as const, add: { time: 5 * 60_000 } };
      const request = { goalId: goal.id, command, settings };
      return repoGoalCommandOnThread(fake.host, request, squashOnly([]), place, plainVocabulary);
    };
    const capped = budget({ budget: { time: 12 * 60_000 } });
    await expect(capped).rejects.toBeInstanceOf(UsageError);
    await expect(capped).rejects.toThrow(/more than the 12m this repository's \.github\/omk\.yml allows/);
    expect((await store.read(goal.id)).budget.timeMs).toBe(600_000);
    const added = await budget({ budget: { time: 20 * 60_000 } });
    expect(added.answer).toMatchObject({ kind: 'lines' });
    expect((await store.read(goal.id)).budget.timeMs).toBe(900_000);
  });
});

describe('repoStartOnThread', () => {
  it('refuses a start asking for more budget than the settings allow, before anything is shown or planned', async () => {
    const fake = fakeThreadHost(root, store, () => testApp(store), null);
    const create = createGoalRequestSchema.parse({
      goal: 'Fix the crash',
      rawGoal: 'Fix the crash',
      repo: '.',
      policy: 'draft-pr',
      budget: { time: '3h' },
      idSuffix: 'abc123abc123',
    });
    const request = {
      create,
      given: ['budgetTime' as const],
      origin: { repo: 'acme/app', issue: 4, commentId: 9, login: 'alice' },
      settings: { budget: { time: 3_600_000 } },
    };
    const started = repoStartOnThread(fake.host, request, squashOnly([]), plainVocabulary);
    await expect(started).rejects.toThrow(/This command asks for 3h \(budgetTime\), more than the 1h/);
    expect(fake.log).toEqual([]);
    expect(fake.shown).toEqual([]);
  });
});
