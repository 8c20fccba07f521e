import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRequest, ReviewReplies } from '../../src/runtime/app/fix.js';
import { finishFixes } from '../../src/runtime/app/fix-finish.js';
import { ExecutionJournal } from '../../src/runtime/controller/journal.js';
import { GoalStore } from '../../src/runtime/goal/store.js';
import type { FixTask } from '../../src/runtime/graph/schema.js';
import { testApp } from '../helpers/app.js';
import { type PlannedGoal, plannedDemoGoal } from '../helpers/planned-goal.js';

let planned: PlannedGoal<GoalStore>;

beforeEach(async () => {
  planned = await plannedDemoGoal((deps) => new GoalStore(deps));
});
afterEach(async () => {
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
