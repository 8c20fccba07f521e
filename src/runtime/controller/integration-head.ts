// Where omk last left a goal's integration branch, kept in its record (execution.json's
// `integrationHead`) as each of omk's own moves of it happens: an integration, an integration
// repair's capture and its undoing, a review fix's capture and its refusal on the integrator PR,
// and the recovery of either after a controller died. A controller that takes the goal in a new
// process compares the branch with it (`adoptFinishedHeads`), as it does a finished slice's with
// the head the record names: nothing omk checked saw a move made between two processes.

import { integrationBranchName } from '../graph/branches.js';
import type { WorkspacePort } from '../workspace/port.js';
import type { ExecutionJournal } from './journal.js';

/**
 * `workspaces`, with each of its moves of the goal's integration branch written into the goal's
 * record at once: a controller stopped after the move (a Ctrl-C while the integrated tree's gates
 * run) leaves a record the next one agrees with. A move whose head is not known (a conflict, a
 * repair's merge left for its agent) records null: not compared until the next one.
 */
export function recordingIntegrationMoves(
  workspaces: WorkspacePort,
  journal: ExecutionJournal,
  goalId: string,
): WorkspacePort {
  const branch = integrationBranchName(goalId);
  const left = async (head: string | null) => {
    if (journal.execution.integrationHead === head) return;
    journal.execution = { ...journal.execution, integrationHead: head };
    await journal.save([]);
  };
  return {
    ...workspaces,
    async integrate(input) {
      const result = await workspaces.integrate(input);
      if (input.target === branch) await left(result.conflict === null ? result.headSha : null);
      return result;
    },
    async capture(workspace, message) {
      const change = await workspaces.capture(workspace, message);
      if (workspace.branch === branch) await left(change.headSha);
      return change;
    },
    async resetToBase(workspace, diffPath) {
      const reset = await workspaces.resetToBase(workspace, diffPath);
      if (workspace.branch === branch) await left(workspace.baseSha);
      return reset;
    },
    async mergeForRepair(workspace, id, merge) {
      if (workspace.branch === branch) await left(null);
      return workspaces.mergeForRepair(workspace, id, merge);
    },
  };
}
