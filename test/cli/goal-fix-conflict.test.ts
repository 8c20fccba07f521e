import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILES } from '../../src/adapters/demo/fixture.js';
import { createTempRepo, git, type TempRepo } from '../helpers/git-repo.js';
import { runOmk, tempStateDir } from '../helpers/omk.js';
import { deliverDemoGoal } from '../helpers/review-fix-agent.js';

/** A fix on a slice PR whose change conflicts with the integrator branch is a result, not an error. */
describe('omk goal fix: a slice fix that conflicts with the integrator branch', () => {
  let repo: TempRepo;
  let state: { dir: string; cleanup: () => Promise<void> };
  let agentDir: string;
  let id = '';
  let integrator = 0;
  let slicePr = 0;
  let sliceId = '';
  const omk = (...args: string[]) => runOmk(args, { cwd: repo.root, stateDir: state.dir });

  beforeAll(async () => {
    repo = await createTempRepo({ ...DEMO_FILES });
    state = await tempStateDir();
    ({ agentDir, id, integrator, slicePr, sliceId } = await deliverDemoGoal(
      omk,
      'omk-cli-fix-conflict-agent-',
      (slice) => slice.startsWith('s1-'),
    ));
  }, 180_000);
  afterAll(async () => {
    await repo.cleanup();
    await state.cleanup();
    await rm(agentDir, { recursive: true, force: true });
  });

  it('a fix asked after an orphaned one gets its own number; its conflict is a not-ready result', async () => {
    const first = await omk('goal', 'fix', id, '--pr', String(integrator), 'add a VERSION export', '--json');
    expect(first.code, first.stderr).toBe(0);
    // What a `goal fix` killed between its two writes leaves: the task in the graph (written
    // first), no fix_requested event (written last).
    const graphFile = join(state.dir, 'goals', id, 'task-graph.json');
    const graph = JSON.parse(await readFile(graphFile, 'utf8')) as { fixes: unknown[] };
    graph.fixes.push({
      id: 'fix-2',
      fix: 2,
      pr: integrator,
      sliceId: null,
      requests: [
        { id: 'cli:orphan', text: 'add a NAME export', path: null, line: null, author: null, replyTo: null },
      ],
      status: 'pending',
      attempts: 0,
      result: null,
    });
    await writeFile(graphFile, JSON.stringify(graph));
    const second = await omk('goal', 'fix', id, '--pr', String(slicePr), 'add a KIND export');
    // The proof does not hold after the fix: not ready (exit 10), the fix recorded, not an error.
    expect(second.code, second.stderr).toBe(10);
    expect(second.stderr).not.toContain('was not recorded');
    expect(second.stdout).toMatch(
      new RegExp(`^PR #${slicePr}: failed \\(fix [0-9a-f]{12}\\); proof not_ready$`, 'm'),
    );
    // The conflict is named with its file and what to do next, in the CLI's words.
    expect(second.stdout).toContain(
      `gap integration_conflict: Merging omk/${id}/${sliceId} into omk/${id}/integration conflicts in 1 path(s): src/math.js.`,
    );
    expect(second.stdout).toContain(
      `Resolve it by hand on the integration branch, not on a slice branch (omk puts a moved slice branch back): 'git switch omk/${id}/integration', 'git merge omk/${id}/${sliceId}',`,
    );
    expect(second.stdout).toContain(`Then resume the goal ('omk goal resume ${id}')`);
    // The orphaned fix ran under its own number and the new one under the next: both ended.
    const status = JSON.parse((await omk('goal', 'status', id, '--json')).stdout) as {
      status: string;
      fixes: unknown[];
    };
    expect(status.status).toBe('not_ready');
    expect(status.fixes).toEqual([
      { id: 'fix-1', pr: integrator, status: 'done', attempts: 1 },
      { id: 'fix-2', pr: integrator, status: 'done', attempts: 1 },
      { id: 'fix-3', pr: slicePr, status: 'done', attempts: 1 },
    ]);
    expect(git(repo.root, 'show', `omk/${id}/${sliceId}:src/math.js`)).toContain(
      "export const KIND = 'calculator';",
    );
    const events = JSON.parse((await omk('goal', 'replay', id, '--json')).stdout) as {
      events: { type: string; data: { fix?: number; pr?: number } }[];
    };
    const ended = events.events
      .filter((event) => event.type === 'fix_applied' || event.type === 'fix_failed')
      .map((event) => `${event.type} ${event.data.fix} #${event.data.pr}`);
    expect(ended).toEqual([
      `fix_applied 1 #${integrator}`,
      `fix_failed 2 #${integrator}`,
      `fix_failed 3 #${slicePr}`,
    ]);
    const asked = events.events.filter((event) => event.type === 'fix_requested').map((e) => e.data.fix);
    expect(asked).toEqual([1, 3]);
  }, 240_000);
});
