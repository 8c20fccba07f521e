import { z } from 'zod';
import type { AgentRunResult } from '../agents/port.js';
import { NotFoundError } from '../errors.js';
import { EXECUTION_STATES } from '../proof/evidence.js';
import {
  agentRunEvidenceSchema,
  changedFileSchema,
  failureEvidenceSchema,
  findingSchema,
  type Gap,
  gapSchema,
  gateEvidenceSchema,
} from '../proof/schema.js';
import type { StateFiles } from '../state/port.js';
import { readVersioned, singleVersion, writeJsonAtomic } from '../state/versioned.js';

/**
 * A running agent as execution.json records it. `startedAt` and `attempt` are written with the pid,
 * so a reader (omk hud) knows how long it has run without waiting for the event log, which is
 * appended after execution.json.
 */
const agentProcessSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string().optional(),
  attempt: z.number().int().positive().optional(),
});

/** What one slice produced, kept across controller runs (resume continues from here). */
export const sliceRecordSchema = z.object({
  id: z.string(),
  branch: z.string().nullable(),
  workspace: z.string().nullable(),
  workspaceMode: z.string().nullable(),
  fallbackReason: z.string().nullable(),
  headSha: z.string().nullable(),
  changedFiles: z.array(changedFileSchema),
  gates: z.array(gateEvidenceSchema),
  findings: z.array(findingSchema),
  lastFailure: z.string().nullable(),
  /**
   * The slice's attempts when its current round began: a slice reopened by an until-ready run
   * gets maxRetries + 1 attempts more than this.
   */
  roundStart: z.number().int().nonnegative().default(0),
  /** The running agent's process group, so a successor can stop it if this controller dies. */
  agentProcess: agentProcessSchema.nullable().default(null),
  /**
   * The head last published to the remote (hosts that publish slice branches): a slice rerun
   * after it was published replaces its branch with a lease on this, never blindly.
   */
  publishedSha: z.string().nullable().default(null),
  /** The tree of `headSha`, when its gates ran and the host could say (WorkspacePort.treeFacts). */
  gatesTree: z.string().optional(),
  /**
   * A done slice reopened because a slice it was built on runs again: its branch holds that
   * slice's old head, so its next attempt resets it to the new one (cleared once it has).
   */
  dependencyRedone: z.boolean().default(false),
});
export type SliceRecord = z.infer<typeof sliceRecordSchema>;

/** execution.json: the evidence execution has gathered so far; the proof is rebuilt from it. */
export const executionStateSchema = z.object({
  version: z.literal(1),
  state: z.enum(EXECUTION_STATES),
  slices: z.array(sliceRecordSchema),
  agentRuns: z.array(agentRunEvidenceSchema),
  integration: z
    .object({
      branch: z.string(),
      workspace: z.string(),
      headSha: z.string(),
      merged: z.array(z.string()),
      conflict: z.object({ branch: z.string(), paths: z.array(z.string()), detail: z.string() }).nullable(),
      /** The tree of `headSha`, when the host could say (WorkspacePort.treeFacts). */
      tree: z.string().optional(),
    })
    .nullable(),
  /** Files changed from the base to the integrated head. */
  finalChangedFiles: z.array(changedFileSchema).default([]),
  /** Gates on the integrated (final) tree. */
  finalGates: z.array(gateEvidenceSchema),
  /** Every gate on the goal's base, from the last check before agents ran (a benchmark's base run). */
  baseGates: z.array(gateEvidenceSchema).default([]),
  finalFindings: z.array(findingSchema),
  /**
   * What the integrity checks found around agents run on the integration branch (integration
   * repairs, review fixes on the integrator PR): the proof carries them (and the integration's
   * security-review gate counts them), so the goal is never `ready` again.
   */
  integrationIntegrity: z.array(findingSchema).default([]),
  /**
   * What the controller found changed in the state root by something other than itself while it
   * ran (its goal's evidence, other goals, the local forge): `state_tampered` gaps, kept for good
   * so the goal is never `ready` again (integrity/findings.ts `tamperingGaps`).
   */
  stateIntegrity: z.array(gapSchema).default([]),
  gaps: z.array(gapSchema),
  failures: z.array(failureEvidenceSchema),
  /**
   * An integration repair whose agent started and whose change was not captured yet: a controller
   * that takes the goal over stops that agent and puts the integration worktree back at `head`,
   * so nothing uncommitted is ever verified as the merged tree.
   */
  integrationRepair: z
    .object({
      attempt: z.number().int().positive(),
      head: z.string(),
      agentProcess: agentProcessSchema.nullable(),
    })
    .nullable()
    .default(null),
  /**
   * A review fix whose agent started and whose change was not captured yet (as `integrationRepair`):
   * a controller that takes the goal over stops that agent and puts the branch's worktree back at
   * `head` before the fix task runs again.
   */
  fixRun: z
    .object({
      taskId: z.string(),
      attempt: z.number().int().positive(),
      head: z.string(),
      workspace: z.string(),
      branch: z.string(),
      agentProcess: agentProcessSchema.nullable(),
    })
    .nullable()
    .default(null),
  /**
   * Where omk last left the goal's integration branch (an integration, an integration repair's
   * capture or its undoing, a review fix's capture or its refusal on the integrator PR; null: not
   * known, as after a conflict): a controller that takes the goal compares the branch with it
   * (`integration-head.ts`), as it does the finished slices' branches with their heads.
   */
  integrationHead: z.string().nullable().default(null),
  /** The controller that last took the goal (evidence for worker_dead after it died). */
  controller: z.object({ pid: z.number().int(), host: z.string() }).nullable().default(null),
});
export type ExecutionStateRecord = z.infer<typeof executionStateSchema>;

