import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import type { PermissionAnswer } from './access.js';
import { type ThreadJobCommand, type ThreadJobPort, threadJobSteps } from './thread-job-steps.js';

interface Options {
  permission?: string;
  settings?: { method: string } | null;
  latest?: string | null;
  onGoal?: () => Promise<void>;
}

/** A port that records each step in order, as a thread would see them. */
function recorder(options: Options = {}) {
  const steps: string[] = [];
  const answer: PermissionAnswer = { permission: options.permission ?? 'write', roleName: null };
  const settings = options.settings === undefined ? { method: 'squash' } : options.settings;
  const port: ThreadJobPort<{ method: string }> = {
    help: async () => steps.push('help'),
    permission: async () => {
      steps.push('permission');
      return answer;
    },
    refuse: async (need) => steps.push(`refuse:${need}`),
    settings: async (writer) => {
      steps.push(`settings:${writer === null ? 'reader' : 'writer'}`);
      return settings;
    },
    fix: async (s) => steps.push(`fix:${s.method}`),
    start: async (s) => steps.push(`start:${s.method}`),
    latestGoal: async () => {
      steps.push('latest');
      return options.latest ?? null;
    },
    noGoal: async () => steps.push('no-goal'),
    onGoal: async (goalId, s) => {
      steps.push(`goal:${goalId}:${s.method}`);
      await options.onGoal?.();
    },
    failed: async (error) => steps.push(`failed:${error instanceof Error ? error.message : String(error)}`),
  };
  return { port, steps };
}

const status = (goalRef: string | null): ThreadJobCommand => ({ kind: 'status', goalRef });

describe('threadJobSteps', () => {
  it('answers help without asking anyone for permission', async () => {
    const { port, steps } = recorder();
    await threadJobSteps(port, { kind: 'help' });
    expect(steps).toEqual(['help']);
  });

  it('refuses before reading settings when the person lacks the access', async () => {
    const { port, steps } = recorder({ permission: 'read' });
    await threadJobSteps(port, { kind: 'run' });
    expect(steps).toEqual(['permission', 'refuse:write']);
  });

  it('reads settings as a reader for a read and as a writer for a change', async () => {
    const read = recorder({ permission: 'read' });
    await threadJobSteps(read.port, status('g-1'));
    expect(read.steps).toEqual(['permission', 'settings:reader', 'goal:g-1:squash']);
    const write = recorder();
    await threadJobSteps(write.port, { kind: 'run' });
    expect(write.steps).toEqual(['permission', 'settings:writer', 'start:squash']);
  });

  it('stops when the settings could not be read', async () => {
    const { port, steps } = recorder({ settings: null });
    await threadJobSteps(port, { kind: 'fix' });
    expect(steps).toEqual(['permission', 'settings:writer']);
  });

  it("means the given goal, else the thread's latest, else answers that there is none", async () => {
    const given = recorder({ latest: 'g-9' });
    await threadJobSteps(given.port, status('g-1'));
    expect(given.steps.slice(2)).toEqual(['goal:g-1:squash']);
    const latest = recorder({ latest: 'g-9' });
    await threadJobSteps(latest.port, status(null));
    expect(latest.steps.slice(2)).toEqual(['latest', 'goal:g-9:squash']);
    const none = recorder({ latest: null });
    await threadJobSteps(none.port, status(null));
    expect(none.steps.slice(2)).toEqual(['latest', 'no-goal']);
  });

  it('answers an expected refusal and throws on anything else after answering it', async () => {
    const refused = recorder({
      onGoal: async () => {
        throw new NotFoundError('There is no goal g-1.');
      },
    });
    await threadJobSteps(refused.port, status('g-1'));
    expect(refused.steps.at(-1)).toBe('failed:There is no goal g-1.');
    const bug = new TypeError('undefined is not a function');
    const broken = recorder({
      onGoal: async () => {
        throw bug;
      },
    });
    await expect(threadJobSteps(broken.port, status('g-1'))).rejects.toBe(bug);
    expect(broken.steps.at(-1)).toBe('failed:undefined is not a function');
  });
});
