import { describe, expect, it } from 'vitest';
import { goalRecord } from '../delivery/test-delivery.js';
import type { CreateWorkspaceInput, SliceWorkspace, WorkspacePort } from '../workspace/port.js';
import { lazyBase } from './context.js';

/** Only `create` is reachable from lazyBase; the rest fail loudly if called. */
function workspaces(created: CreateWorkspaceInput[]): WorkspacePort {
  const unused = () => {
    throw new Error('not used by lazyBase');
  };
  return {
    create: async (input) => {
      created.push(input);
      await new Promise((done) => setTimeout(done, 5));
      const workspace: SliceWorkspace = {
        sliceId: input.sliceId,
        path: `/ws/${input.goalId}/${input.sliceId}`,
        branch: `omk/${input.goalId}/${input.sliceId}`,
        baseSha: input.baseSha,
        mode: 'worktree',
        fallbackReason: null,
      };
      return workspace;
    },
    capture: unused,
    resetToBase: unused,
    openIntegration: unused,
    remove: unused,
    recoverStaleLocks: unused,
    clearLocks: unused,
    integrate: unused,
    prepareIntegration: unused,
    mergeForRepair: unused,
    adoptRecordedHeads: unused,
  };
}

describe('lazyBase', () => {
  it('makes no worktree of the base until something asks for its path, then makes it once', async () => {
    const created: CreateWorkspaceInput[] = [];
    const goal = goalRecord();
    const base = lazyBase({ workspaces: workspaces(created), workspaceRoot: '/ws' }, goal);
    expect(base.baseSha).toBe(goal.repo.baseSha);
    expect(created).toEqual([]);

    const paths = await Promise.all([base.path(), base.path()]);
    expect(paths).toEqual([`/ws/${goal.id}/base`, `/ws/${goal.id}/base`]);
    expect(await base.path()).toBe(`/ws/${goal.id}/base`);
    expect(created).toEqual([
      {
        repoRoot: goal.repo.root,
        goalId: goal.id,
        sliceId: 'base',
        baseSha: goal.repo.baseSha,
        workspaceRoot: '/ws',
        sparsePaths: null,
      },
    ]);
  });

  it("prepares the base for the checkout's code first, and once for an agent's code before that runs there", async () => {
    const created: CreateWorkspaceInput[] = [];
    const goal = goalRecord();
    const prepared: string[] = [];
    const base = lazyBase(
      { workspaces: workspaces(created), workspaceRoot: '/ws' },
      goal,
      async (path, runs) => {
        prepared.push(`${path} ${runs}`);
        return {};
      },
    );
    expect(await base.path()).toBe(`/ws/${goal.id}/base`);
    expect(prepared).toEqual([`/ws/${goal.id}/base checkout-code`]);
    const paths = await Promise.all([base.pathForAgentCode(), base.pathForAgentCode()]);
    expect(paths).toEqual([`/ws/${goal.id}/base`, `/ws/${goal.id}/base`]);
    expect(prepared).toEqual([`/ws/${goal.id}/base checkout-code`, `/ws/${goal.id}/base agent-code`]);
    expect(created).toHaveLength(1);
  });
});
