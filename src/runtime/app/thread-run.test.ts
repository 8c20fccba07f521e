import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/helpers/app.js';
import { localGoalStore } from '../../../test/helpers/goal-store.js';
import { goalRecord } from '../delivery/test-delivery.js';
import type { GoalRecord } from '../goal/schema.js';
import type { GoalStore } from '../goal/store.js';
import { createGoalRequestSchema } from '../requests.js';
import { derivedGoalId } from './shared-goal.js';
import { type FakeThreadHostOptions, fakeThreadHost } from './test-thread-host.js';
import { startOnThread } from './thread-run.js';

const procHost = { pid: process.pid, hostname: 'test', isAlive: () => true, killGroup: () => false };
let root: string;
let store: GoalStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omk-thread-run-'));
  store = localGoalStore(root, { host: procHost });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The bot's host: repository custom agents untrusted. */
function fakeHost(goals: GoalRecord[] | null, options: FakeThreadHostOptions = {}) {
  return fakeThreadHost(root, store, () => testApp(store, { repoCustomAgents: 'untrusted' }), goals, options);
}

const create = createGoalRequestSchema.parse({
  goal: 'Fix the crash',
  rawGoal: 'Fix the crash',
  repo: '.',
  policy: 'draft-pr',
  idSuffix: 'abc123abc123',
});
const start = {
  create,
  origin: { repo: 'acme/app', issue: 4, commentId: 9, login: 'alice' },
  agent: undefined,
  method: async () => 'merge' as const,
  fallbackBase: 'main',
  replies: { reply: async () => {} },
};

/** The goal this request derives, already on the state branch with `status`. */
const existing = (status: GoalRecord['status']): GoalRecord => ({
  ...goalRecord('Fix the crash'),
  id: derivedGoalId(create),
  status,
});

async function customAgentConfig(): Promise<void> {
  await mkdir(join(root, '.omk'));
  await writeFile(
    join(root, '.omk', 'config.yml'),
    'version: 1\nagents:\n  default: helper\n  custom:\n    helper:\n      argv: ["sh", "-c", "exit 0"]\n',
  );
}

describe("startOnThread's planning refusals", () => {
  it("refuses a goal the checkout's own custom agent would run, before it exists: nothing planned, pushed or dispatched", async () => {
    await customAgentConfig();
    const { host, log, shown } = fakeHost([], { executesHere: false });
    expect(await startOnThread(host, start)).toBe('taken');
    expect(shown.map((entry) => entry.phase)).toEqual(['planning', 'settled']);
    expect(shown[1]?.notes).toEqual([
      {
        code: 'untrusted_agent',
        step: 'start',
        found: expect.objectContaining({ kind: 'custom', key: 'agents.custom.helper', role: 'agent' }),
      },
    ]);
    expect(log.some((line) => line.startsWith('push') || line.startsWith('dispatch'))).toBe(false);
    expect(await store.has(derivedGoalId(create))).toBe(false);
  });

  it('dispatches nothing for a goal already past planning on the state branch, and says why', async () => {
    const { host, log, shown } = fakeHost([existing('running')], { executesHere: false });
    expect(await startOnThread(host, start)).toBe('taken');
    expect(shown.at(-1)).toEqual({
      phase: 'settled',
      notes: [{ code: 'not_started', status: 'running', dispatches: true }],
    });
    expect(log.some((line) => line.startsWith('push') || line.startsWith('dispatch'))).toBe(false);
  });

  it('refuses a new goal whose run agent may not start here, before it is planned: nothing created or pushed', async () => {
    // No agent anywhere (no operator's, no repository's, no agents.default): the CLI's start refuses it too.
    const { host, log, shown, queued } = fakeHost([], { queue: 'run' });
    expect(await startOnThread(host, start)).toBe('taken');
    await expect(Promise.all(queued)).rejects.toThrow('No agent selected for this goal.');
    expect(shown.map((entry) => entry.phase)).toEqual(['queued', 'settled']);
    expect(shown[1]?.notes).toEqual([
      { code: 'failed', error: expect.objectContaining({ message: 'No agent selected for this goal.' }) },
    ]);
    expect(log).toEqual([`queue run:${derivedGoalId(create)}`, 'checkout full', 'lock', 'pull', 'unlock']);
    expect(await store.has(derivedGoalId(create))).toBe(false);
  });

  it('runs nothing here for a goal already past planning, under its lock, and says it is not started again', async () => {
    const { host, log, shown, queued } = fakeHost([existing('ready')], { queue: 'run' });
    expect(await startOnThread(host, start)).toBe('taken');
    await Promise.all(queued);
    expect(shown.map((entry) => entry.phase)).toEqual(['queued', 'settled']);
    expect(shown[1]?.notes).toEqual([{ code: 'not_started', status: 'ready', dispatches: false }]);
    expect(log).toEqual([`queue run:${derivedGoalId(create)}`, 'checkout full', 'lock', 'pull', 'unlock']);
  });
});
