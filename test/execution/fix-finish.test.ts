import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeRequest, ReviewReplies } from '../../src/runtime/app/fix.js';
import { finishFixes } from '../../src/runtime/app/fix-finish.js';
import type { WithheldNote } from '../../src/runtime/app/notes.js';
import { ExecutionJournal } from '../../src/runtime/controller/journal.js';
import { applyLifecycle } from '../../src/runtime/goal/actions.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import type { FixTask } from '../../src/runtime/graph/schema.js';
import { testApp } from '../helpers/app.js';
import { type PlannedGoal, plannedDemoGoal } from '../helpers/planned-goal.js';

/**
 * openPullRequests as a test sets it: null, the real one; else what a person's stop left (the
 * delivery itself is open-pr.test.ts's and goal-deliver.test.ts's).
 */
const delivery = vi.hoisted(() => ({ withheld: null as null | WithheldNote }));
vi.mock('../../src/runtime/app/open-pr.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/runtime/app/open-pr.js')>();
  return {
    ...original,
    openPullRequests: async (...args: Parameters<typeof original.openPullRequests>) => {
      const withheld = delivery.withheld;
      if (withheld === null) return original.openPullRequests(...args);
      const [deps, request] = args;
      await applyLifecycle(deps.store, request.goalId, withheld.status === 'paused' ? 'pause' : 'cancel');
      return { dryRun: false, result: null, withheld };
    },
  };
});

let planned: PlannedGoal<GoalStore>;

beforeEach(async () => {
  planned = await plannedDemoGoal((deps) => new GoalStore(deps));
});
afterEach(async () => {
  delivery.withheld = null;
  await planned.cleanup();
});

/** Records what it was asked to post. */
function recordingReplies(): ReviewReplies & { posted: string[] } {
  const posted: string[] = [];
  return {
    posted,
    async reply(pr: number, request: ChangeRequest, body: string) {
      posted.push(`${pr} ${request.id}: ${body}`);
    },
    async resolve(pr: number, request: ChangeRequest) {
      posted.push(`${pr} ${request.id}: resolved`);
    },
  };
}

function fixTask(fix: number, status: FixTask['status']): FixTask {
  return {
    id: `fix-${fix}`,
    fix,
    pr: 7,
    sliceId: null,
    requests: [
      {
        id: `review-comment:${fix}`,
        text: 'rename it',
        path: 'src/math.js',
        line: 1,
        author: 'rev',
        replyTo: 40 + fix,
      },
    ],
    status,
    attempts: 1,
    result:
      status === 'failed'
        ? { headSha: null, changedFiles: [], agentFailure: 'failed (exit 1): boom', untrusted: false }
        : null,
  };
}

describe('finishFixes: a fix that ran ends once, whichever run ran it', () => {
  it('answers a fix a resume ran, records its event, and answers it never again', async () => {
    const { store, goal } = planned;
    const journal = await ExecutionJournal.open(store, goal.id);
    // fix-1 ran on a resume (its controller died mid-fix); fix-2 has not run yet.
    journal.graph = { ...journal.graph, fixes: [fixTask(1, 'failed'), fixTask(2, 'pending')] };
    await journal.save([]);
    const app = testApp(store);
    const replies = recordingReplies();

    const first = await finishFixes(app, { goalId: goal.id, replies });
    expect(first.map((ending) => [ending.task.id, ending.applied, ending.replied, ending.resolved])).toEqual([
      ['fix-1', false, 1, 0],
    ]);
    expect(replies.posted).toEqual([
      expect.stringMatching(
        /^7 review-comment:1: omk did not change PR #7: the agent failed \(exit 1\): boom\./,
      ),
    ]);
    // A second resume, or a redelivered event's step: nothing is answered twice.
    expect(await finishFixes(app, { goalId: goal.id, replies })).toEqual([]);
    expect(replies.posted).toHaveLength(1);
    const ended = (await store.eventLog(goal.id).read()).events.filter(
      (event) => event.type === 'fix_failed',
    );
    expect(ended.map((event) => [event.data.fix, event.data.why])).toEqual([
      [1, 'agent: failed (exit 1): boom'],
    ]);
  });
});

describe('finishFixes: a person stops the goal while its PRs are updated with the fix', () => {
  it('carries what the stop withheld, and neither calls the fix delivered nor applied', async () => {
    const { store, goal } = planned;
    await store.write({ ...(await store.read(goal.id)), status: 'not_ready' });
    const journal = await ExecutionJournal.open(store, goal.id);
    const done: FixTask = {
      ...fixTask(1, 'done'),
      result: {
        headSha: 'f'.repeat(40),
        changedFiles: ['src/math.js'],
        agentFailure: null,
        untrusted: false,
      },
    };
    journal.graph = { ...journal.graph, fixes: [done] };
    await journal.save([]);
    const withheld: WithheldNote = {
      code: 'withheld',
      status: 'paused',
      policy: 'draft-pr',
      opened: [7],
      withheld: ['integrator'],
    };
    delivery.withheld = withheld;
    const replies = recordingReplies();

    const [ending] = await finishFixes(testApp(store), { goalId: goal.id, replies });
    expect(ending?.withheld).toEqual(withheld);
    expect(ending?.report.delivered).toBe(false);
    expect(ending?.applied).toBe(false);
    expect(replies.posted).toEqual([
      expect.stringContaining(
        'The goal was paused while its PRs were updated, so not all of them show the fix yet.',
      ),
    ]);
    const failed = (await store.eventLog(goal.id).read()).events.find((event) => event.type === 'fix_failed');
    expect(failed?.data.why).toBe('goal paused during its delivery: not delivered');
  });
});
