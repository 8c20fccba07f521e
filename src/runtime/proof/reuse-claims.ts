import type { ExecutionStateRecord } from '../controller/execution-state.js';
import type { GoalEvent } from '../events/schema.js';
import type { Gap, GateEvidence } from './schema.js';

export const REUSE_UNPROVEN = 'gate_reuse_unproven';

/** A gate's evidence without what reusing it changes: the slice's run as it was. */
function asRun(gate: GateEvidence): string {
  const { sha: _sha, reusedFrom: _from, ...rest } = gate;
  return JSON.stringify(rest);
}

/**
 * Every integrated-tree gate that says it is a slice's result (`reusedFrom`) must be backed by the
 * evidence: the integration's tree is the one named, the named slice's gates ran on the named
 * commit of that tree and gave this very result, and the log says both (`gates_verified` of the
 * slice with that commit and tree, `integration_done` of this head with that tree and slice). A
 * claim the evidence does not back is a gap: the proof is not ready on it.
 */
export function reuseClaimGaps(record: ExecutionStateRecord, events: readonly GoalEvent[]): Gap[] {
  const gaps: Gap[] = [];
  const integration = record.integration;
  for (const gate of record.finalGates) {
    const from = gate.reusedFrom;
    if (from === undefined) continue;
    const problem = claimProblem(record, events, gate, from);
    if (problem === null) continue;
    gaps.push({
      code: REUSE_UNPROVEN,
      message: `Gate "${gate.name}" on the integrated head ${short(integration?.headSha ?? 'none')} says it is slice ${from.slice}'s result on tree ${short(from.tree)}, but ${problem}: its result is not evidence for this tree.`,
    });
  }
  return gaps;
}

function claimProblem(
  record: ExecutionStateRecord,
  events: readonly GoalEvent[],
  gate: GateEvidence,
  from: NonNullable<GateEvidence['reusedFrom']>,
): string | null {
  const integration = record.integration;
  if (integration === null) return 'nothing was integrated';
  if (integration.tree !== from.tree) {
    return `the integrated head's tree is ${short(integration.tree ?? 'unknown')}`;
  }
  const slice = record.slices.find((entry) => entry.id === from.slice);
  if (slice === undefined) return 'the goal has no such slice';
  if (slice.headSha !== from.sha || slice.gatesTree !== from.tree) {
    return `the slice's gates ran on ${short(slice.headSha ?? 'nothing')} (tree ${short(slice.gatesTree ?? 'unknown')})`;
  }
  const ran = slice.gates.find((entry) => entry.name === gate.name && entry.kind === gate.kind);
  if (ran === undefined || asRun(ran) !== asRun(gate)) return "the slice's gate gave another result";
  const verified = events.some(
    (event) =>
      event.type === 'gates_verified' &&
      event.data.taskId === from.slice &&
      event.data.sha === from.sha &&
      event.data.tree === from.tree,
  );
  if (!verified) return "the goal's log has no such gate run of the slice";
  const integrated = events.some((event) => {
    if (event.type !== 'integration_done' || event.data.headSha !== integration.headSha) return false;
    const named = event.data.reusedFrom as { slice?: unknown; tree?: unknown } | undefined;
    return event.data.tree === from.tree && named?.slice === from.slice && named.tree === from.tree;
  });
  if (!integrated) return "the goal's log does not record the integration taking it";
  return null;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
