import type { AgentRunResult } from '../agents/port.js';
import type { Task } from '../graph/schema.js';
import type { Finding } from '../proof/schema.js';
import { finding } from '../review/input.js';
import type { SliceWorkspace } from '../workspace/port.js';
import type { RunContext } from './context.js';
import { agentRunRecord, sliceRecord, withSlice } from './execution-state.js';

/**
 * A slice whose agent replaced its branch checkout's `.git` (a link, a `gitdir:` file, gone): omk
 * runs no git there (no lock clean-up, no capture, no gate, no other attempt, which would start
 * with a reset there), so the slice fails at once with what its run's checks found and the
 * refusal, blocking, and the goal goes on to settle with them in its proof rather than stop with
 * an error. What the attempt made is in no branch: nothing of it was captured.
 */
export async function refuseReplacedCheckout(
  ctx: RunContext,
  task: Task,
  attempt: number,
  workspace: SliceWorkspace,
  result: AgentRunResult,
  integrity: readonly Finding[],
  replaced: string,
): Promise<'failed'> {
  const { journal, deps } = ctx;
  const refused = `The branch checkout of ${workspace.branch}: its .git ${replaced}; omk runs no git there.`;
  const refusal = finding(
    'security',
    'blocking',
    `${refused} The agent of ${task.id} replaced the clone's git directory in attempt ${attempt}; ` +
      'nothing of that attempt was captured and the slice is not attempted again. Move that directory away before resuming the goal.',
    [],
  );
  const record = sliceRecord(journal.execution, task.id);
  journal.execution = withSlice(journal.execution, {
    ...record,
    branch: workspace.branch,
    workspace: workspace.path,
    workspaceMode: workspace.mode,
    fallbackReason: workspace.fallbackReason,
    findings: [...integrity, refusal],
    lastFailure: refusal.message,
    agentProcess: null,
  });
  journal.updateTask(task.id, { status: 'failed' });
  journal.execution = {
    ...journal.execution,
    agentRuns: [...journal.execution.agentRuns, agentRunRecord(task.id, attempt, deps.agent.name, result)],
    failures: [
      ...journal.execution.failures,
      {
        code: 'slice_failed',
        message: `Slice ${task.id} failed: its attempt ${attempt} replaced its branch checkout's git directory, so omk runs no git there.`,
        evidence: refusal.message,
      },
    ],
  };
  await journal.save(
    [
      {
        type: 'agent_finished',
        data: { taskId: task.id, attempt, outcome: result.outcome, durationMs: result.durationMs },
      },
      {
        type: 'task_failed',
        data: { taskId: task.id, attempts: attempt, failure: refusal.message.slice(0, 2_000) },
      },
    ],
    {
      spend: { timeMs: result.durationMs, tokens: result.usage.tokens ?? 0, usd: result.usage.usd ?? 0 },
      spendNote: `${task.id} attempt ${attempt}`,
    },
  );
  deps.reporter.warn(`[${task.id}] failed: ${refused} (${workspace.path})`);
  return 'failed';
}