export const executionStateVersioned = singleVersion('execution.json', 1, executionStateSchema);

export function emptyExecution(): ExecutionStateRecord {
  return {
    version: 1,
    state: 'not_started',
    slices: [],
    agentRuns: [],
    integration: null,
    finalChangedFiles: [],
    finalGates: [],
    baseGates: [],
    finalFindings: [],
    integrationIntegrity: [],
    stateIntegrity: [],
    gaps: [],
    failures: [],
    integrationRepair: null,
    fixRun: null,
    integrationHead: null,
    controller: null,
  };
}

export async function readExecution(files: StateFiles, path: string): Promise<ExecutionStateRecord> {
  try {
    return await readVersioned(files, executionStateVersioned, path);
  } catch (error) {
    if (error instanceof NotFoundError) return emptyExecution();
    throw error;
  }
}

export function writeExecution(files: StateFiles, path: string, record: ExecutionStateRecord): Promise<void> {
  return writeJsonAtomic(files, path, executionStateSchema.parse(record));
}

/**
 * The branches of `slices` (done ones, in order) with the commit each was captured at, for an
 * integration (`IntegrateInput.heads`): a branch moved since is refused there.
 */
export function sliceBranches(
  record: ExecutionStateRecord,
  slices: readonly { id: string }[],
): { branches: string[]; heads: Record<string, string> } {
  const branches: string[] = [];
  const heads: Record<string, string> = {};
  for (const { id } of slices) {
    const { branch, headSha } = sliceRecord(record, id);
    if (branch === null) continue;
    branches.push(branch);
    if (headSha !== null) heads[branch] = headSha;
  }
  return { branches, heads };
}

export function sliceRecord(record: ExecutionStateRecord, id: string): SliceRecord {
  return (
    record.slices.find((slice) => slice.id === id) ?? {
      id,
      branch: null,
      workspace: null,
      workspaceMode: null,
      fallbackReason: null,
      headSha: null,
      changedFiles: [],
      gates: [],
      findings: [],
      lastFailure: null,
      roundStart: 0,
      agentProcess: null,
      publishedSha: null,
      dependencyRedone: false,
    }
  );
}

export function withSlice(record: ExecutionStateRecord, slice: SliceRecord): ExecutionStateRecord {
  const others = record.slices.filter((s) => s.id !== slice.id);
  return { ...record, slices: [...others, slice].sort((a, b) => a.id.localeCompare(b.id)) };
}

/** The record with these `state_tampered` gaps added (each message once). */
export function withStateGaps(record: ExecutionStateRecord, gaps: readonly Gap[]): ExecutionStateRecord {
  const known = new Set(record.stateIntegrity.map((gap) => gap.message));
  const fresh = gaps.filter((gap) => !known.has(gap.message) && known.add(gap.message));
  return fresh.length === 0 ? record : { ...record, stateIntegrity: [...record.stateIntegrity, ...fresh] };
}

/** What execution.json keeps of one agent run (slice or integration repair). */
export function agentRunRecord(
  taskId: string,
  attempt: number,
  agent: string,
  result: AgentRunResult,
): ExecutionStateRecord['agentRuns'][number] {
  return {
    taskId,
    attempt,
    agent,
    exitCode: result.exitCode,
    outcome: result.outcome,
    durationMs: result.durationMs,
    tokens: result.usage.tokens,
    usd: result.usage.usd,
    transcript: result.transcript,
  };
}
